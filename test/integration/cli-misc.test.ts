import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../../src-main/core/version.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir, writeIdxPair } from '../helpers/data.js';

describe('pie-audit command', () => {
  it('prints the version of package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('exits 1 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(1);
    const bad = await runCli(['datasets', 'add', 'idx', '--name', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/required option '--images <file>' not specified/);
  });

  it("refuses options out of the API's ranges in one line naming the option, exit 1, the database unchanged", async () => {
    const dir = tempDir();
    const db = path.join(dir, 'ranges.db');
    const pair = writeIdxPair(dir, 'r', 6);
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'r', '--images', pair.images, '--labels', pair.labels])).code).toBe(0);
    const before = dbSnapshot(db);
    const out = path.join(dir, 'never.csv');
    const cases: [string[], RegExp][] = [
      [['report', '--experiment', '0'], /^pie-audit: --experiment must be a positive integer, not '0'$/],
      [['export', 'pies', '--format', 'xml', '--out', out], /^pie-audit: --format must be csv, json or jsonl, not 'xml'$/],
      [['export', 'study', '--format', 'csv', '--out', out, '--study', '0'], /^pie-audit: --study must be a positive integer, not '0'$/],
      [['export', 'subgroup-impact', '--format', 'csv', '--out', out, '--positive-class', ' '], /^pie-audit: --positive-class must be 1-200 characters, not ' '$/],
      [['evaluate', '--corruptions', 'rotate', '--severities', '1,x'], /^pie-audit: --severities: 'x' is not a severity \(1 to 5\)$/],
      [['evaluate', '--experiment', '0', '--corruptions', 'rotate'], /^pie-audit: --experiment must be a positive integer, not '0'$/],
      [['evaluate', '--on', ''], /^pie-audit: --on must be a dataset name \(1-100 characters\), not ''$/],
      [['study', 'items', '--format', 'xml', '--out', out], /^pie-audit: --format must be csv or json, not 'xml'$/],
      [['study', 'report', '--study', '0'], /^pie-audit: --study must be a positive integer, not '0'$/],
      [['study', 'unblind', '--study', 'x'], /^pie-audit: --study must be a number, not 'x'$/],
      [['datasets', 'add', 'idx', '--name', 'r2', '--images', pair.images, '--labels', pair.labels, '--split', 'dev'], /^pie-audit: --split must be train or test, not 'dev'$/],
    ];
    for (const [args, reason] of cases) {
      const result = await runCli(['--db', db, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim()).toMatch(reason);
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(dbSnapshot(db)).toBe(before);
  });

  it('uses PIE_AUDIT_DB when --db is absent', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'env.db');
    const pair = writeIdxPair(dir, 'e', 6);
    const add = await runCli(['datasets', 'add', 'idx', '--name', 'env', '--images', pair.images, '--labels', pair.labels], { PIE_AUDIT_DB: db });
    expect(add.code, add.stderr).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('lists nothing from a missing database without creating it', async () => {
    const db = path.join(tempDir(), 'missing.db');
    const list = await runCli(['--db', db, 'datasets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/no datasets yet/);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('db check reports integrity and foreign keys', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'check.db');
    const pair = writeIdxPair(dir, 'c', 6);
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'c', '--images', pair.images, '--labels', pair.labels])).code).toBe(0);
    const ok = await runCli(['--db', db, 'db', 'check']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/integrity: ok/);
    expect(ok.stdout).toMatch(/foreign keys: ok/);
    // Break a foreign key behind the app's back; the check must say so.
    const raw = new Database(db);
    raw.pragma('foreign_keys = OFF');
    raw.prepare("INSERT INTO classes (dataset_id, label, name) VALUES (42, 0, 'orphan')").run();
    raw.close();
    const broken = await runCli(['--db', db, 'db', 'check']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/foreign keys: 1 violations/);
    expect(broken.stderr).toMatch(/database check failed/);
  });

  it('refuses a database from a newer version without touching it', async () => {
    const db = path.join(tempDir(), 'future.db');
    const raw = new Database(db);
    raw.pragma('user_version = 500');
    raw.close();
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'datasets', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/written by a newer PIE Audit \(schema 500/);
    expect(dbSnapshot(db)).toBe(before);
  });
});
