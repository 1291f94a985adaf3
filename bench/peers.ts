import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../src-main/core/db/database.js';
import { PREDICTION_COLUMNS, predictionExportRows as predictionRows } from '../src-main/core/sql/predictions.js';
import { writeRows } from '../src-main/core/export/writers.js';
import { importPredictions } from '../src-main/core/import/import-predictions.js';
import { selectBackend } from '../src-main/core/training/backend.js';
import { loadSplit, normalisationOf, normalise } from '../src-main/core/training/data.js';
import { predict } from '../src-main/core/training/evaluate.js';
import { trainModel } from '../src-main/core/training/trainer.js';
import { matMulFloorSeconds } from './floors.js';
import { writeSyntheticPopulation } from './synthetic.js';

const PYTHON = '/usr/bin/python3';
const HERE = path.dirname(new URL(import.meta.url).pathname);

function pythonHas(module: string): boolean {
  try {
    execFileSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function peer(script: string, arg: string): { seconds: number } & Record<string, unknown> {
  return JSON.parse(execFileSync(PYTHON, [path.join(HERE, 'peers', script), arg], { encoding: 'utf8' })) as { seconds: number };
}

/**
 * Training peer: LeNet-300-100, Adam 1e-3, batch 128, one epoch of Fashion-MNIST and
 * the test predictions, in one thread, ours against PyTorch (python3-torch).
 */
export async function benchTrainingPeer(db: Db, datasetId: number, folder: string): Promise<void> {
  const { name: backend } = await selectBackend();
  const train = loadSplit(db, datasetId, 'train');
  const test = loadSplit(db, datasetId, 'test');
  const norm = normalisationOf(train.pixels);
  const x = normalise(train.pixels, norm);
  const testX = normalise(test.pixels, norm);
  const started = performance.now();
  const result = await trainModel({ arch: 'mlp', seed: 1, epochs: 1, batchSize: 128, learningRate: 1e-3, targetSparsity: 0 }, { x, labels: train.labels, count: train.count, input: train.input, numClasses: 10 });
  const predictions = predict('mlp', result.weights, testX, test.labels, test.input, 10);
  const ours = (performance.now() - started) / 1000;
  const line = `training job (1 epoch, batch 128, one thread, test predictions): ours ${ours.toFixed(2)} s on ${backend} (top-1 ${predictions.top1.toFixed(4)})`;
  if (!pythonHas('torch')) {
    console.log(`${line}; PyTorch peer: python3-torch is not installed`);
    return;
  }
  const torch = peer('torch_train.py', folder);
  console.log(`${line}; PyTorch ${torch.torch as string} ${torch.seconds.toFixed(2)} s (top-1 ${(torch.top1 as number).toFixed(4)}); ours / PyTorch = ${(ours / torch.seconds).toFixed(2)} (target <= 3.0, goal 1.0)`);
  const floor = matMulFloorSeconds();
  console.log(
    `  floor on ${backend}: the job's matrix products alone take ${floor.toFixed(2)} s (${((floor / ours) * 100).toFixed(0)}% of ours), ${(floor / torch.seconds).toFixed(2)} x PyTorch's whole job`,
  );
}

/**
 * Analysis peer: 1.8 million long-format predictions imported and PIEs flagged, ours
 * (streaming import into SQLite, then the stored analysis) against pandas.
 */
export async function benchAnalysisPeer(dir: string): Promise<void> {
  const source = openDatabase(path.join(dir, 'peer-source.db'));
  const csv = path.join(dir, 'predictions-1.8M.csv');
  try {
    const population = writeSyntheticPopulation(source, 30, 10_000);
    await writeRows(csv, 'csv', PREDICTION_COLUMNS, predictionRows(source, population.experimentId));
  } finally {
    source.close();
  }
  const file = path.join(dir, 'peer-import.db');
  openDatabase(file).close(); // as after `datasets add`: the database exists, so rows are stored while the file is read
  const started = performance.now();
  let importSeconds = 0;
  const useDatabase = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = openDatabase(file);
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  };
  const options = { format: 'long-csv', datasetName: 'synthetic', files: [csv], storeWhileReading: true, onCommitted: () => (importSeconds = (performance.now() - started) / 1000) };
  const summary = await importPredictions(options, useDatabase);
  const ours = (performance.now() - started) / 1000;
  const parts = `import ${importSeconds.toFixed(2)} s (read and checked on one thread, stored on another), PIE analysis ${(ours - importSeconds).toFixed(2)} s`;
  const line = `import + PIE flags of ${summary.predictions.toLocaleString('en')} long-format rows: ours ${ours.toFixed(2)} s (${parts}; import ${Math.round(summary.predictions / importSeconds).toLocaleString('en')} rows/s, target >= 300,000)`;
  if (!pythonHas('pandas')) {
    console.log(`${line}; pandas peer: python3-pandas is not installed`);
  } else {
    const pandas = peer('pandas_analysis.py', csv);
    console.log(`${line}; pandas ${pandas.pandas as string} ${pandas.seconds.toFixed(2)} s; ours / pandas = ${(ours / pandas.seconds).toFixed(2)} (target <= 2.0, goal 1.0)`);
    // pandas keeps its table in memory; an import stores every row in SQLite, on a second thread beside the reading.
    console.log(`  floor: the import alone (read, checked and stored in SQLite) takes ${importSeconds.toFixed(2)} s, ${(importSeconds / pandas.seconds).toFixed(2)} x pandas' whole job`);
  }
  fs.rmSync(csv, { force: true });
}
