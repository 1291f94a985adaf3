import fs from 'node:fs';
import { openDatabase, type ReadableDb, type WritableDb } from '../core/db/database.js';
import { defaultDatabasePath } from '../core/paths.js';

export interface GlobalOptions {
  db?: string;
}

export function databasePath(globals: GlobalOptions): string {
  return globals.db ?? defaultDatabasePath();
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
  const db = options.existingOnly && !fs.existsSync(file) ? openDatabase(':memory:') : openDatabase(file);
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
  const db: ReadableDb = fs.existsSync(file) ? openDatabase(file, { readonly: true }) : openDatabase(':memory:');
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
