import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError, errorMessage } from '../errors.js';
import { schemaVersion } from '../db/database.js';
import { loadMigrations } from '../db/migrations.js';
import { stopPoint } from '../stop-points.js';

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
 * the backup (a PIE Audit database, not newer than this version, intact). The caller
 * opens the target afterwards to migrate a backup from an older version.
 *
 * When the target exists (and another process, the app or `serve`, may hold it open),
 * everything happens in ONE write transaction on it, under SQLite's write lock: its
 * current content is copied to `<target>.before-restore-<time>.bak`, then its tables are
 * dropped and the backup's are created and filled. So a label the app acknowledged
 * before the restore is in that saved copy (no write can land between the copy and the
 * replacement); a write that comes after waits for the lock and lands in the restored
 * database; a crash mid-restore rolls back to the old content; and other connections
 * see old or new, never a mix. The change of schema is how a running app notices
 * (schemaCookie in database-identity.ts).
 */
export async function restoreDatabase(source: string, target: string): Promise<RestoreOutcome> {
  const info = inspectDatabaseFile(source);
  if (fs.existsSync(target) && path.resolve(source) === path.resolve(target)) {
    throw new UserError(`${source}: is the database itself; restore from a backup file`);
  }
  if (!fs.existsSync(target)) {
    // Nobody can hold a database that does not exist yet: a plain page copy.
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await db.backup(target, { progress: () => ALL_PAGES });
    } catch (error) {
      removeQuietly(target);
      throw new UserError(`${target}: restore failed (${errorMessage(error)})`);
    } finally {
      db.close();
    }
    return info;
  }
  inspectDatabaseFile(target);
  const previousSavedTo = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
  if (fs.existsSync(previousSavedTo)) throw new UserError(`${previousSavedTo}: already exists; try again`);
  const partial = `${previousSavedTo}.partial-${process.pid}`;
  // Not fileMustExist: ATTACH opens with the main file's flags, and the saved copy is new (the target was checked above).
  const live = new Database(target);
  try {
    // The app waits up to 5 s per attempt for the lock; a restore waits for a training
    // run's commit the same way the commands do.
    live.pragma('busy_timeout = 60000');
    live.pragma('foreign_keys = OFF');
    live.prepare('ATTACH DATABASE ? AS incoming').run(path.resolve(source));
    live.prepare('ATTACH DATABASE ? AS saved').run(partial);
    live.pragma('saved.synchronous = FULL');
    live.transaction(() => {
      copyContent(live, 'main', 'saved');
      stopPoint('restore-replace');
      copyContent(live, 'incoming', 'main');
    }).immediate();
    live.exec('DETACH DATABASE incoming');
    live.exec('DETACH DATABASE saved');
  } catch (error) {
    removeQuietly(partial);
    throw new UserError(`${target}: restore failed, the database is unchanged (${errorMessage(error)})`);
  } finally {
    live.close();
  }
  fsyncFile(partial);
  fs.renameSync(partial, previousSavedTo);
  fsyncFile(path.dirname(path.resolve(previousSavedTo)));
  return { ...info, previousSavedTo };
}

/** A quoted SQL identifier. */
const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * Makes schema `to` hold exactly what schema `from` holds: its tables, rows, indexes,
 * triggers, views, AUTOINCREMENT counters and schema version. Runs inside the caller's
 * transaction, with foreign keys off (tables are filled in any order).
 */
function copyContent(db: Database.Database, from: string, to: string): void {
  type SchemaObject = { type: string; name: string; sql: string | null };
  const objects = (schema: string): SchemaObject[] =>
    db.prepare(`SELECT type, name, sql FROM ${schema}.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`).all() as SchemaObject[];
  const old = objects(to);
  for (const type of ['view', 'trigger', 'table']) {
    for (const object of old.filter((o) => o.type === type)) db.exec(`DROP ${type.toUpperCase()} ${to}.${quote(object.name)}`);
  }
  const wanted = objects(from).filter((o) => o.sql !== null);
  // CREATE [UNIQUE] INDEX|TABLE|TRIGGER|VIEW [IF NOT EXISTS] name ...: the name gets `to`'s prefix.
  const inSchema = (sql: string): string =>
    sql.replace(/^(CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?)/i, `$1${to}.`);
  for (const table of wanted.filter((o) => o.type === 'table')) {
    db.exec(inSchema(table.sql ?? ''));
    db.exec(`INSERT INTO ${to}.${quote(table.name)} SELECT * FROM ${from}.${quote(table.name)}`);
  }
  const hasSequence = (schema: string): boolean => db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE name = 'sqlite_sequence'`).get() !== undefined;
  if (hasSequence(to)) db.exec(`DELETE FROM ${to}.sqlite_sequence`);
  if (hasSequence(from) && hasSequence(to)) db.exec(`INSERT INTO ${to}.sqlite_sequence SELECT * FROM ${from}.sqlite_sequence`);
  for (const type of ['index', 'trigger', 'view']) {
    for (const object of wanted.filter((o) => o.type === type)) db.exec(inSchema(object.sql ?? ''));
  }
  db.pragma(`${to}.user_version = ${Number(db.pragma(`${from}.user_version`, { simple: true }))}`);
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
