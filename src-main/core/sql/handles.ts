/**
 * Database handles as types, in the manner of Signal Desktop's sql Interface: a
 * ReadableDb may only be read (opened read-only: it never migrates and never writes);
 * a WritableDb is also a ReadableDb. Data-access functions take the weakest handle
 * they need, so a read-only command cannot reach a writer by mistake: the compiler
 * refuses it.
 */
import type Database from 'better-sqlite3';

declare const readableBrand: unique symbol;
declare const writableBrand: unique symbol;

export type ReadableDb = Database.Database & { readonly [readableBrand]: true };
export type WritableDb = ReadableDb & { readonly [writableBrand]: true };
