/**
 * An import into an existing database stores rows while a worker thread still reads the
 * file (core/import/read-in-worker.ts, write-streamed.ts). These files span many chunks
 * (CHUNK_ROWS rows each), so every hand-over between the threads is exercised: nothing
 * may be lost, reordered or given to the wrong model, and a refusal after chunks were
 * stored must leave the database as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInWorker } from '../../src-main/core/import/read-in-worker.js';
import { CHUNK_ROWS, type RowChunk } from '../../src-main/core/import/row-chunk.js';
import { expectOneLineRefusal, runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir, writeIdxPair } from '../helpers/data.js';

const IMAGES = 25_000;
const CLASSES = 10;
const MODELS = [
  ...[1, 2, 3, 4].map((seed) => ({ id: `dense-${seed}`, variant: 'dense', sparsity: '0', seed })),
  ...[1, 2, 3, 4].map((seed) => ({ id: `pruned-${seed}`, variant: 'magnitude-0.9', sparsity: '0.9', seed })),
];
const ROWS = MODELS.length * IMAGES; // 200,000 rows: 13 chunks
const HEADER = 'model_id,variant,target_sparsity,seed,image_index,true_label,predicted_label,predicted_probability,true_label_probability';

/** The row of model k for image i: every value differs from its neighbours', probabilities printed to 17 digits, some true-label probabilities blank. */
function row(k: number, i: number): { predicted: number; probability: string; trueProbability: string } {
  const label = i % CLASSES;
  const predicted = (i * 7 + k * 3) % 13 === 0 ? (label + 1) % CLASSES : label;
  const probability = String(((i * 7919 + k * 104_729) % 999_983) / 999_983);
  const trueProbability = (i + k) % 11 === 0 ? '' : String(((i * 15_485_863 + k * 7) % 999_979) / 999_979);
  return { predicted, probability, trueProbability };
}

function line(k: number, i: number): string {
  const m = MODELS[k] as (typeof MODELS)[number];
  const r = row(k, i);
  return `${m.id},${m.variant},${m.sparsity},${m.seed},${i},${i % CLASSES},${r.predicted},${r.probability},${r.trueProbability}`;
}

/** Grouped by model (as `export predictions` writes), or interleaved: image by image, every model. */
function writeFile(file: string, order: 'grouped' | 'interleaved', change?: (lines: string[]) => void): string {
  const lines = [HEADER];
  if (order === 'grouped') for (let k = 0; k < MODELS.length; k++) for (let i = 0; i < IMAGES; i++) lines.push(line(k, i));
  else for (let i = 0; i < IMAGES; i++) for (let k = 0; k < MODELS.length; k++) lines.push(line(k, i));
  change?.(lines);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

interface StoredRow {
  model: number;
  image: number;
  predicted: number;
  probability: number;
  trueProbability: number | null;
}

/** Every stored prediction of an experiment, its model numbered by (variant, seed) in MODELS' order. */
function storedRows(db: string, experimentId: number): StoredRow[] {
  const handle = new Database(db, { readonly: true });
  try {
    const models = handle.prepare('SELECT id, variant, seed FROM models WHERE experiment_id = ?').all(experimentId) as { id: number; variant: string; seed: number }[];
    const numberOf = new Map(models.map((m) => [m.id, MODELS.findIndex((d) => d.variant === m.variant && d.seed === m.seed)]));
    const rows = handle
      .prepare('SELECT p.model_id, p.image_index, p.predicted_label, p.predicted_probability, p.true_label_probability FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = ?')
      .raw()
      .all(experimentId) as [number, number, number, number, number | null][];
    return rows
      .map(([id, image, predicted, probability, trueProbability]) => ({ model: numberOf.get(id) ?? -1, image, predicted, probability, trueProbability }))
      .sort((a, b) => a.model - b.model || a.image - b.image);
  } finally {
    handle.close();
  }
}

function expectedRows(): StoredRow[] {
  const out: StoredRow[] = [];
  for (let k = 0; k < MODELS.length; k++) {
    for (let i = 0; i < IMAGES; i++) {
      const r = row(k, i);
      out.push({ model: k, image: i, predicted: r.predicted, probability: Number(r.probability), trueProbability: r.trueProbability === '' ? null : Number(r.trueProbability) });
    }
  }
  return out;
}

function top1ByModel(db: string, experimentId: number): Record<string, number> {
  const handle = new Database(db, { readonly: true });
  try {
    const models = handle.prepare('SELECT variant, seed, top1 FROM models WHERE experiment_id = ?').all(experimentId) as { variant: string; seed: number; top1: number }[];
    return Object.fromEntries(models.map((m) => [`${m.variant}/${m.seed}`, m.top1]));
  } finally {
    handle.close();
  }
}

const latestExperiment = (db: string): number => {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare('SELECT max(id) FROM experiments').pluck().get() as number;
  } finally {
    handle.close();
  }
};

describe('the reading thread hands its rows over in chunks', () => {
  it('every row arrives once, in the order of the file, with its model', async () => {
    const file = writeFile(path.join(tempDir(), 'grouped.csv'), 'grouped');
    const chunks: RowChunk[] = [];
    const population = await readInWorker({ format: 'long-csv', files: [file] }, (chunk) => chunks.push(chunk));
    expect(chunks.length).toBe(Math.ceil(ROWS / CHUNK_ROWS));
    expect(population.models.map((m) => m.label)).toEqual(MODELS.map((m) => `model '${m.id}'`));
    let j = 0; // the row's place in the file
    const starts: number[] = [];
    for (const chunk of chunks) {
      for (const start of chunk.starts) starts.push(j - (j % CHUNK_ROWS) + start.row);
      for (let r = 0; r < chunk.length; r++, j++) {
        const k = Math.floor(j / IMAGES);
        const i = j % IMAGES;
        const want = row(k, i);
        const got = [chunk.model[r], chunk.imageIndex[r], chunk.predicted[r], chunk.probability[r], chunk.trueProbability[r]];
        const expected = [k, i, want.predicted, Number(want.probability), want.trueProbability === '' ? NaN : Number(want.trueProbability)];
        if (!Object.is(got[4], expected[4]) || got.slice(0, 4).some((v, c) => v !== expected[c])) expect(got, `row ${j} of the file`).toEqual(expected);
      }
    }
    expect(j).toBe(ROWS);
    expect(starts).toEqual(MODELS.map((_, k) => k * IMAGES));
  });
});

describe('pie-audit import predictions into an existing database', () => {
  const dir = tempDir();
  const db = path.join(dir, 'streamed.db');
  const importFile = (file: string): Promise<{ code: number | null; stderr: string; stdout: string }> =>
    runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'digits', file]);

  beforeAll(async () => {
    const pair = writeIdxPair(dir, 'digits', IMAGES, { classes: CLASSES, side: 4 });
    const added = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'digits', '--images', pair.images, '--labels', pair.labels]);
    expect(added.code, added.stderr).toBe(0);
  });

  it('stores every row of a many-chunk file as the file gives it, grouped by model or not', async () => {
    const grouped = await importFile(writeFile(path.join(dir, 'grouped.csv'), 'grouped'));
    expect(grouped.code, grouped.stderr).toBe(0);
    const first = latestExperiment(db);
    const expected = expectedRows();
    const stored = storedRows(db, first);
    expect(stored.length).toBe(ROWS);
    const firstDifference = stored.findIndex((r, j) => JSON.stringify(r) !== JSON.stringify(expected[j]));
    expect(firstDifference === -1 ? null : { stored: stored[firstDifference], expected: expected[firstDifference] }).toBeNull();

    const interleaved = await importFile(writeFile(path.join(dir, 'interleaved.csv'), 'interleaved'));
    expect(interleaved.code, interleaved.stderr).toBe(0);
    const second = latestExperiment(db);
    expect(second).toBe(first + 1);
    expect(JSON.stringify(storedRows(db, second))).toBe(JSON.stringify(stored));
    const top1 = top1ByModel(db, first);
    expect(top1ByModel(db, second)).toEqual(top1);
    for (const [k, m] of MODELS.entries()) {
      let correct = 0;
      for (let i = 0; i < IMAGES; i++) if (row(k, i).predicted === i % CLASSES) correct++;
      expect(top1[`${m.variant}/${m.seed}`]).toBe(correct / IMAGES);
    }
  });

  it('stores the rows as written when a model goes on in a second file, after chunks of the first were stored', async () => {
    // model 0's last 1,000 rows moved to a second file: 12 chunks are stored before its rows show the files are not grouped
    const lines: string[] = [];
    const first = writeFile(path.join(dir, 'most.csv'), 'grouped', (all) => lines.push(...all.splice(IMAGES - 999, 1000)));
    const second = path.join(dir, 'rest.csv');
    fs.writeFileSync(second, `${[HEADER, ...lines].join('\n')}\n`);
    const result = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'digits', first, second]);
    expect(result.code, result.stderr).toBe(0);
    const stored = storedRows(db, latestExperiment(db));
    expect(stored.length).toBe(ROWS);
    expect(JSON.stringify(stored) === JSON.stringify(expectedRows())).toBe(true);
  });

  /** The last data line of the grouped file is line ROWS + 1. */
  const LAST = ROWS + 1;
  const REFUSALS: [string, string, (lines: string[]) => void, RegExp][] = [
    ['a bad cell on the last row', 'bad-cell.csv', (lines) => (lines[LAST - 1] = (lines[LAST - 1] as string).replace(/,([^,]*),([^,]*)$/, ',1.5,$2')), new RegExp(`bad-cell\\.csv: line ${LAST}: predicted_probability '1\\.5' is not a probability`)],
    [
      // in the second chunk, stored long before the reader, which needs the whole model to tell, refuses the row
      'a row repeating an image its model has (the stored key clashes first)',
      'repeated-image.csv',
      (lines) => (lines[IMAGES] = line(0, 5)),
      new RegExp(`repeated-image\\.csv: line ${IMAGES + 1}: model 'dense-1' has image_index 5 twice \\(also line 7\\)`),
    ],
    [
      'the last row predicting a class the dataset does not have (found once every row is read)',
      'unknown-class.csv',
      (lines) => (lines[LAST - 1] = (lines[LAST - 1] as string).replace(/^((?:[^,]*,){6})[^,]*/, '$112')),
      new RegExp(`unknown-class\\.csv: line ${LAST}: predicted label 12 of image_index ${IMAGES - 1} is not a class of dataset 'digits'`),
    ],
  ];

  it.each(REFUSALS)('refuses %s in one line and leaves the database as it was', async (_what, name, change, reason) => {
    const file = writeFile(path.join(dir, name), 'grouped', change);
    const before = dbSnapshot(db);
    expectOneLineRefusal(await importFile(file), reason);
    expect(dbSnapshot(db)).toBe(before);
  });
});
