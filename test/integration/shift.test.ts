import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { saveClassCounts } from '../../src-main/core/sql/class-counts.js';
import { ensureEvalSet, saveEvalRun } from '../../src-main/core/sql/eval-sets.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { idxBuffer, tempDir } from '../helpers/data.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'shift');
type Json = Record<string, unknown>;

interface Reference {
  train_counts: number[];
  other_labels: number[];
  shift: (Json & { eval_set: string; variant: string; ce: number | null })[];
  mce: Record<string, number>;
  longtail: Record<string, { spearman_rho: number; spearman_p: number; pie_rho: number; pie_p: number }>;
}

const TOLERANCE = 1e-9;
function same(actual: unknown, expected: unknown, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNull();
    return;
  }
  if (typeof expected === 'number') {
    expect(typeof actual, what).toBe('number');
    expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE);
    return;
  }
  expect(actual, what).toEqual(expected);
}

/**
 * The shift and long-tail metrics of a population with evaluation-set predictions and
 * class training counts, through the real database, report --json and export shift,
 * against pandas and scipy (test/fixtures/shift/make_reference.py).
 */
describe('shift and long-tail metrics against pandas and scipy', () => {
  const dir = tempDir();
  const db = path.join(dir, 'shift.db');
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as Reference;

  beforeAll(async () => {
    const imported = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(FIXTURES, 'population.csv')]);
    expect(imported.code, imported.stderr).toBe(0);
    // The other dataset's test split: its labels are what its set's top-1 is scored against.
    const n = reference.other_labels.length;
    fs.writeFileSync(path.join(dir, 'other-images'), idxBuffer([n, 28, 28], new Uint8Array(n * 784)));
    fs.writeFileSync(path.join(dir, 'other-labels'), idxBuffer([n], Uint8Array.from(reference.other_labels)));
    const added = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'other', '--images', path.join(dir, 'other-images'), '--labels', path.join(dir, 'other-labels')]);
    expect(added.code, added.stderr).toBe(0);

    const handle = openDatabase(db);
    try {
      const experimentId = handle.prepare('SELECT max(id) FROM experiments').pluck().get() as number;
      const otherId = handle.prepare("SELECT id FROM datasets WHERE name = 'other'").pluck().get() as number;
      const modelIds = new Map((handle.prepare('SELECT variant, seed, id FROM models WHERE experiment_id = ?').raw().all(experimentId) as [string, number, number][]).map(([v, s, id]) => [`${v}/${s}`, id]));
      const rows = csvRows<{ eval_set: string; variant: string; seed: string; image_index: string; predicted_label: string }>(fs.readFileSync(path.join(FIXTURES, 'eval-predictions.csv')));
      const byRun = new Map<string, { set: string; model: number; labels: number[] }>();
      for (const r of rows) {
        const model = modelIds.get(`${r.variant}/${r.seed}`);
        if (model === undefined) throw new Error(`no model ${r.variant}/${r.seed}`);
        const key = `${r.eval_set}/${model}`;
        const run = byRun.get(key) ?? { set: r.eval_set, model, labels: [] };
        run.labels[Number(r.image_index)] = Number(r.predicted_label);
        byRun.set(key, run);
      }
      for (const run of byRun.values()) {
        const [corruption, severity] = run.set.split(':');
        const set = ensureEvalSet(
          handle,
          severity === undefined
            ? { experimentId, name: run.set, kind: 'dataset', corruption: null, severity: null, datasetId: otherId, images: run.labels.length }
            : { experimentId, name: run.set, kind: 'corruption', corruption: corruption ?? '', severity: Number(severity), datasetId: null, images: run.labels.length },
        );
        const count = run.labels.length;
        // top1 here is a placeholder: the metrics score the stored predictions themselves.
        saveEvalRun(handle, { evalSetId: set.id, modelId: run.model, top1: 0, predicted: Uint8Array.from(run.labels), predictedProbability: new Float32Array(count).fill(0.5), trueLabelProbability: new Float32Array(count).fill(0.5) });
      }
      saveClassCounts(handle, experimentId, reference.train_counts);
    } finally {
      handle.close();
    }
  });

  it('report --json: the shift list and mCE per variant', async () => {
    const result = await runCli(['--db', db, 'report', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { shift: Json[]; variants: (Json & { variant: string; mce: number | null })[] };
    expect(report.shift).toHaveLength(reference.shift.length);
    for (const expected of reference.shift) {
      const row = report.shift.find((r) => r.eval_set === expected.eval_set && r.variant === expected.variant);
      if (!row) throw new Error(`no shift row for ${expected.eval_set} ${expected.variant}`);
      for (const key of ['corruption', 'severity', 'top1_mean', 'top1_std', 'relative_change', 'amplification', 'pvalue', 'pies']) {
        same(row[key], expected[key], `${expected.eval_set} ${expected.variant} ${key}`);
      }
    }
    for (const v of report.variants) same(v.mce, reference.mce[v.variant], `${v.variant} mce`);
  });

  it('export shift: the same table with each corruption error', async () => {
    const out = path.join(dir, 'shift.json');
    const result = await runCli(['--db', db, 'export', 'shift', '--format', 'json', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as Json[];
    expect(rows).toHaveLength(reference.shift.length);
    for (const expected of reference.shift) {
      const row = rows.find((r) => r.eval_set === expected.eval_set && r.variant === expected.variant);
      same(row?.ce, expected.ce, `${expected.eval_set} ${expected.variant} ce`);
      same(row?.amplification, expected.amplification, `${expected.eval_set} ${expected.variant} amplification`);
    }
  });

  it('report --json: Spearman of training count against class impact and against PIEs, per variant', async () => {
    const result = await runCli(['--db', db, 'report', '--json']);
    const report = JSON.parse(result.stdout) as { variants: { variant: string; longtail: Json | null }[] };
    for (const v of report.variants) {
      const expected = reference.longtail[v.variant];
      if (v.variant === 'dense') {
        expect(v.longtail).toBeNull();
        continue;
      }
      if (!expected || !v.longtail) throw new Error(`no long-tail figures for ${v.variant}`);
      for (const key of ['spearman_rho', 'spearman_p', 'pie_rho', 'pie_p'] as const) same(v.longtail[key], expected[key], `${v.variant} ${key}`);
    }
  });

  it('export class-impact and predictions carry train_count and eval_set', async () => {
    const ci = path.join(dir, 'ci.json');
    expect((await runCli(['--db', db, 'export', 'class-impact', '--format', 'json', '--out', ci])).code).toBe(0);
    const rows = JSON.parse(fs.readFileSync(ci, 'utf8')) as Json[];
    for (const r of rows) expect(r.train_count).toBe(reference.train_counts[Number(r.class)]);
    const pred = path.join(dir, 'pred.csv');
    expect((await runCli(['--db', db, 'export', 'predictions', '--format', 'csv', '--out', pred])).code).toBe(0);
    const table = csvRows(fs.readFileSync(pred));
    const counts = new Map<string, number>();
    for (const r of table) counts.set(r.eval_set ?? '', (counts.get(r.eval_set ?? '') ?? 0) + 1);
    expect(counts.get('clean')).toBe(15 * 200);
    expect(counts.get('rotate:3')).toBe(15 * 200);
    expect(counts.get('other')).toBe(15 * reference.other_labels.length);
    // The other dataset's rows carry its own true labels.
    const otherRow = table.find((r) => r.eval_set === 'other' && r.image_index === '3');
    expect(Number(otherRow?.true_label)).toBe(reference.other_labels[3]);
  });
});
