/**
 * Whether the database under an open connection is still the one it opened: SQLite's
 * schema cookie (PRAGMA schema_version) changes whenever any connection changes the
 * schema: a `db restore` (which drops and recreates every table) or a newer version
 * migrating the file. Ordinary writes (labels, runs, imports) leave it alone.
 */
import type { ReadableDb } from './handles.js';

export function schemaCookie(db: ReadableDb): number {
  return Number(db.pragma('schema_version', { simple: true }));
}
