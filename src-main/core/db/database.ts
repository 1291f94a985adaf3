import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import type { ReadableDb, WritableDb } from '../sql/handles.js';
import { loadMigrations, type Migration } from './migrations.js';

/** A handle that may read and write (see core/sql/handles.ts); the name most modules use. */
export type Db = WritableDb;
export type { ReadableDb, WritableDb };

export interface OpenOptions {
  /**
   * Open an existing database read-only: never create, migrate or write (SQLite
   * refuses writes on the connection); an older schema is refused with a reason.
   */
  readonly?: boolean;
  migrations?: Migration[];
  /**
   * How long a statement waits for another connection's write lock before failing with
   * SQLITE_BUSY (SQLite's busy handler retries with growing sleeps). 5 s by default, for
   * the app, whose calls block while they wait; batch commands wait longer.
   */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) a PIE Audit database and brings its schema up to date.
 *
 * - WAL journal, so readers never block the writer and a crash loses no committed
 *   transaction; synchronous=FULL so a label acknowledged to the UI has been fsynced
 *   (NORMAL would let a power cut drop the last commits).
 * - Foreign keys on.
 * - All pending migrations run in one transaction, tracked by user_version; a
 *   database written by a newer PIE Audit is refused untouched. Before migrating a
 *   database that already holds data, the file is copied to a dated backup.
 */
export function openDatabase(file: string, options: OpenOptions & { readonly: true }): ReadableDb;
export function openDatabase(file: string, options?: OpenOptions & { readonly?: false }): WritableDb;
export function openDatabase(file: string, options: OpenOptions = {}): ReadableDb {
  const migrations = options.migrations ?? loadMigrations();
  const latest = migrations.length;
  const exists = fs.existsSync(file);
  if (options.readonly && !exists) throw new UserError(`${file}: no such database`);
  if (!exists) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });

  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: exists, readonly: options.readonly ?? false });
  } catch (error) {
    throw new UserError(`${file}: cannot open database (${(error as Error).message})`);
  }
  try {
    // Read user_version before any pragma that writes (journal_mode=WAL does). The
    // header is checked by SQLite itself: opening and closing our own descriptor on
    // the file would drop this process's POSIX locks on it (SQLite's "how to corrupt"
    // section 2.2), and another process could then delete a live WAL.
    const version = schemaVersion(db, file);
    if (version > latest) {
      throw new UserError(
        `${file}: written by a newer PIE Audit (schema ${version}, this version knows up to ${latest}); refusing to open it`,
      );
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.round(options.busyTimeoutMs ?? 5000)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      if (version < latest) {
        if (version > 0) backupBeforeMigration(db, file, version);
        migrate(db, migrations, version);
      }
    } else if (version < latest) {
      throw new UserError(`${file}: schema ${version} is older than ${latest}; open it once read-write to upgrade`);
    }
    // The brand says what the connection allows: better-sqlite3 enforces readonly.
    return options.readonly ? (db as ReadableDb) : (db as WritableDb);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The schema version (user_version) of an open database; a file that is not SQLite is
 * refused with a one-line reason naming it (SQLite checks the header on this first read).
 */
export function schemaVersion(db: Database.Database, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new UserError(`${file}: not a SQLite database`);
    throw error;
  }
}

/**
 * Foreign keys are off while migrations run (SQLite's procedure for rebuilding a table:
 * dropping a parent table would otherwise cascade into its children) and checked in full
 * before the transaction commits.
 */
function migrate(db: Database.Database, migrations: Migration[], from: number): void {
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of migrations.slice(from)) {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration left ${broken.length} rows with broken foreign keys`);
    })();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

function backupBeforeMigration(db: Database.Database, file: string, version: number): void {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = `${file}.v${version}-${stamp}.bak`;
  // VACUUM INTO writes a consistent copy even with a WAL pending.
  db.prepare('VACUUM INTO ?').run(target);
}

/** The current time as stored in the database (ISO 8601, UTC). */
export function nowIso(): string {
  return new Date().toISOString();
}
