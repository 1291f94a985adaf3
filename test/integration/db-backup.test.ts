import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src-main/core/db/migrations.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir, writeIdxPair } from '../helpers/data.js';

async function addIdx(db: string, dir: string, name: string, count = 12): Promise<void> {
  const pair = writeIdxPair(dir, name, count);
  const result = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', name, '--images', pair.images, '--labels', pair.labels]);
  expect(result.code, result.stderr).toBe(0);
}

function datasetNames(db: string): string[] {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare('SELECT name FROM datasets ORDER BY name').pluck().all() as string[];
  } finally {
    raw.close();
  }
}

function settingsCount(db: string): number {
  const raw = new Database(db, { readonly: true });
  try {
    return raw.prepare('SELECT count(*) FROM app_settings').pluck().get() as number;
  } finally {
    raw.close();
  }
}

/**
 * A second process that commits one app_settings row per transaction (keys w0, w1, ...)
 * into the database until killed: a writer beside the backup, as the app would be.
 */
function startWriter(db: string): { stop: () => Promise<number> } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    const put = db.prepare('INSERT INTO app_settings (key, value) VALUES (?, ?)');
    let i = 0;
    process.on('SIGTERM', () => { db.close(); process.stdout.write(String(i)); process.exit(0); });
    (function loop() { for (let k = 0; k < 20; k++) { put.run('w' + i, String(i)); i++; } setImmediate(loop); })();
  `;
  const child = spawn(process.execPath, ['-e', script, db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on('close', () => resolve(Number(out)));
        child.kill('SIGTERM');
      }),
  };
}

describe('db backup and db restore', () => {
  it('backs up a database another process is writing to: each copy is intact and one consistent snapshot', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'live.db');
    await addIdx(db, dir, 'first');
    const writer = startWriter(db);
    // Let the writer get going, then take three backups while it commits.
    while (settingsCount(db) < 100) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const copies: string[] = [];
    for (let n = 0; n < 3; n++) {
      const copy = path.join(dir, `copy-${n}.db`);
      const result = await runCli(['--db', db, 'db', 'backup', copy]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/backed up to .*copy-\d\.db \(schema version \d+/);
      copies.push(copy);
    }
    const written = await writer.stop();
    expect(written).toBeGreaterThan(0);

    let previous = 0;
    for (const copy of copies) {
      const check = await runCli(['--db', copy, 'db', 'check']);
      expect(check.code, check.stderr).toBe(0);
      const raw = new Database(copy, { readonly: true });
      const keys = raw.prepare("SELECT CAST(substr(key, 2) AS INTEGER) FROM app_settings WHERE key LIKE 'w%'").pluck().all() as number[];
      raw.close();
      // A snapshot holds w0..w(n-1) with no gap: no transaction is half-seen or skipped.
      const sorted = [...keys].sort((a, b) => a - b);
      expect(sorted).toEqual(sorted.map((_, i) => i));
      expect(keys.length).toBeGreaterThanOrEqual(previous);
      previous = keys.length;
      expect(datasetNames(copy)).toEqual(['first']);
    }
    // No temporary file is left beside the copies.
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('never overwrites an existing file and refuses a missing database', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'a.db');
    await addIdx(db, dir, 'a');
    const existing = path.join(dir, 'existing.db');
    fs.writeFileSync(existing, 'keep me');
    const over = await runCli(['--db', db, 'db', 'backup', existing]);
    expect(over.code).toBe(1);
    expect(over.stderr.trim()).toBe(`pie-audit: ${existing}: already exists; a backup never overwrites a file`);
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    const missing = await runCli(['--db', path.join(dir, 'none.db'), 'db', 'backup', path.join(dir, 'b.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/none\.db: no such file/);
    expect(fs.existsSync(path.join(dir, 'b.db'))).toBe(false);
  });

  it('restores a backup, saving the current content first', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'main.db');
    await addIdx(db, dir, 'before');
    const copy = path.join(dir, 'backup.db');
    expect((await runCli(['--db', db, 'db', 'backup', copy])).code).toBe(0);
    await addIdx(db, dir, 'after');
    expect(datasetNames(db)).toEqual(['after', 'before']);

    const restore = await runCli(['--db', db, 'db', 'restore', copy]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(datasetNames(db)).toEqual(['before']);
    const saved = /previous content saved to (\S+)/.exec(restore.stdout)?.[1];
    expect(saved).toBeDefined();
    expect(datasetNames(saved ?? '')).toEqual(['after', 'before']);
    expect((await runCli(['--db', db, 'db', 'check'])).code).toBe(0);
    // The restored database is a working one: it takes new data.
    await addIdx(db, dir, 'later');
    expect(datasetNames(db)).toEqual(['before', 'later']);
  });

  it('restores into a database that does not exist yet', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'src.db');
    await addIdx(db, dir, 'only');
    const copy = path.join(dir, 'copy.db');
    expect((await runCli(['--db', db, 'db', 'backup', copy])).code).toBe(0);
    const fresh = path.join(dir, 'new', 'fresh.db');
    const restore = await runCli(['--db', fresh, 'db', 'restore', copy]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).not.toMatch(/previous content/);
    expect(datasetNames(fresh)).toEqual(['only']);
  });

  it('restores a backup made by an older version and migrates it', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'main.db');
    await addIdx(db, dir, 'current');
    const old = path.join(ROOT, 'test', 'fixtures', 'upgrade', 'schema-1.db');
    const restore = await runCli(['--db', db, 'db', 'restore', old]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(new RegExp(`restored from .*schema-1\\.db \\(schema version 1, now ${loadMigrations().length}\\)`));
    expect(datasetNames(db)).toEqual(['tiny']);
    // The migration kept its own dated copy of the restored content.
    expect(fs.readdirSync(dir).filter((name) => /^main\.db\.v1-.*\.bak$/.test(name))).toHaveLength(1);
  });

  it('refuses a file that is not a PIE Audit database, or is newer, leaving the database byte-identical', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'main.db');
    await addIdx(db, dir, 'kept');
    const before = dbSnapshot(db);

    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'this is not a database at all, just some text that is long enough');
    const foreign = path.join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE things (id INTEGER PRIMARY KEY)');
    f.pragma('user_version = 2');
    f.close();
    const newer = path.join(dir, 'newer.db');
    expect((await runCli(['--db', db, 'db', 'backup', newer])).code).toBe(0);
    const n = new Database(newer);
    n.pragma('user_version = 500');
    n.close();
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');

    const cases: [string, RegExp][] = [
      [text, /notes\.db: not a SQLite database$/],
      [foreign, /foreign\.db: not a PIE Audit database \(no datasets, images, experiments, models, predictions, studies, labels table\)$/],
      [newer, /newer\.db: written by a newer PIE Audit \(schema 500, this version knows up to \d+\)$/],
      [empty, /empty\.db: not a PIE Audit database \(no schema version\)$/],
      [path.join(dir, 'absent.db'), /absent\.db: no such file$/],
      [db, /main\.db: is the database itself; restore from a backup file$/],
    ];
    for (const [file, message] of cases) {
      const result = await runCli(['--db', db, 'db', 'restore', file]);
      expect(result.code, file).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
      expect(dbSnapshot(db)).toBe(before);
    }
    expect(fs.readdirSync(dir).filter((name) => name.includes('before-restore'))).toEqual([]);
  });
});
