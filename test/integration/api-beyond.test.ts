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
  const { call, value } = apiClient(() => server);

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
