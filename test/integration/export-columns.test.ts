/**
 * The export tables' columns, in order, as documented in README/docs (the contract
 * readers' scripts rely on), written out here rather than imported from the code; and
 * formula-looking label notes escaped in CSV but kept as typed in JSON. The labels are
 * set through the real HTTP API of an in-process server on a real SQLite file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const PIES = [
  'pruning_fraction', 'variant', 'image_index', 'true_class_label', 'variant_modal_label', 'variant_number_observ',
  'baseline_modal_label', 'baseline_number_observ', 'variant_agreement', 'baseline_agreement', 'tie', 'is_pie',
  'variant_tie', 'baseline_tie', 'variant_mean_true_probability', 'baseline_mean_true_probability',
  'variant_self_confidence', 'baseline_self_confidence', 'variant_normalized_margin', 'baseline_normalized_margin',
  'cie_distance', 'is_cie', 'true_class_name',
];
const CLASS_IMPACT = ['variant', 'pruning_fraction', 'class', 'class_name', 'baseline_mean_recall', 'variant_mean_recall', 'statistic_recall_norm', 'pvalue_recall_norm', 'qvalue', 'significant', 'train_count', 'relative_recall_loss'];
const LABELS = ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint', 'true_class_name'];

describe('export columns and formula escaping (imported synthetic population)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'exports.db');
  let db: Db;
  let server: RunningServer;
  const { value } = apiClient(() => server);

  const exported = async (table: string, format: 'csv' | 'json'): Promise<string> => {
    const out = path.join(dir, `${table}.${format}`);
    const result = await runCli(['--db', file, 'export', table, '--format', format, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    return fs.readFileSync(out, 'utf8');
  };

  beforeAll(async () => {
    const imported = await runCli(['--db', file, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv')]);
    expect(imported.code, imported.stderr).toBe(0);
    db = openDatabase(file);
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
    await value('labels.set', { experimentId: 1, imageIndex: 3, categories: ['noisy'], note: '=HYPERLINK("http://x.example","y")', annotator: 'ada' });
    await value('labels.set', { experimentId: 1, imageIndex: 5, categories: ['atypical'], note: '@SUM(A1)', annotator: 'ada' });
    await value('labels.set', { experimentId: 1, imageIndex: 7, categories: ['none'], note: 'plain, with a comma', annotator: 'ada' });
  });
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('pies, class-impact and labels carry their columns in the documented order', async () => {
    for (const [table, columns] of [['pies', PIES], ['class-impact', CLASS_IMPACT], ['labels', LABELS]] as const) {
      const text = await exported(table, 'csv');
      expect(text.split('\n')[0], table).toBe(columns.join(','));
      const json = JSON.parse(await exported(table, 'json')) as Record<string, unknown>[];
      expect(Object.keys(json[0] ?? {}), `${table} json`).toEqual(columns);
    }
  });

  it('escapes formula-looking label notes in CSV and keeps them as typed in JSON', async () => {
    const rows = csvRows(await exported('labels', 'csv'));
    const notes = new Map(rows.map((r) => [Number(r.image_index), r.note]));
    expect(notes.get(3)).toBe(`'=HYPERLINK("http://x.example","y")`);
    expect(notes.get(5)).toBe("'@SUM(A1)");
    expect(notes.get(7)).toBe('plain, with a comma');
    const json = JSON.parse(await exported('labels', 'json')) as { image_index: number; note: string }[];
    expect(json.find((r) => r.image_index === 3)?.note).toBe('=HYPERLINK("http://x.example","y")');
    expect(json.find((r) => r.image_index === 5)?.note).toBe('@SUM(A1)');
  });
});
