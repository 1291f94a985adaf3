/**
 * Compression-identified exemplars on the committed synthetic population, against the
 * pandas reference (test/fixtures/analysis/make_reference.py): distances, CIE flags at
 * two quantiles, and the report's CIE columns; bad quantiles (the migration: test/migrations/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';

type Json = Record<string, unknown>;
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'analysis');

interface Reference {
  images: Record<string, { cie_distance?: number[]; 'is_cie_0.9'?: boolean[]; 'is_cie_0.75'?: boolean[] }>;
  headline: Record<string, Record<string, { cies: number; dense_top1_on_cies: number; variant_top1_on_cies: number; pies_and_cies: number } | undefined>>;
}

const close = (actual: unknown, expected: number | undefined, what: string): void => {
  expect(typeof actual, what).toBe('number');
  expect(Math.abs((actual as number) - (expected ?? NaN)), `${what}: ${String(actual)} vs ${String(expected)}`).toBeLessThanOrEqual(1e-9);
};

describe('compression-identified exemplars against pandas', () => {
  const dir = tempDir();
  const db = path.join(dir, 'cie.db');
  const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference.json'), 'utf8')) as Reference;
  const variants = ['magnitude-0.5', 'magnitude-0.9', 'int8'];

  beforeAll(async () => {
    const result = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(FIXTURES, 'population.csv')]);
    expect(result.code, result.stderr).toBe(0);
  });

  for (const quantile of ['0.9', '0.75'] as const) {
    it(`exports cie_distance and is_cie at quantile ${quantile}`, async () => {
      const out = path.join(dir, `pies-${quantile}.json`);
      const args = ['--db', db, 'export', 'pies', '--format', 'json', '--out', out];
      const result = await runCli(quantile === '0.9' ? args : [...args, '--cie-quantile', quantile]);
      expect(result.code, result.stderr).toBe(0);
      const rows = JSON.parse(fs.readFileSync(out, 'utf8')) as Json[];
      expect(rows).toHaveLength(3 * 240);
      for (const row of rows) {
        const ref = reference.images[String(row.variant)];
        const i = Number(row.image_index);
        close(row.cie_distance, ref?.cie_distance?.[i], `${String(row.variant)} ${i} distance`);
        expect(row.is_cie === 1, `${String(row.variant)} ${i} is_cie`).toBe(ref?.[`is_cie_${quantile}`]?.[i]);
      }
    });

    it(`reports cies, both populations' top-1 on them and the overlap with PIEs at quantile ${quantile}`, async () => {
      const result = await runCli(['--db', db, 'report', '--json', '--cie-quantile', quantile]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { cie_quantile: number; variants: Json[] };
      expect(report.cie_quantile).toBe(Number(quantile));
      expect(report.variants[0]?.cies).toBeNull(); // dense
      for (const v of report.variants.slice(1)) {
        const ref = reference.headline[String(v.variant)]?.[`cie_${quantile}`];
        expect(v.cies, String(v.variant)).toBe(ref?.cies);
        expect(v.pies_and_cies, String(v.variant)).toBe(ref?.pies_and_cies);
        close(v.dense_top1_on_cies, ref?.dense_top1_on_cies, `${String(v.variant)} dense on CIEs`);
        close(v.variant_top1_on_cies, ref?.variant_top1_on_cies, `${String(v.variant)} variant on CIEs`);
      }
      expect(report.variants.map((v) => v.variant)).toEqual(['dense', ...variants]);
    });
  }

  it('refuses a quantile outside (0, 1) with one line naming the option, and changes nothing', async () => {
    const before = dbSnapshot(db);
    for (const bad of ['0', '1', 'ten']) {
      for (const args of [['report', '--json'], ['export', 'pies', '--format', 'csv', '--out', path.join(dir, 'never.csv')]]) {
        const result = await runCli(['--db', db, ...args, '--cie-quantile', bad]);
        expect(result.code, `${bad} ${args[0] ?? ''}`).toBe(1);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(new RegExp(`--cie-quantile must be a number between 0 and 1 \\(exclusive\\), not '${bad}'`));
      }
    }
    expect(fs.existsSync(path.join(dir, 'never.csv'))).toBe(false);
    expect(dbSnapshot(db)).toBe(before);
  });
});
