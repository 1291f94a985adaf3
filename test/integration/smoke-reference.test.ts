import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { FASHION_MNIST_DIR, requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';

/**
 * A real smoke run (Fashion-MNIST, WASM backend, fixed seed) against values computed
 * independently with pandas (mode().max()), scipy (Welch's ttest_ind) and statsmodels
 * (fdrcorrection) by test/fixtures/smoke/make_reference.py from the same run's
 * predictions. The reference is committed; Python is not needed to run this test.
 */

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'smoke');
const REGENERATE = 'test/fixtures/smoke/make_reference.py';

type Cell = number | string | null;
type CsvRow = Record<string, string>;

interface ReferenceVariant {
  variant: string;
  pruning_fraction: number;
  pies: number;
  classes_p05: number;
  classes_q05: number;
  image_columns: string[];
  images: number[][];
  class_columns: string[];
  classes: Cell[][];
}

interface Reference {
  train_args: string[];
  made_with: { machine: string };
  predictions: { rows: number; sha256: string };
  models: { variant: string; seed: number; top1: number }[];
  variants: ReferenceVariant[];
}

const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as Reference;

/** Reference rows as objects keyed by their column names. */
function named<T extends Cell>(columns: string[], rows: T[][]): Record<string, T>[] {
  return rows.map((row) => {
    expect(row).toHaveLength(columns.length);
    return Object.fromEntries(columns.map((c, k) => [c, row[k] as T]));
  });
}

function readCsv(file: string): CsvRow[] {
  return csvRows<CsvRow>(fs.readFileSync(file));
}

/**
 * The fingerprint make_reference.py writes: 'variant,seed,image_index,true_label,predicted_label'
 * lines sorted by variant, seed and image index; no database ids, times or probabilities.
 */
function fingerprint(predictions: CsvRow[]): { rows: number; sha256: string } {
  const keyed = predictions.map((p) => ({ variant: String(p.variant), seed: Number(p.seed), image: Number(p.image_index), line: `${String(p.variant)},${Number(p.seed)},${Number(p.image_index)},${Number(p.true_label)},${Number(p.predicted_label)}\n` }));
  keyed.sort((a, b) => (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.seed - b.seed || a.image - b.image));
  const hash = crypto.createHash('sha256');
  for (const k of keyed) hash.update(k.line, 'utf8');
  return { rows: keyed.length, sha256: hash.digest('hex') };
}

/** An integer cell, exactly (an empty cell is not 0). */
function integer(cell: string | undefined, what: string): number {
  expect(cell, what).toMatch(/^-?\d+$/);
  return Number(cell);
}

/**
 * Statistics to 1e-9: absolute for values up to 1 in size (agreement, recall, p, q),
 * relative beyond (a t statistic). An undefined statistic (null in the reference) must
 * be an empty cell.
 */
const TOLERANCE = 1e-9;
function close(cell: string | undefined, expected: Cell, what: string): void {
  if (expected === null) {
    expect(cell, `${what}: undefined in the reference`).toBe('');
    return;
  }
  expect(typeof expected, what).toBe('number');
  expect(cell, what).toMatch(/^-?\d/);
  const actual = Number(cell);
  const e = expected as number;
  expect(Math.abs(actual - e), `${what}: ${String(cell)} vs ${e}`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(e)));
}

describe.runIf(runsOnFashionMnist)('a smoke run on Fashion-MNIST (WASM backend, as the reference was made) against pandas, scipy and statsmodels', () => {
  const dir = tempDir();
  const db = path.join(dir, 'smoke.db');
  const out = (name: string): string => path.join(dir, name);
  let run: { rows: number; sha256: string } | undefined;

  async function exportCsv(table: string): Promise<CsvRow[]> {
    const file = out(`${table}.csv`);
    const result = await runCli(['--db', db, 'export', table, '--format', 'csv', '--out', file]);
    expect(result.code, result.stderr).toBe(0);
    return readCsv(file);
  }

  /** Comparing a different run's analysis with this reference would only produce noise. */
  function requireSameRun(): void {
    if (run?.sha256 === reference.predictions.sha256 && run.rows === reference.predictions.rows) return;
    throw new Error(
      `the smoke run's predictions changed: \`pie-audit train ${reference.train_args.join(' ')}\` now gives ` +
        `${run?.rows ?? '?'} predictions with sha256 ${run?.sha256 ?? '?'}, the reference was computed from ${reference.predictions.rows} ` +
        `with sha256 ${reference.predictions.sha256} (on ${reference.made_with.machine}; this machine: ${process.arch}). ` +
        `Training, the dataset import or the predictions export now produces other predictions. If that is intended, ` +
        `regenerate the reference with the commands at the top of ${REGENERATE} (train, export predictions --format csv, ` +
        `then /usr/bin/python3 ${REGENERATE} predictions.csv) and commit the new test/fixtures/smoke/reference.json.`,
    );
  }

  beforeAll(async () => {
    requireFashionMnist();
    const add = await runCli(['--db', db, 'datasets', 'add', 'fashion-mnist', '--from', FASHION_MNIST_DIR]);
    expect(add.code, add.stderr).toBe(0);
    const train = await runCli(['--db', db, 'train', ...reference.train_args]);
    expect(train.code, train.stderr).toBe(0);
    run = fingerprint(await exportCsv('predictions'));
  }, 600_000);

  // a 60 MB database per run: not left behind
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains exactly the predictions the reference was computed from', () => {
    requireSameRun();
  });

  it('exports the same PIEs: modal labels, votes, ties and PIE flags exactly, agreement to 1e-9', async () => {
    requireSameRun();
    const rows = await exportCsv('pies');
    expect(rows).toHaveLength(reference.variants.length * 10_000);
    expect([...new Set(rows.map((r) => r.variant))]).toEqual(reference.variants.map((v) => v.variant));
    for (const variant of reference.variants) {
      const mine = new Map(rows.filter((r) => r.variant === variant.variant).map((r) => [integer(r.image_index, 'image_index'), r]));
      const expected = named(variant.image_columns, variant.images);
      expect(mine.size).toBe(expected.length);
      let pies = 0;
      for (const ref of expected) {
        const i = ref.image_index as number;
        const row = mine.get(i);
        const what = `${variant.variant} image ${i}`;
        if (!row) throw new Error(`${what}: missing from the pies export`);
        expect(Number(row.pruning_fraction), what).toBe(variant.pruning_fraction);
        for (const column of ['true_class_label', 'variant_modal_label', 'variant_number_observ', 'baseline_modal_label', 'baseline_number_observ', 'variant_tie', 'baseline_tie', 'tie', 'is_pie']) {
          expect(integer(row[column], `${what} ${column}`), `${what} ${column}`).toBe(ref[column]);
        }
        for (const side of ['variant', 'baseline']) {
          close(row[`${side}_agreement`], ref[`${side}_agreement`] ?? NaN, `${what} ${side}_agreement`);
          // votes for the modal label = agreement x observations, an integer
          const votes = Number(row[`${side}_agreement`]) * integer(row[`${side}_number_observ`], what);
          expect(Math.abs(votes - (ref[`${side}_votes`] ?? NaN)), `${what} ${side} votes`).toBeLessThanOrEqual(1e-9);
        }
        pies += ref.is_pie ?? 0;
      }
      expect(pies).toBe(variant.pies);
    }
  });

  it('exports the same class impact: Welch t, p and Benjamini-Hochberg q to 1e-9, significance exactly', async () => {
    requireSameRun();
    const rows = await exportCsv('class-impact');
    expect(rows).toHaveLength(reference.variants.reduce((n, v) => n + v.classes.length, 0));
    for (const variant of reference.variants) {
      const mine = new Map(rows.filter((r) => r.variant === variant.variant).map((r) => [integer(r.class, 'class'), r]));
      const expected = named(variant.class_columns, variant.classes);
      expect(mine.size).toBe(expected.length);
      for (const ref of expected) {
        const c = ref.class as number;
        const row = mine.get(c);
        const what = `${variant.variant} class ${c}`;
        if (!row) throw new Error(`${what}: missing from the class-impact export`);
        expect(Number(row.pruning_fraction), what).toBe(variant.pruning_fraction);
        expect(row.class_name, what).toBe(ref.class_name);
        for (const column of ['baseline_mean_recall', 'variant_mean_recall', 'statistic_recall_norm', 'pvalue_recall_norm', 'qvalue']) {
          close(row[column], ref[column] ?? null, `${what} ${column}`);
        }
        expect(integer(row.significant, `${what} significant`), `${what} significant`).toBe(ref.significant);
      }
    }
  });

  it('reports the same counts and model top-1', async () => {
    requireSameRun();
    const result = await runCli(['--db', db, 'report', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { variants: { variant: string; pies: number | null; classes_p05: number | null; classes_q05: number | null }[] };
    for (const variant of reference.variants) {
      const v = report.variants.find((x) => x.variant === variant.variant);
      expect(v, variant.variant).toBeDefined();
      expect({ pies: v?.pies, classes_p05: v?.classes_p05, classes_q05: v?.classes_q05 }).toEqual({ pies: variant.pies, classes_p05: variant.classes_p05, classes_q05: variant.classes_q05 });
    }
    const models = await exportCsv('models');
    expect(models).toHaveLength(reference.models.length);
    for (const ref of reference.models) {
      const row = models.find((m) => m.variant === ref.variant && Number(m.seed) === ref.seed);
      expect(row, `${ref.variant} seed ${ref.seed}`).toBeDefined();
      expect(row?.backend).toBe('wasm');
      close(row?.top1, ref.top1, `${ref.variant} seed ${ref.seed} top1`);
    }
  });
});
