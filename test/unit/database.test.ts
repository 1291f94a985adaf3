import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { loadMigrations } from '../../src-main/core/db/migrations.js';
import { checkDatabase } from '../../src-main/core/db/check.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';

describe('database', () => {
  it('creates the schema with every migration, WAL and foreign keys on', () => {
    const file = path.join(tempDir(), 'new.db');
    const db = openDatabase(file);
    const migrations = loadMigrations();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['datasets', 'classes', 'images', 'experiments', 'experiment_images', 'models', 'predictions', 'labels', 'studies', 'study_items', 'annotators', 'label_categories']),
    );
    const predictions = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'predictions'").pluck().get() as string;
    expect(predictions).toMatch(/PRIMARY KEY \(model_id, image_index\)\s*\) WITHOUT ROWID/);
    expect(checkDatabase(db).ok).toBe(true);
    db.close();
  });

  it('enforces foreign keys', () => {
    const db = openDatabase(path.join(tempDir(), 'fk.db'));
    expect(() => db.prepare("INSERT INTO classes (dataset_id, label, name) VALUES (99, 0, 'x')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = path.join(tempDir(), 'newer.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma('user_version = 999');
    raw.close();
    const before = dbSnapshot(file);
    expect(() => openDatabase(file)).toThrow(/written by a newer PIE Audit \(schema 999, this version knows up to \d+\); refusing to open it/);
    expect(dbSnapshot(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a file that is not SQLite', () => {
    const file = path.join(tempDir(), 'text.db');
    fs.writeFileSync(file, 'hello, this is not a database at all');
    expect(() => openDatabase(file)).toThrow(/text\.db: not a SQLite database/);
    expect(fs.readFileSync(file, 'utf8')).toBe('hello, this is not a database at all');
  });

  it('migrates an older database in one step and keeps a dated backup first', () => {
    const dir = tempDir();
    const file = path.join(dir, 'old.db');
    const all = loadMigrations();
    const first = all.slice(0, 1);
    const extra = { version: 2, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER);' };
    const old = openDatabase(file, { migrations: first });
    old.prepare("INSERT INTO annotators (name, created_at) VALUES ('ann', 'now')").run();
    old.close();
    const upgraded = openDatabase(file, { migrations: [...first, extra] });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(2);
    upgraded.close();
    const backups = fs.readdirSync(dir).filter((f) => /^old\.db\.v1-.*\.bak$/.test(f));
    expect(backups).toHaveLength(1);
    const backup = new Database(path.join(dir, backups[0] ?? ''), { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT name FROM annotators').pluck().all()).toEqual(['ann']);
    backup.close();
  });

  it('rolls back a failing migration entirely', () => {
    const file = path.join(tempDir(), 'bad-migration.db');
    const first = loadMigrations().slice(0, 1);
    openDatabase(file, { migrations: first }).close();
    const broken = { version: 2, name: 'broken', sql: 'CREATE TABLE ok_table (x); THIS IS NOT SQL;' };
    expect(() => openDatabase(file, { migrations: [...first, broken] })).toThrow();
    const db = openDatabase(file, { migrations: first });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ok_table'").pluck().get()).toBe(0);
    db.close();
  });
});
