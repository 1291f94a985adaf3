/**
 * true_class_name: every export that carries a true label gains the dataset's name for it
 * as its new last column, in CSV, JSON and JSON Lines, the earlier columns unchanged. Checked
 * row by row against the classes table of the real SQLite file (the names the dataset was
 * added with). Labels and a study are made through the real HTTP API of an in-process server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli.js';
import { csvRows } from '../helpers/csv-rows.js';
import { tempDir } from '../helpers/data.js';
import { ANALYSIS_FIXTURES, SYNTHETIC_CLASSES, writeSyntheticDataset } from '../helpers/synthetic-dataset.js';

type Row = Record<string, unknown>;

/** The columns each table had before true_class_name (docs/exports.md); they must stay, in this order. */
const BEFORE: Record<string, { label: string; columns: string[] }> = {
  labels: { label: 'true_label', columns: ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint'] },
  study: { label: 'true_label', columns: ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint'] },
  predictions: { label: 'true_label', columns: ['model_id', 'variant', 'target_sparsity', 'seed', 'image_index', 'true_label', 'predicted_label', 'predicted_probability', 'true_label_probability', 'eval_set'] },
  pies: {
    label: 'true_class_label',
    columns: [
      'pruning_fraction', 'variant', 'image_index', 'true_class_label', 'variant_modal_label', 'variant_number_observ',
      'baseline_modal_label', 'baseline_number_observ', 'variant_agreement', 'baseline_agreement', 'tie', 'is_pie',
      'variant_tie', 'baseline_tie', 'variant_mean_true_probability', 'baseline_mean_true_probability',
      'variant_self_confidence', 'baseline_self_confidence', 'variant_normalized_margin', 'baseline_normalized_margin',
      'cie_distance', 'is_cie',
    ],
  },
};

describe('the true_class_name column (synthetic population on a dataset with named classes)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'names.db');
  let db: Db;
  let server: RunningServer;
  let names: Map<number, string>;
  const { value } = apiClient(() => server);

  const cli = async (args: string[]): Promise<void> => {
    const result = await runCli(['--db', file, ...args]);
    expect(result.code, result.stderr).toBe(0);
  };

  /** The file's rows and its columns in file order. */
  const read = (out: string, format: string): { columns: string[]; rows: Row[] } => {
    const text = fs.readFileSync(out, 'utf8');
    if (format === 'csv') {
      // cells as the JSON export types them: '' is null, a number is a number
      const rows = csvRows(text).map((r) => Object.fromEntries(Object.entries(r).map(([k, cell]) => [k, cell === '' ? null : /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell]))) as Row[];
      return { columns: text.split(/\r?\n/)[0]?.split(',') ?? [], rows };
    }
    const rows = format === 'json' ? (JSON.parse(text) as Row[]) : text.trim().split('\n').map((line) => JSON.parse(line) as Row);
    return { columns: Object.keys(rows[0] ?? {}), rows };
  };

  beforeAll(async () => {
    await cli(writeSyntheticDataset(dir));
    await cli(['import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ANALYSIS_FIXTURES, 'population.csv')]);
    db = openDatabase(file);
    names = new Map(
      (db.prepare("SELECT c.label, c.name FROM classes c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = 'synthetic'").all() as { label: number; name: string }[]).map((c) => [c.label, c.name]),
    );
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
    for (const imageIndex of [0, 17, 101, 239]) await value('labels.set', { experimentId: 1, imageIndex, categories: ['noisy'], annotator: 'ada' });
    const study = await value<{ id: number }>('study.create', { name: 'names', experimentId: 1, pies: 4, controls: 4, seed: 3 });
    const { items } = await value<{ items: { imageIndex: number }[] }>('study.items', { studyId: study.id, annotator: 'ada' });
    for (const item of items.slice(0, 5)) await value('study.label', { studyId: study.id, annotator: 'ada', imageIndex: item.imageIndex, categories: ['atypical'] });
  });
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('the dataset was added with the names the test expects', () => {
    expect([...names.keys()].sort((a, b) => a - b).map((label) => names.get(label))).toEqual(SYNTHETIC_CLASSES);
  });

  for (const table of Object.keys(BEFORE)) {
    it(`${table}: true_class_name is the last column and names each row's true label, in csv, json and jsonl`, async () => {
      const { label, columns } = BEFORE[table] as { label: string; columns: string[] };
      for (const format of ['csv', 'json', 'jsonl']) {
        const out = path.join(dir, `${table}.${format}`);
        await cli(['export', table, '--format', format, '--out', out]);
        const read_ = read(out, format);
        expect(read_.columns, `${table}.${format}`).toEqual([...columns, 'true_class_name']);
        expect(read_.rows.length, `${table}.${format}`).toBeGreaterThan(0);
        for (const row of read_.rows) expect(row.true_class_name, `${table}.${format} ${JSON.stringify(row)}`).toBe(names.get(row[label] as number));
      }
    });
  }

  it('study items: true_class_name after true_label, in csv and json', async () => {
    for (const format of ['csv', 'json']) {
      const out = path.join(dir, `items.${format}`);
      await cli(['study', 'items', '--format', format, '--out', out]);
      const { columns, rows } = read(out, format);
      expect(columns).toEqual(['study_id', 'position', 'dataset', 'image_index', 'true_label', 'true_class_name']);
      expect(rows).toHaveLength(8);
      for (const row of rows) expect(row.true_class_name).toBe(names.get(row.true_label as number));
    }
  });
});
