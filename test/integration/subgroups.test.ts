/**
 * Subgroups on the committed synthetic population: a dataset whose test split carries the
 * population's true labels, the committed attribute file, and `export subgroup-impact`
 * against the pandas/scipy/statsmodels reference (test/fixtures/subgroups/); bad
 * attribute files and options (the migration: test/migrations/).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, idxBuffer, syntheticImages, tempDir } from '../helpers/data.js';
import { ANALYSIS_FIXTURES, writeSyntheticDataset } from '../helpers/synthetic-dataset.js';

type Json = Record<string, unknown>;
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'subgroups');

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('subgroup impact against pandas, scipy and statsmodels', () => {
  const dir = tempDir();
  const db = path.join(dir, 'subgroups.db');
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as Json[];

  beforeAll(async () => {
    await ok(['--db', db, ...writeSyntheticDataset(dir)]);
    await ok(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ANALYSIS_FIXTURES, 'population.csv')]);
  });

  it('attaches the attribute file and exports every subgroup with at least two images, as computed independently', async () => {
    expect(await ok(['--db', db, 'datasets', 'attributes', '--dataset', 'synthetic', path.join(FIXTURES, 'attributes.csv')])).toMatch(
      /attached background \(3 values\), source \(2 values\), batch \(2 values\) to 240 images of synthetic/,
    );
    const out = path.join(dir, 'subgroups.json');
    await ok(['--db', db, 'export', 'subgroup-impact', '--format', 'json', '--out', out, '--positive-class', 'c3']);
    const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as Json[];
    expect(rows.map((r) => [r.variant, r.attribute, r.value, r.images])).toEqual(reference.map((r) => [r.variant, r.attribute, r.value, r.images]));
    rows.forEach((row, i) => {
      const ref = reference[i] ?? {};
      const what = `${String(row.variant)} ${String(row.attribute)}=${String(row.value)}`;
      expect(row.significant, what).toBe(ref.significant);
      for (const key of ['baseline_mean_accuracy', 'variant_mean_accuracy', 'statistic', 'pvalue', 'qvalue', 'pie_ratio', 'cie_ratio', 'fpr_change', 'fnr_change']) {
        if (ref[key] === null) expect(row[key], `${what} ${key}`).toBeNull();
        else expect(Math.abs(Number(row[key]) - Number(ref[key])), `${what} ${key}: ${String(row[key])} vs ${String(ref[key])}`).toBeLessThanOrEqual(1e-9);
      }
    });
    // Without --positive-class the CSV has exactly the contract's columns.
    const csv = path.join(dir, 'subgroups.csv');
    await ok(['--db', db, 'export', 'subgroup-impact', '--format', 'csv', '--out', csv]);
    expect(fs.readFileSync(csv, 'utf8').split('\n')[0]).toBe('variant,attribute,value,images,baseline_mean_accuracy,variant_mean_accuracy,statistic,pvalue,qvalue,significant,pie_ratio,cie_ratio');
  });

  it('refuses bad attribute files and a positive class the dataset lacks, with one line each, and changes nothing', async () => {
    const before = dbSnapshot(db);
    const cases: [string, string, RegExp][] = [
      ['unknown.csv', 'image_index,colour\n0,red\n240,blue\n', /unknown\.csv:3: image_index 240 is not an image of the test split of 'synthetic' \(240 images\)/],
      ['duplicate.csv', 'image_index,colour\n0,red\n1,blue\n0,green\n', /duplicate\.csv:4: image 0 already given on line 2/],
      ['empty-name.csv', 'image_index,colour,\n0,red,x\n', /empty-name\.csv:1: column 3 has an empty attribute name/],
      ['first-column.csv', 'index,colour\n0,red\n', /first-column\.csv:1: the first column must be image_index or image, not 'index'/],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const result = await runCli(['--db', db, 'datasets', 'attributes', '--dataset', 'synthetic', file]);
      expect(result.code, name).toBe(1);
      expect(result.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(result.stderr, name).toMatch(message);
    }
    const wrongClass = await runCli(['--db', db, 'export', 'subgroup-impact', '--format', 'csv', '--out', path.join(dir, 'never.csv'), '--positive-class', 'cat']);
    expect(wrongClass.code).toBe(1);
    expect(wrongClass.stderr).toMatch(/--positive-class 'cat' is not a class of the experiment's dataset \(classes: c0, c1,/);
    expect(fs.existsSync(path.join(dir, 'never.csv'))).toBe(false);
    expect(dbSnapshot(db)).toBe(before);
  });

  it('refuses a column with more than 1,000 distinct values', async () => {
    // 240 test images cannot hold 1,001 values: a 1,001-image dataset of its own.
    const big = tempDir();
    const bigDb = path.join(big, 'big.db');
    const images = path.join(big, 'images.gz');
    const labels = path.join(big, 'labels.gz');
    fs.writeFileSync(images, zlib.gzipSync(idxBuffer([1001, 4, 4], syntheticImages(1001, 4))));
    fs.writeFileSync(labels, zlib.gzipSync(idxBuffer([1001], new Uint8Array(1001).map((_, i) => i % 2))));
    await ok(['--db', bigDb, 'datasets', 'add', 'idx', '--name', 'big', '--images', images, '--labels', labels, '--split', 'test']);
    const file = path.join(big, 'ids.csv');
    fs.writeFileSync(file, `image_index,id\n${Array.from({ length: 1001 }, (_, i) => `${i},v${i}`).join('\n')}\n`);
    const before = dbSnapshot(bigDb);
    const result = await runCli(['--db', bigDb, 'datasets', 'attributes', '--dataset', 'big', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ids\.csv:1002: attribute 'id' has more than 1000 distinct values; it must be categorical/);
    expect(dbSnapshot(bigDb)).toBe(before);
  });

  it('replaces the attributes when a file is imported again', async () => {
    const file = path.join(dir, 'only-colour.csv');
    fs.writeFileSync(file, 'image_index,colour\n0,red\n1,red\n2,blue\n');
    await ok(['--db', db, 'datasets', 'attributes', '--dataset', 'synthetic', file]);
    const out = path.join(dir, 'after.json');
    await ok(['--db', db, 'export', 'subgroup-impact', '--format', 'json', '--out', out]);
    const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as Json[];
    expect([...new Set(rows.map((r) => `${String(r.attribute)}=${String(r.value)}`))]).toEqual(['colour=red']);
  });
});
