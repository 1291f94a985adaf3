/**
 * Issue 17, item 4: databases written by every earlier schema version of PIE Audit
 * (test/fixtures/upgrade/schema-<N>.db, made by that version's own code from this
 * repository's history by make-fixtures.ts) open in this version: a dated copy is written
 * first, the schema is migrated, every row of every table is kept (checked row for row),
 * and the upgraded database works for reading, exporting, the study report and new writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src-main/core/db/migrations.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'upgrade');
const LATEST = loadMigrations().length;

/** Every table's rows (old columns only, in a total order), as JSON lines, by table. */
function contents(file: string, columnsOf?: Map<string, string[]>): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const result = new Map<string, string[]>();
    for (const table of columnsOf ? [...columnsOf.keys()] : tables) {
      const columns = columnsOf?.get(table) ?? (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
      const list = columns.map((c) => `"${c}"`).join(', ');
      const order = columns.map((_, i) => i + 1).join(', ');
      const rows = db.prepare(`SELECT ${list} FROM "${table}" ORDER BY ${order}`).raw().all() as unknown[][];
      // Blobs compare by their bytes.
      result.set(table, rows.map((row) => JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)))));
    }
    return result;
  } finally {
    db.close();
  }
}

function columnsByTable(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    return new Map(tables.map((t) => [t, db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(t) as string[]]));
  } finally {
    db.close();
  }
}

function userVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

const fixtures = fs
  .readdirSync(FIXTURES)
  .map((name) => /^schema-(\d+)\.db$/.exec(name))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ file: path.join(FIXTURES, m[0]), schema: Number(m[1]) }))
  .sort((a, b) => a.schema - b.schema);

describe('upgrade fixtures', () => {
  // A new migration should come with a fixture of the schema before it (an entry in
  // make-fixtures.ts); until then the versions from 1 up to the newest fixture must all be here.
  it('cover every earlier schema version, from 1 on', () => {
    const newest = fixtures.at(-1)?.schema ?? 0;
    expect(newest).toBeGreaterThanOrEqual(3);
    expect(newest).toBeLessThan(LATEST);
    expect(fixtures.map((f) => f.schema)).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
    for (const f of fixtures) expect(userVersion(f.file)).toBe(f.schema);
  });

  it('hold a dataset, trained models with predictions, a study with its items and two annotators’ labels', () => {
    for (const f of fixtures) {
      const rows = contents(f.file);
      const count = (table: string): number => rows.get(table)?.length ?? 0;
      expect(count('images'), f.file).toBe(340);
      expect(count('models'), f.file).toBeGreaterThanOrEqual(4);
      expect(count('predictions'), f.file).toBe(count('models') * 40);
      expect(count('studies'), f.file).toBe(1);
      expect(count('study_items'), f.file).toBe(6);
      expect(count('annotators'), f.file).toBe(2);
      expect(count('labels'), f.file).toBeGreaterThanOrEqual(12);
    }
  });
});

describe.each(fixtures)('a database of schema $schema', ({ file, schema }) => {
  it('is backed up, migrated, and keeps every row', async () => {
    const dir = tempDir('pie-audit-upgrade-');
    const db = path.join(dir, 'old.db');
    fs.copyFileSync(file, db);
    const columns = columnsByTable(file);
    const before = contents(file);

    const check = await runCli(['--db', db, 'db', 'check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`schema version ${LATEST}\\b`));
    expect(userVersion(db)).toBe(LATEST);

    const backups = fs.readdirSync(dir).filter((name) => name.startsWith(`old.db.v${schema}-`) && name.endsWith('.bak'));
    expect(backups).toHaveLength(1);
    const backup = path.join(dir, backups[0] ?? '');
    expect(userVersion(backup)).toBe(schema);
    expect(contents(backup)).toEqual(before);

    const after = contents(db, columns);
    for (const [table, rows] of before) expect(after.get(table), table).toEqual(rows);
  });

  it('works after the upgrade: report, exports, study report, and new predictions without true-label probabilities', async () => {
    const dir = tempDir('pie-audit-upgrade-');
    const db = path.join(dir, 'old.db');
    fs.copyFileSync(file, db);

    const report = await runCli(['--db', db, 'report', '--json', '--experiment', '1']);
    expect(report.code, report.stderr).toBe(0);
    const table = JSON.parse(report.stdout) as { dataset: string; variants: { variant: string; models: number }[] };
    expect(table.dataset).toBe('tiny');
    expect(table.variants.map((v) => [v.variant, v.models])).toEqual([
      ['dense', 2],
      ['magnitude-0.9', 2],
    ]);

    const study = await runCli(['--db', db, 'study', 'report', '--json', '--study', '1']);
    expect(study.code, study.stderr).toBe(0);
    expect((JSON.parse(study.stdout) as { annotators: string[] }).annotators.sort()).toEqual(['alice', 'bob']);

    const labelsOut = path.join(dir, 'labels.csv');
    const labels = await runCli(['--db', db, 'export', 'study', '--format', 'csv', '--out', labelsOut, '--study', '1']);
    expect(labels.code, labels.stderr).toBe(0);
    const labelRows = fs.readFileSync(labelsOut, 'utf8').trim().split('\n');
    expect(labelRows).toHaveLength(13); // header, 2 annotators x 6 items
    expect(labelRows.join('\n')).toMatch(/first, by alice/);

    // Schema 1 declared true_label_probability NOT NULL; later versions import files
    // that do not carry it. The exported predictions without that column go back in.
    const predictionsOut = path.join(dir, 'predictions.csv');
    const exported = await runCli(['--db', db, 'export', 'predictions', '--format', 'csv', '--out', predictionsOut, '--experiment', '1']);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = fs.readFileSync(predictionsOut, 'utf8').trim().split('\n');
    const header = (lines[0] ?? '').split(',');
    const drop = header.indexOf('true_label_probability');
    expect(drop).toBeGreaterThan(0);
    const stripped = lines.map((line) => line.split(',').filter((_, i) => i !== drop).join(',')).join('\n') + '\n';
    const withoutProbability = path.join(dir, 'no-probability.csv');
    fs.writeFileSync(withoutProbability, stripped);
    const imported = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', withoutProbability]);
    expect(imported.code, imported.stderr).toBe(0);
    const raw = new Database(db, { readonly: true });
    const nulls = raw.prepare('SELECT count(*) FROM predictions WHERE true_label_probability IS NULL').pluck().get() as number;
    raw.close();
    expect(nulls).toBe(lines.length - 1);
    expect((await runCli(['--db', db, 'db', 'check'])).code).toBe(0);
  });
});
