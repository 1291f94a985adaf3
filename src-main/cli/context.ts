import fs from 'node:fs';
import { openDatabase, type Db } from '../core/db/database.js';
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
  const db = options.readonly && !fs.existsSync(file) ? openDatabase(':memory:') : openDatabase(file, { busyTimeoutMs: COMMAND_BUSY_TIMEOUT_MS });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
