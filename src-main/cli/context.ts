import fs from 'node:fs';
import { openDatabase, type ReadableDb, type WritableDb } from '../core/db/database.js';
import { defaultDatabasePath } from '../core/paths.js';

export interface GlobalOptions {
  db?: string;
}

/**
 * A command waits up to a minute for another program's write (an import's single
 * transaction of millions of rows, a second training run) instead of failing after 5 s.
 */
const COMMAND_BUSY_TIMEOUT_MS = 60_000;

export function databasePath(globals: GlobalOptions): string {
  return globals.db ?? defaultDatabasePath();
}

/**
 * Whether the database exists at this version's schema, so that opening it for writing
 * changes nothing (no file created, no migration): a command may then open it before
 * its input is known good, and still leave it as it was when refusing that input.
 */
export function databaseIsCurrent(globals: GlobalOptions): boolean {
  const file = databasePath(globals);
  if (!fs.existsSync(file)) return false;
  try {
    openDatabase(file, { readonly: true, busyTimeoutMs: COMMAND_BUSY_TIMEOUT_MS }).close();
    return true;
  } catch {
    return false; // older (to be migrated), newer (refused when opened) or not a database
  }
}

/**
 * Runs fn with the database open read-write and always closes it (which checkpoints
 * the WAL). With existingOnly, a database that does not exist yet is an empty
 * in-memory one rather than a new file (commands that only bring the stored analysis
 * up to date and read, such as export).
 */
export async function withDatabase<T>(
  globals: GlobalOptions,
  fn: (db: WritableDb) => T | Promise<T>,
  options: { existingOnly?: boolean } = {},
): Promise<T> {
  const file = databasePath(globals);
  const db = options.existingOnly && !fs.existsSync(file) ? openDatabase(':memory:') : openDatabase(file, { busyTimeoutMs: COMMAND_BUSY_TIMEOUT_MS });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/**
 * Runs fn on a read-only handle: the file is never created, migrated or written. A
 * database that does not exist yet reads as an empty one.
 */
export async function withReadonlyDatabase<T>(globals: GlobalOptions, fn: (db: ReadableDb) => T | Promise<T>): Promise<T> {
  const file = databasePath(globals);
  const db: ReadableDb = fs.existsSync(file) ? openDatabase(file, { readonly: true, busyTimeoutMs: COMMAND_BUSY_TIMEOUT_MS }) : openDatabase(':memory:');
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
