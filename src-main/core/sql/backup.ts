import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError, errorMessage } from '../errors.js';
import { schemaVersion } from '../db/database.js';
import { loadMigrations } from '../db/migrations.js';

/**
 * Whole-database copies: `db backup` and `db restore`. Both go through SQLite's online
 * backup API, which copies pages under SQLite's own locks, so a backup taken while the
 * app or a training run writes to the database is a consistent snapshot, and a restore
 * into a database another process has open is seen by that process as one committed
 * change, never as a file swapped under it.
 */

/** Tables every PIE Audit database has had since the first schema. */
const PIE_AUDIT_TABLES = ['datasets', 'images', 'experiments', 'models', 'predictions', 'studies', 'labels'];

/** Pages per backup step: every page at once, so the copy is one read transaction (one snapshot). */
const ALL_PAGES = 0x7fffffff;

export interface DatabaseFileInfo {
  schemaVersion: number;
  sizeBytes: number;
}

/**
 * Checks that `file` is a PIE Audit database this version can open (schema 1..latest,
 * intact) without writing to it. Throws a one-line UserError naming the file otherwise.
 */
export function inspectDatabaseFile(file: string, latest = loadMigrations().length): DatabaseFileInfo {
  if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
  if (!fs.statSync(file).isFile()) throw new UserError(`${file}: not a file`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UserError(`${file}: cannot open (${errorMessage(error)})`);
  }
  try {
    let version: number;
    try {
      version = schemaVersion(db, file);
    } catch (error) {
      throw error instanceof UserError ? error : new UserError(`${file}: cannot read (${errorMessage(error)})`);
    }
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const missing = PIE_AUDIT_TABLES.filter((t) => !tables.has(t));
    if (version === 0 || missing.length > 0) {
      throw new UserError(`${file}: not a PIE Audit database (${version === 0 ? 'no schema version' : `no ${missing.join(', ')} table`})`);
    }
    if (version > latest) {
      throw new UserError(`${file}: written by a newer PIE Audit (schema ${version}, this version knows up to ${latest})`);
    }
    const integrity = db.prepare('PRAGMA quick_check').pluck().all() as string[];
    if (integrity.length !== 1 || integrity[0] !== 'ok') {
      throw new UserError(`${file}: damaged database (${integrity.slice(0, 3).join('; ')})`);
    }
    const pageCount = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { schemaVersion: version, sizeBytes: pageCount * pageSize };
  } finally {
    db.close();
  }
}

/**
 * Copies the live database `source` to the new file `target` (refused if it exists).
 * The copy is written beside the target under a temporary name, checked, fsynced and
 * renamed, so an interrupted backup leaves no half-written file under the target's name.
 */
export async function backupDatabase(source: string, target: string): Promise<DatabaseFileInfo> {
  inspectDatabaseFile(source);
  const targetPath = path.resolve(target);
  if (fs.existsSync(targetPath)) throw new UserError(`${target}: already exists; a backup never overwrites a file`);
  if (!fs.existsSync(path.dirname(targetPath))) throw new UserError(`${target}: no such folder ${path.dirname(targetPath)}`);
  const partial = `${targetPath}.partial-${process.pid}`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    removeQuietly(partial);
    throw new UserError(`${target}: backup failed (${errorMessage(error)})`);
  } finally {
    db.close();
  }
  try {
    // The copy carries the source's WAL flag; a backup is better one self-contained file.
    const copy = new Database(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const info = inspectDatabaseFile(partial);
    fsyncFile(partial);
    fs.renameSync(partial, targetPath);
    fsyncFile(path.dirname(targetPath));
    return info;
  } catch (error) {
    removeQuietly(partial);
    throw error instanceof UserError ? error : new UserError(`${target}: backup failed (${errorMessage(error)})`);
  }
}

export interface RestoreOutcome extends DatabaseFileInfo {
  /** Where the database's previous content was saved, when it had any. */
  previousSavedTo?: string;
}

/**
 * Replaces the content of the database `target` with the backup `source`, after checking
 * the backup (a PIE Audit database, not newer than this version, intact). When the target
 * already exists its current content is first backed up beside it. The caller opens the
 * target afterwards to migrate a backup from an older version.
 */
export async function restoreDatabase(source: string, target: string): Promise<RestoreOutcome> {
  const info = inspectDatabaseFile(source);
  if (fs.existsSync(target) && path.resolve(source) === path.resolve(target)) {
    throw new UserError(`${source}: is the database itself; restore from a backup file`);
  }
  let previousSavedTo: string | undefined;
  if (fs.existsSync(target)) {
    inspectDatabaseFile(target);
    previousSavedTo = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    await backupDatabase(target, previousSavedTo);
  } else {
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  }
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // Into the target through SQLite: one write transaction under its locks, so a crash
    // mid-restore leaves the old content and other connections see old or new, never a mix.
    await db.backup(target, { progress: () => ALL_PAGES });
  } catch (error) {
    throw new UserError(`${target}: restore failed (${errorMessage(error)})${previousSavedTo ? `; its previous content is in ${previousSavedTo}` : ''}`);
  } finally {
    db.close();
  }
  return previousSavedTo ? { ...info, previousSavedTo } : info;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  fs.rmSync(file, { force: true });
}
