import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';
import { generateLabels, type GeneratedLabel } from '../helpers/study-labels.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const POPULATION = path.join(FIXTURES, 'analysis', 'population.csv');

interface Item {
  position: number;
  imageIndex: number;
  trueLabel: number;
  isPie: boolean;
}

function studyItems(db: string): Item[] {
  const handle = new Database(db, { readonly: true });
  try {
    return (
      handle
        .prepare('SELECT si.position, si.image_index, ei.true_label, si.is_pie FROM study_items si JOIN experiment_images ei ON ei.image_index = si.image_index ORDER BY si.position')
        .all() as { position: number; image_index: number; true_label: number; is_pie: number }[]
    ).map((r) => ({ position: r.position, imageIndex: r.image_index, trueLabel: r.true_label, isPie: r.is_pie === 1 }));
  } finally {
    handle.close();
  }
}

function fingerprint(db: string): string {
  const handle = new Database(db, { readonly: true });
  try {
    return (JSON.parse(handle.prepare('SELECT design FROM studies').pluck().get() as string) as { fingerprint: string }).fingerprint;
  } finally {
    handle.close();
  }
}

function writeLabelFile(file: string, labels: GeneratedLabel[], study: { id: number; fingerprint: string; dataset: string }): void {
  const rows = labels.map((l, i) => [study.id, l.annotator, study.dataset, l.imageIndex, l.trueLabel, '', l.categories.join(';') || 'none', l.note, new Date(Date.UTC(2026, 10, 27, 10, 0, i)).toISOString(), study.fingerprint]);
  fs.writeFileSync(file, stringify([['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint'], ...rows]));
}

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('a blind study with three annotators on two machines', () => {
  const dir = tempDir();
  const dbA = path.join(dir, 'lab.db');
  const dbB = path.join(dir, 'laptop.db');
  const create = ['study', 'create', '--name', 'pilot', '--pies', '30', '--controls', '30', '--variant', '0.9', '--seed', '7'];
  let items: Item[] = [];
  let labels: GeneratedLabel[] = [];

  beforeAll(async () => {
    for (const db of [dbA, dbB]) {
      await ok(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', POPULATION]);
      await ok(['--db', db, ...create]);
    }
    items = studyItems(dbA);
    labels = generateLabels(items, ['ann-1', 'ann-2', 'ann-3']).filter((l) => l.annotator !== 'ann-3' || items.findIndex((i) => i.imageIndex === l.imageIndex) < 45);
  });

  it('draws the same blind study on both machines, balanced by class, without the PIE flag in its items', async () => {
    expect(fingerprint(dbB)).toBe(fingerprint(dbA));
    expect(items).toHaveLength(60);
    expect(items.filter((i) => i.isPie)).toHaveLength(30);
    const pieClasses = items.filter((i) => i.isPie).map((i) => i.trueLabel).sort();
    const controlClasses = items.filter((i) => !i.isPie).map((i) => i.trueLabel).sort();
    expect(controlClasses).toEqual(pieClasses); // stratified: every PIE class matched
    // The flags match the PIEs the Python reference recomputed from the population.
    const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'study', 'reference.json'), 'utf8')) as { pie_images: number[]; control_images: number[] };
    expect(items.filter((i) => i.isPie).map((i) => i.imageIndex).sort((a, b) => a - b)).toEqual(reference.pie_images);
    expect(items.filter((i) => !i.isPie).map((i) => i.imageIndex).sort((a, b) => a - b)).toEqual(reference.control_images);
    // Shuffled: the number of runs of PIEs and controls (Wald-Wolfowitz) lies within
    // 3.29 standard deviations of its mean for a random order of 30 and 30 (mean 31,
    // sd 3.8): the drawn order (2 runs) and an alternating order (60 runs) both fail.
    const runs = items.filter((item, i) => i === 0 || item.isPie !== items[i - 1]?.isPie).length;
    const [n1, n2] = [30, 30];
    const mean = (2 * n1 * n2) / (n1 + n2) + 1;
    const sd = Math.sqrt(((mean - 1) * (mean - 2)) / (n1 + n2 - 1));
    expect(Math.abs(runs - mean) / sd, `${runs} runs`).toBeLessThan(3.29);
    const out = path.join(dir, 'items.csv');
    await ok(['--db', dbA, 'study', 'items', '--format', 'csv', '--out', out]);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('study_id,position,dataset,image_index,true_label,true_class_name');
    expect(text).not.toMatch(/is_pie|true\b|false\b/);
  });

  it('merges an annotator exported from the other machine, idempotently, and refuses a different study', async () => {
    const study = { id: 1, fingerprint: fingerprint(dbA), dataset: 'synthetic' };
    const fileA = path.join(dir, 'ann-1-2.csv');
    writeLabelFile(fileA, labels.filter((l) => l.annotator !== 'ann-3'), study);
    expect(await ok(['--db', dbA, 'study', 'import-labels', fileA])).toMatch(/120 labels read from 1 files: 120 new/);
    const fileB = path.join(dir, 'ann-3-local.csv');
    writeLabelFile(fileB, labels.filter((l) => l.annotator === 'ann-3'), study);
    await ok(['--db', dbB, 'study', 'import-labels', fileB]);
    const exported = path.join(dir, 'ann-3-export.csv');
    await ok(['--db', dbB, 'export', 'study', '--format', 'csv', '--out', exported]);
    expect(fs.readFileSync(exported, 'utf8').split('\n')[0]).toBe('study_id,annotator,dataset,image_index,true_label,is_pie,categories,note,labeled_at,study_fingerprint,true_class_name');
    expect(await ok(['--db', dbA, 'study', 'import-labels', exported])).toMatch(/45 new/);
    const before = dbSnapshot(dbA);
    expect(await ok(['--db', dbA, 'study', 'import-labels', exported])).toMatch(/0 new, 0 updated, 45 unchanged/);
    expect(dbSnapshot(dbA)).toBe(before);
    // Another study (other seed): refused, nothing changed.
    const other = path.join(dir, 'other.csv');
    writeLabelFile(other, labels.slice(0, 3), { ...study, fingerprint: 'f'.repeat(64) });
    const refused = await runCli(['--db', dbA, 'study', 'import-labels', other]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/other\.csv:2: no matching study here/);
    const wrongDataset = path.join(dir, 'wrong-dataset.csv');
    writeLabelFile(wrongDataset, labels.slice(0, 3), { ...study, dataset: 'cifar10' });
    const refused2 = await runCli(['--db', dbA, 'study', 'import-labels', wrongDataset]);
    expect(refused2.stderr).toMatch(/dataset 'cifar10' differs from the study's 'synthetic'/);
    expect(dbSnapshot(dbA)).toBe(before);
  });

  it('reports shares, Wilson intervals, Fisher p, kappa, alpha, AC1 and pairwise kappa as computed independently', async () => {
    const report = JSON.parse(await ok(['--db', dbA, 'study', 'report', '--json'])) as Record<string, unknown>;
    const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'study', 'reference.json'), 'utf8')) as Record<string, unknown>;
    expect(report.annotators).toEqual(['ann-1', 'ann-2', 'ann-3']);
    expect(report.n_pies).toBe(30);
    const close = (a: unknown, b: unknown, what: string): void => {
      if (b === null) expect(a, what).toBeNull();
      else expect(Math.abs(Number(a) - Number(b)), `${what}: ${String(a)} vs ${String(b)}`).toBeLessThanOrEqual(1e-9);
    };
    const categories = report.categories as Record<string, unknown>[];
    const expected = reference.categories as Record<string, unknown>[];
    expect(categories.map((c) => c.name)).toEqual(expected.map((c) => c.name));
    categories.forEach((c, i) => {
      const e = expected[i] ?? {};
      for (const key of ['pie_count', 'control_count']) expect(c[key], `${String(c.name)} ${key}`).toBe(e[key]);
      for (const key of ['pie_share', 'control_share', 'ratio', 'fisher_p', 'fleiss_kappa', 'krippendorff_alpha', 'gwet_ac1']) close(c[key], e[key], `${String(c.name)} ${key}`);
      for (const key of ['pie_ci', 'control_ci']) {
        close((c[key] as number[])[0], (e[key] as number[])[0], `${String(c.name)} ${key} low`);
        close((c[key] as number[])[1], (e[key] as number[])[1], `${String(c.name)} ${key} high`);
      }
    });
    close((report.overall as { krippendorff_alpha: number }).krippendorff_alpha, (reference.overall as { krippendorff_alpha: number }).krippendorff_alpha, 'overall alpha');
    const pairs = report.pairwise_kappa as Record<string, unknown>[];
    const expectedPairs = reference.pairwise_kappa as Record<string, unknown>[];
    expect(pairs.map((p) => [p.a, p.b, p.category, p.n])).toEqual(expectedPairs.map((p) => [p.a, p.b, p.category, p.n]));
    pairs.forEach((p, i) => close(p.kappa, expectedPairs[i]?.kappa, `kappa ${String(p.a)}-${String(p.b)} ${String(p.category)}`));
    // blind: no PIE flag anywhere in the report or the export
    expect(JSON.stringify(report)).not.toMatch(/is_pie/);
  });

  it('exports is_pie only after unblinding', async () => {
    const blind = path.join(dir, 'blind.json');
    await ok(['--db', dbA, 'export', 'study', '--format', 'json', '--out', blind]);
    expect((JSON.parse(fs.readFileSync(blind, 'utf8')) as { is_pie: unknown }[]).every((r) => r.is_pie === null)).toBe(true);
    await ok(['--db', dbA, 'study', 'unblind']);
    const open = path.join(dir, 'unblinded.csv');
    await ok(['--db', dbA, 'export', 'study', '--format', 'csv', '--out', open]);
    const rows = fs.readFileSync(open, 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(165);
    // The reference values were computed from this file (written by test/fixtures/study/make-labels.ts,
    // then read by make_reference.py); the test never rewrites it.
    expect(fs.readFileSync(open, 'utf8')).toBe(fs.readFileSync(path.join(FIXTURES, 'study', 'labels-unblinded.csv'), 'utf8'));
    expect(rows.every((r) => /^1,ann-\d,synthetic,\d+,\d+,[01],/.test(r))).toBe(true);
  });
});
