/**
 * `pie-audit experiments list|rename|delete` on a real database: two imports of the
 * fixture population, a study drawn from the first. Deletion takes an experiment's
 * models, predictions, analysis and free-audit labels; it is refused (one line, exit 1,
 * database byte-identical) without --yes, for an experiment a study uses, and for an
 * unknown one; renaming refuses an empty or overlong name the same way.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.ts';

const POPULATION = path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv');
let dir: string;
let db: string;

const cli = (...args: string[]) => runCli(['--db', db, ...args]);
const digest = (): string => crypto.createHash('sha256').update(fs.readFileSync(db)).digest('hex');

function count(sql: string, ...params: unknown[]): number {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(sql).pluck().get(...params) as number;
  } finally {
    conn.close();
  }
}

/** Runs a command that must be refused: one line naming the reason, exit 1, the file unchanged. */
async function refused(args: string[], reason: RegExp): Promise<void> {
  const before = digest();
  const result = await cli(...args);
  expect(result.code, result.stdout).toBe(1);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(reason);
  expect(digest()).toBe(before);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'experiments-cli-'));
  db = path.join(dir, 'pie.db');
  for (let k = 0; k < 2; k++) {
    const result = await cli('import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', POPULATION);
    expect(result.code, result.stderr).toBe(0);
  }
  const study = await cli('study', 'create', '--name', 'pilot', '--pies', '5', '--controls', '5', '--experiment', '1');
  expect(study.code, study.stderr).toBe(0);
  // a free-audit label on each experiment, and the analysis stored
  const conn = new Database(db);
  try {
    conn.prepare("INSERT INTO annotators (name, created_at) VALUES ('alice', '2026-01-01T00:00:00Z')").run();
    const annotator = conn.prepare("SELECT id FROM annotators WHERE name = 'alice'").pluck().get() as number;
    for (const experiment of [1, 2]) {
      conn
        .prepare("INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, note, labeled_at) VALUES (NULL, ?, ?, 3, '[\"noisy\"]', '', '2026-01-01T00:00:00Z')")
        .run(annotator, experiment);
    }
  } finally {
    conn.close();
  }
  expect((await cli('report', '--experiment', '2')).code).toBe(0);
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('pie-audit experiments', () => {
  it('lists the experiments, newest first', async () => {
    const result = await cli('experiments', 'list', '--json');
    expect(result.code, result.stderr).toBe(0);
    const items = JSON.parse(result.stdout) as { id: number; models: { done: number } }[];
    expect(items.map((e) => [e.id, e.models.done])).toEqual([
      [2, 20],
      [1, 20],
    ]);
    const table = await cli('experiments', 'list');
    expect(table.stdout).toMatch(/^2\s+/m);
  });

  it('renames an experiment, and refuses an empty or overlong name or an unknown experiment', async () => {
    const result = await cli('experiments', 'rename', '2', '  second import  ');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("experiment 2 is now 'second import'");
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT name FROM experiments WHERE id = 2').pluck().get()).toBe('second import');
    conn.close();
    await refused(['experiments', 'rename', '2', '   '], /^pie-audit: experiment name: must not be empty$/m);
    await refused(['experiments', 'rename', '2', 'x'.repeat(201)], /^pie-audit: experiment name: at most 200 characters \(got 201\)$/m);
    await refused(['experiments', 'rename', '9', 'x'], /^pie-audit: no experiment 9$/m);
    await refused(['experiments', 'rename', 'two', 'x'], /^pie-audit: experiment id: expected a positive whole number, got 'two'$/m);
  });

  it('deletes only with --yes, never an experiment a study uses, and takes everything of it', async () => {
    await refused(['experiments', 'delete', '2'], /^pie-audit: experiment 2 'second import' has 20 models and 1 free-audit labels: pass --yes to delete it with them$/m);
    await refused(['experiments', 'delete', '1', '--yes'], /^pie-audit: experiment 1 is used by study #1 pilot: it cannot be deleted while a study draws from it$/m);
    await refused(['experiments', 'delete', '7', '--yes'], /^pie-audit: no experiment 7$/m);

    const predictionsOf1 = count('SELECT count(*) FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = 1');
    const result = await cli('experiments', 'delete', '2', '--yes');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("deleted experiment 2 'second import' (20 models, 1 free-audit labels)");
    for (const table of ['models', 'experiment_images', 'labels', 'analysis_runs', 'analysis_variants', 'analysis_classes', 'analysis_images']) {
      expect(count(`SELECT count(*) FROM ${table} WHERE experiment_id = 2`), table).toBe(0);
    }
    expect(count('SELECT count(*) FROM predictions p LEFT JOIN models m ON m.id = p.model_id WHERE m.id IS NULL')).toBe(0);
    // experiment 1 untouched
    expect(count('SELECT count(*) FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = 1')).toBe(predictionsOf1);
    expect(count('SELECT count(*) FROM labels WHERE experiment_id = 1')).toBe(1);
    expect((await cli('db', 'check')).code).toBe(0);
  });
});
