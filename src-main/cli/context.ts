import fs from 'node:fs';
import { openDatabase, type Db } from '../core/db/database.js';
import { defaultDatabasePath } from '../core/paths.js';

export interface GlobalOptions {
  db?: string;
}

export function databasePath(globals: GlobalOptions): string {
  return globals.db ?? defaultDatabasePath();
}

/**
 * Runs fn with the database open and always closes it (which checkpoints the WAL).
 * Commands that only read, run on a database that does not exist yet, see an empty
 * in-memory one rather than creating a file.
 */
export async function withDatabase<T>(
  globals: GlobalOptions,
  fn: (db: Db) => T | Promise<T>,
  options: { readonly?: boolean } = {},
): Promise<T> {
  const file = databasePath(globals);
  const db = options.readonly && !fs.existsSync(file) ? openDatabase(':memory:') : openDatabase(file);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
