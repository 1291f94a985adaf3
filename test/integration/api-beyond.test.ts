/**
 * Beyond PIEs over the real HTTP API on a real SQLite file: CIE columns of the grid,
 * the subgroup section and the comparison of two populations and of two models, each
 * against the committed pandas references.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src-main/core/api/contract.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import { ANALYSIS_FIXTURES, writeSyntheticDataset } from '../helpers/synthetic-dataset.js';

type Json = Record<string, unknown>;
const fixture = (...parts: string[]): Json => JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', ...parts), 'utf8')) as Json;
const near = (a: unknown, b: unknown, what: string): void => {
  if (b === null) expect(a, what).toBeNull();
  else expect(Math.abs(Number(a) - Number(b)), `${what}: ${String(a)} vs ${String(b)}`).toBeLessThanOrEqual(1e-9);
};

describe('CIEs, subgroups and comparison over the HTTP API', () => {
  const dir = tempDir();
  const file = path.join(dir, 'beyond.db');
  let db: Db;
  let server: RunningServer;
  const { call, value, get } = apiClient(() => server);

  beforeAll(async () => {
    for (const args of [
      writeSyntheticDataset(dir),
      ['import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ANALYSIS_FIXTURES, 'population.csv')],
      ['datasets', 'attributes', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'subgroups', 'attributes.csv')],
    ]) {
      const result = await runCli(['--db', file, ...args]);
      expect(result.code, result.stderr).toBe(0);
    }
    db = openDatabase(file);
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
  });
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('gives the grid each image’s CIE distance and flag', async () => {
    const images = fixture('analysis', 'reference.json').images as Record<string, { cie_distance: number[]; 'is_cie_0.9': boolean[] }>;
    const columns = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId: 1, variant: 'magnitude-0.5' });
    const ref = images['magnitude-0.5'];
    columns.imageIndex.forEach((index, i) => {
      expect(Math.abs((columns.cieDistance[i] ?? NaN) - (ref?.cie_distance[index] ?? NaN))).toBeLessThanOrEqual(5e-5); // rounded to 4 places for the grid
      expect(columns.isCie[i] === 1, `image ${index}`).toBe(ref?.['is_cie_0.9'][index]);
    });
    expect(columns.cies).toBe(ref?.['is_cie_0.9'].filter(Boolean).length);
  });

  it('answers the subgroup section as the export, camelCased', async () => {
    const reference = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'subgroups', 'reference.json'), 'utf8')) as Json[];
    const section = await value<ApiResponse<'subgroups.impact'>>('subgroups.impact', { experimentId: 1, positiveClass: 'c3' });
    expect(section.attributes).toBe(3);
    expect(section.rows).toHaveLength(reference.length);
    section.rows.forEach((row, i) => {
      const ref = reference[i] ?? {};
      expect([row.variant, row.attribute, row.value, row.images, row.significant]).toEqual([ref.variant, ref.attribute, ref.value, ref.images, ref.significant === 1]);
      near(row.statistic, ref.statistic, 'statistic');
      near(row.qvalue, ref.qvalue, 'qvalue');
      near(row.pieRatio, ref.pie_ratio, 'pie ratio');
      near(row.cieRatio, ref.cie_ratio, 'cie ratio');
      near(row.fprChange, ref.fpr_change, 'fpr change');
      near(row.fnrChange, ref.fnr_change, 'fnr change');
    });
    const refused = await call('subgroups.impact', { experimentId: 1, positiveClass: 'dog' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/--positive-class 'dog' is not a class of the experiment's dataset/);
  });

  it('recomputes CIEs at another quantile for the grid, the report and the subgroups', async () => {
    const reference = fixture('analysis', 'reference.json') as { images: Record<string, Record<string, boolean[]>>; headline: Record<string, Record<string, Json>> };
    // magnitude-0.5: 116 CIEs at 0.75 against 43 at 0.9
    const columns = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId: 1, variant: 'magnitude-0.5', cieQuantile: 0.75 });
    const flags = reference.images['magnitude-0.5']?.['is_cie_0.75'] ?? [];
    expect(columns.cieQuantile).toBe(0.75);
    columns.imageIndex.forEach((index, i) => expect(columns.isCie[i] === 1, `image ${index}`).toBe(flags[index]));
    expect(columns.cies).toBe(flags.filter(Boolean).length);
    expect(columns.cies).not.toBe(reference.images['magnitude-0.5']?.['is_cie_0.9']?.filter(Boolean).length);
    const report = await value<ApiResponse<'report.get'>>('report.get', { experimentId: 1, cieQuantile: 0.75 });
    expect(report.cie_quantile).toBe(0.75);
    for (const v of report.variants.filter((x) => x.variant !== 'dense')) {
      const ref = reference.headline[v.variant]?.['cie_0.75'] ?? {};
      expect([v.cies, v.pies_and_cies], v.variant).toEqual([ref.cies, ref.pies_and_cies]);
    }
    // cie_ratio at 0.75: (share of the subgroup among the CIEs) / (its share of the test set), from the reference's flags and the attribute file
    const attributes = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'subgroups', 'attributes.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const section = await value<ApiResponse<'subgroups.impact'>>('subgroups.impact', { experimentId: 1, cieQuantile: 0.75 });
    const row = section.rows.find((r) => r.variant === 'magnitude-0.5' && r.attribute === 'background' && r.value === 'dark');
    const dark = new Set(attributes.filter((r) => r[1] === 'dark').map((r) => Number(r[0])));
    const cies = flags.flatMap((f, i) => (f ? [i] : []));
    near(row?.cieRatio, cies.filter((i) => dark.has(i)).length / cies.length / (dark.size / 240), 'cie ratio of background=dark at 0.75');
    for (const q of [0, 1, 1.5, -0.2]) {
      const refused = await call('pies.list', { experimentId: 1, cieQuantile: q });
      expect(refused.status, String(q)).toBe(400);
      expect(JSON.stringify(refused.json)).toMatch(/pies\.list: invalid cieQuantile: must be between 0 and 1 \(exclusive\)/);
    }
  });

  it('gives the grid each image’s attributes, as the attribute file has them', async () => {
    const lines = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'subgroups', 'attributes.csv'), 'utf8').trim().split('\n');
    const names = (lines[0] ?? '').split(',').slice(1);
    const byImage = new Map(lines.slice(1).map((line) => line.split(',')).map(([index, ...values]) => [Number(index), values]));
    const columns = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId: 1, variant: 'magnitude-0.5' });
    expect(columns.attributes.map((a) => a.name)).toEqual([...names].sort());
    for (const a of columns.attributes) {
      const k = names.indexOf(a.name);
      columns.imageIndex.forEach((index, i) => {
        const code = a.codes[i] ?? -1;
        expect(code === -1 ? '' : a.values[code], `${a.name} of image ${index}`).toBe(byImage.get(index)?.[k] ?? '');
      });
    }
  });

  it('downloads subgroup-impact and shift exactly as the CLI exports them', async () => {
    for (const [table, extra, cli] of [
      ['subgroup-impact', '&cieQuantile=0.75&positiveClass=c3', ['--positive-class', 'c3', '--cie-quantile', '0.75']],
      ['subgroup-impact', '', []],
      ['shift', '', []],
    ] as const) {
      const offer = await value<ApiResponse<'export.file'>>('export.file', {
        experimentId: 1,
        table,
        format: 'csv',
        ...(extra === '' ? {} : { positiveClass: 'c3', cieQuantile: 0.75 }),
      });
      expect(offer).toMatchObject({ outcome: 'download', url: `/download/export?table=${table}&format=csv&experimentId=1${extra}` });
      if (offer.outcome !== 'download') continue;
      const response = await get(offer.url);
      expect(response.status).toBe(200);
      const out = path.join(dir, `${table}-cli.csv`);
      const result = await runCli(['--db', file, 'export', table, '--format', 'csv', '--out', out, '--experiment', '1', ...cli]);
      expect(result.code, result.stderr).toBe(0);
      const downloaded = await response.text();
      expect(downloaded, table).toBe(fs.readFileSync(out, 'utf8'));
      if (table === 'subgroup-impact') expect(downloaded.split('\n')[0]).toBe(`variant,attribute,value,images,baseline_mean_accuracy,variant_mean_accuracy,statistic,pvalue,qvalue,significant,pie_ratio,cie_ratio${extra === '' ? '' : ',fpr_change,fnr_change'}`);
    }
    const refused = await call('export.file', { experimentId: 1, table: 'subgroup-impact', format: 'csv', positiveClass: 'dog' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/--positive-class 'dog' is not a class/);
    const bad = await get('/download/export?table=subgroup-impact&format=csv&experimentId=1&positiveClass=dog');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/--positive-class 'dog' is not a class/);
  });

  it('compares two populations and two single models as pandas does', async () => {
    const reference = fixture('comparison', 'reference.json') as Record<string, Json>;
    const models = await value<ApiResponse<'experiments.models'>>('experiments.models', { experimentId: 1 });
    const modelId = (variant: string, seed: number): number => models.find((m) => m.variant === variant && m.seed === seed)?.id ?? -1;
    const cases: [string, Json, Json][] = [
      ['populations', { variant: 'dense' }, { variant: 'magnitude-0.9' }],
      ['models', { modelId: modelId('dense', 2) }, { modelId: modelId('magnitude-0.9', 2003) }],
    ];
    for (const [name, first, second] of cases) {
      const ref = reference[name] ?? {};
      const result = await value<ApiResponse<'compare.get'>>('compare.get', { experimentId: 1, first, second });
      expect(result.matrix, name).toEqual(ref.matrix);
      expect([result.bothRight, result.bothWrong, result.onlyFirstRight, result.onlySecondRight], name).toEqual([ref.bothRight, ref.bothWrong, ref.onlyFirstRight, ref.onlySecondRight]);
      expect(result.imageIndex).toHaveLength(240);
    }
    const unknown = await call('compare.get', { experimentId: 1, first: { variant: 'dense' }, second: { variant: 'magnitude-0.7' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toMatch(/experiment 1 has no population 'magnitude-0\.7'/);
  });
});
