import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

type Json = Record<string, unknown>;

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'analysis');

interface Reference {
  images: Record<string, { modal: number[]; tie: boolean[]; agreement: number[]; mean_true_probability: number[]; is_pie: boolean[]; self_confidence: number[]; normalized_margin: number[] }>;
  classes: Record<string, { statistic: number[]; pvalue: number[]; qvalue: number[]; baseline_mean_recall: number[]; variant_mean_recall: number[]; relative_recall_loss: number[]; significant: boolean[] }>;
  headline: Record<string, Json>;
}

async function exportJson(db: string, table: string, dir: string): Promise<Json[]> {
  const out = path.join(dir, `${table}-${Math.random().toString(36).slice(2)}.json`);
  const result = await runCli(['--db', db, 'export', table, '--format', 'json', '--out', out]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as Json[];
}

const TOLERANCE = 1e-9;
function close(actual: unknown, expected: number, what: string): void {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - expected), `${what}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE);
}

describe('analysis of an imported population against pandas, scipy and statsmodels', () => {
  const dir = tempDir();
  const db = path.join(dir, 'analysis.db');
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as Reference;

  beforeAll(async () => {
    const result = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(FIXTURES, 'population.csv')]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('flags the same PIEs with the same modal labels, ties and agreement', async () => {
    const rows = await exportJson(db, 'pies', dir);
    const variants = Object.keys(reference.images).filter((v) => v !== 'dense');
    expect(rows).toHaveLength(variants.length * 240);
    for (const row of rows) {
      const variant = String(row.variant);
      const i = Number(row.image_index);
      const ref = reference.images[variant];
      const dense = reference.images.dense;
      if (!ref || !dense) throw new Error(`unexpected variant ${variant}`);
      expect(row.variant_modal_label, `${variant} ${i}`).toBe(ref.modal[i]);
      expect(row.baseline_modal_label).toBe(dense.modal[i]);
      expect(row.is_pie === 1, `${variant} ${i} is_pie`).toBe(ref.is_pie[i]);
      expect(row.variant_tie === 1).toBe(ref.tie[i]);
      expect(row.baseline_tie === 1).toBe(dense.tie[i]);
      expect(row.tie === 1).toBe(Boolean(ref.tie[i]) || Boolean(dense.tie[i]));
      close(row.variant_agreement, ref.agreement[i] ?? NaN, `${variant} ${i} agreement`);
      close(row.baseline_agreement, dense.agreement[i] ?? NaN, `dense ${i} agreement`);
      close(row.variant_mean_true_probability, ref.mean_true_probability[i] ?? NaN, `${variant} ${i} mean true p`);
      close(row.variant_self_confidence, ref.self_confidence[i] ?? NaN, `${variant} ${i} self-confidence`);
      close(row.baseline_self_confidence, dense.self_confidence[i] ?? NaN, `dense ${i} self-confidence`);
      close(row.variant_normalized_margin, ref.normalized_margin[i] ?? NaN, `${variant} ${i} normalized margin`);
      close(row.baseline_normalized_margin, dense.normalized_margin[i] ?? NaN, `dense ${i} normalized margin`);
      expect(row.variant_number_observ).toBe(5);
    }
  });

  it('computes the same class impact: Welch t, p and Benjamini-Hochberg q', async () => {
    const rows = await exportJson(db, 'class-impact', dir);
    expect(rows).toHaveLength(3 * 10);
    for (const row of rows) {
      const ref = reference.classes[String(row.variant)];
      if (!ref) throw new Error(`unexpected variant ${String(row.variant)}`);
      const c = Number(row.class);
      const what = `${String(row.variant)} class ${c}`;
      close(row.statistic_recall_norm, ref.statistic[c] ?? NaN, `${what} t`);
      close(row.pvalue_recall_norm, ref.pvalue[c] ?? NaN, `${what} p`);
      close(row.qvalue, ref.qvalue[c] ?? NaN, `${what} q`);
      close(row.baseline_mean_recall, ref.baseline_mean_recall[c] ?? NaN, `${what} baseline recall`);
      close(row.variant_mean_recall, ref.variant_mean_recall[c] ?? NaN, `${what} variant recall`);
      close(row.relative_recall_loss, ref.relative_recall_loss[c] ?? NaN, `${what} relative recall loss`);
      // the same sign as t: positive when the class lost more than top-1 did
      if (Number(row.relative_recall_loss) !== 0) expect(Math.sign(Number(row.relative_recall_loss)), what).toBe(Math.sign(Number(row.statistic_recall_norm)));
      expect(row.significant === 1, what).toBe(ref.significant[c]);
      expect(row.class_name).toBe(String(c)); // labels-only import: classes are numbers
    }
  });

  it('reports the same headline table', async () => {
    const result = await runCli(['--db', db, 'report', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { variants: Json[] };
    expect(report.variants.map((v) => v.variant)).toEqual(['dense', 'magnitude-0.5', 'magnitude-0.9', 'int8']);
    for (const v of report.variants) {
      const ref = reference.headline[String(v.variant)] ?? {};
      for (const [key, value] of Object.entries(ref)) {
        if (key.startsWith('cie_')) continue; // CIEs at two quantiles: test/integration/cie.test.ts
        // most_hurt: classes by name; a labels-only import names them by number
        if (key === 'most_hurt') expect(v.most_hurt, `${String(v.variant)} most_hurt`).toEqual((value as number[]).map(String));
        else if (typeof value === 'number' && !Number.isInteger(value)) close(v[key], value, `${String(v.variant)} ${key}`);
        else expect(v[key], `${String(v.variant)} ${key}`).toBe(value);
      }
    }
    const table = await runCli(['--db', db, 'report']);
    expect(table.stdout).toMatch(/^magnitude-0\.9\s+5\s+/m);
  });
});

/**
 * A plain, row-by-row recomputation from the exported long-format predictions: the
 * way the reference code does it, independent of the typed-array implementation.
 */
function recompute(predictions: Json[]): Map<string, { modal: number; tie: boolean }> {
  const votes = new Map<string, Map<number, number>>();
  for (const p of predictions) {
    const key = `${String(p.variant)}/${String(p.image_index)}`;
    const counts = votes.get(key) ?? new Map<number, number>();
    counts.set(Number(p.predicted_label), (counts.get(Number(p.predicted_label)) ?? 0) + 1);
    votes.set(key, counts);
  }
  const modal = new Map<string, { modal: number; tie: boolean }>();
  for (const [key, counts] of votes) {
    const max = Math.max(...counts.values());
    const tied = [...counts.entries()].filter(([, n]) => n === max).map(([label]) => label);
    modal.set(key, { modal: Math.max(...tied), tie: tied.length > 1 });
  }
  return modal;
}

describe('analysis of a trained smoke population (any backend: checked against its own exported predictions)', () => {
  it('agrees with a row-by-row recomputation from the exported predictions, and is stored until predictions change', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'toy');
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 400, 150);
    const db = path.join(dir, 'smoke.db');
    const computedAt = (): string => {
      const handle = new Database(db, { readonly: true });
      try {
        return handle.prepare('SELECT computed_at FROM analysis_runs').pluck().get() as string;
      } finally {
        handle.close();
      }
    };
    expect((await runCli(['--db', db, 'datasets', 'add', 'mnist', '--name', 'toy', '--from', source])).code).toBe(0);
    // The run dies inside its last model's commit (a test-only stop point), is reported on
    // as it stands, then finished by the real `train --resume`, which writes that model.
    const flags = ['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '3', '--epochs', '1', '--quantize', 'int8'];
    const killed = await runCli(flags, { PIE_AUDIT_TEST_STOP_AT: 'train-commit:9' });
    expect(killed.code, killed.stderr).toBeNull(); // killed by its signal
    const partial = await runCli(['--db', db, 'report', '--json']);
    expect(partial.code, partial.stderr).toBe(0);
    const partialAt = computedAt();
    const resumed = await runCli(['--db', db, 'train', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const predictions = await exportJson(db, 'predictions', dir);
    expect(predictions).toHaveLength(9 * 150);
    const expected = recompute(predictions);
    const pies = await exportJson(db, 'pies', dir);
    expect(pies).toHaveLength(2 * 150);
    for (const row of pies) {
      const mine = expected.get(`${String(row.variant)}/${String(row.image_index)}`);
      const dense = expected.get(`dense/${String(row.image_index)}`);
      expect(row.variant_modal_label).toBe(mine?.modal);
      expect(row.baseline_modal_label).toBe(dense?.modal);
      expect(row.is_pie).toBe(mine?.modal === dense?.modal ? 0 : 1);
      expect(row.variant_tie).toBe(mine?.tie ? 1 : 0);
    }
    const first = await runCli(['--db', db, 'report', '--json']);
    const stamp = computedAt();
    const again = await runCli(['--db', db, 'report', '--json']);
    expect(again.stdout).toBe(first.stdout);
    expect(computedAt()).toBe(stamp); // not recomputed: nothing changed
    expect(stamp).not.toBe(partialAt); // the model the resume wrote made the earlier analysis stale
  });
});
