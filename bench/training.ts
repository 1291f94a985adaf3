import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openDatabase } from '../src-main/core/db/database.js';
import { addKnownIdxDataset } from '../src-main/core/datasets/add.js';
import { findDataset } from '../src-main/core/datasets/store.js';
import { trainPopulation } from '../src-main/core/population/train.js';
import { selectBackend } from '../src-main/core/training/backend.js';
import { loadSplit, normalisationOf, normalise } from '../src-main/core/training/data.js';
import { predict } from '../src-main/core/training/evaluate.js';
import { trainModel } from '../src-main/core/training/trainer.js';
import type { Db } from '../src-main/core/db/database.js';
import { FASHION_MNIST } from '../src-main/core/datasets/known.js';
import { benchTrainingPeer } from './peers.js';
import { twoThreadCeiling } from './scaling-ceiling.js';
import { benchTrainingOverhead } from './training-overhead.js';

/**
 * Training on Fashion-MNIST with LeNet-300-100: one model's throughput in this thread
 * (and its tensor count after each epoch), population throughput with 1 and 2 workers,
 * and the smoke and quick presets' wall time.
 */
export async function benchTraining(dir: string, options: { quick: boolean }): Promise<void> {
  const file = path.join(dir, 'train.db');
  const db = openDatabase(file);
  try {
    try {
      await addKnownIdxDataset(db, 'fashion-mnist', { cacheDir: path.join(dir, 'cache'), systemFolders: undefined });
    } catch (error) {
      console.log(`training bench skipped: Fashion-MNIST unavailable (${(error as Error).message})`);
      return;
    }
    const dataset = findDataset(db, 'fashion-mnist');
    await benchTrainingPeer(db, dataset.id, FASHION_MNIST.systemFolders[0] ?? '');
    const { name: backend } = await selectBackend();
    await benchTrainingOverhead(db, dataset.id, backend);
    const train = loadSplit(db, dataset.id, 'train');
    const x = normalise(train.pixels, normalisationOf(train.pixels));
    const tensors: number[] = [];
    const started = performance.now();
    let lastEpoch = 0;
    await trainModel({ arch: 'mlp', seed: 1, epochs: 2, batchSize: 128, learningRate: 1e-3, targetSparsity: 0 }, { x, labels: train.labels, count: train.count, input: train.input, numClasses: 10 }, (p) => {
      if (p.epoch !== lastEpoch && p.step === p.epoch * Math.ceil(train.count / 128)) {
        lastEpoch = p.epoch;
        tensors.push(tf.memory().numTensors);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`training, one model in one thread (${backend}, batch 128): ${Math.round((2 * train.count) / seconds).toLocaleString('en')} images/s; tensors after each epoch: ${tensors.join(', ')}; after disposal: ${tf.memory().numTensors}`);

    // Whole population runs, worker start-up included: 4 models of one epoch each.
    const tensorsAfter: number[] = [];
    let workerPeak = 0;
    // Sampled every 100 ms during the runs (the main thread is idle enough to sample):
    // the process's resident set (its workers are threads of it) and the main thread's heap.
    let mainPeak = 0;
    let processPeak = 0;
    const sample = (): void => {
      const own = process.memoryUsage();
      mainPeak = Math.max(mainPeak, own.heapUsed + own.external);
      processPeak = Math.max(processPeak, own.rss);
    };
    const sampler = setInterval(sample, 100);
    const trainImages = Math.min(60_000, train.count);
    const throughput = async (workers: number): Promise<number> => {
      const t0 = performance.now();
      const outcome = await trainPopulation(
        db,
        file,
        { dataset: 'fashion-mnist', preset: 'smoke', overrides: { models: 2, sparsities: [0, 0.9], epochs: 1, trainLimit: 60_000 }, workers },
        (e) => {
          if (e.type !== 'model-done') return;
          tensorsAfter.push(e.tensors);
          workerPeak = Math.max(workerPeak, e.workerPeakMemory);
          sample();
        },
      );
      const s = (performance.now() - t0) / 1000;
      // Training images actually seen (one epoch per model); the models' test predictions are in the time, not in the count.
      return (outcome.done * trainImages) / s;
    };
    const one = await throughput(1);
    const two = await throughput(2);
    clearInterval(sampler);
    const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
    console.log(`population throughput (training images per second, ${trainImages.toLocaleString('en')} per model, worker start-up and test predictions in the time): 1 worker ${Math.round(one).toLocaleString('en')} images/s, 2 workers ${Math.round(two).toLocaleString('en')} images/s, ratio ${(two / one).toFixed(2)} (target >= 1.8)`);
    console.log(
      `  memory during these runs: peak of a training worker ${mb(workerPeak)} (its heap and buffers, the shared pixels included, as the worker reports it); sampled every 100 ms: main thread heap ${mb(mainPeak)}, resident set of the whole process with its workers ${mb(processPeak)}; tensors a worker held after each of its models: ${tensorsAfter.join(', ')}`,
    );
    const ceiling = await twoThreadCeiling();
    console.log(`  this machine's own two-thread ratio on the same WASM products (no PIE Audit code): ${ceiling.toFixed(2)}`);

    for (const preset of options.quick ? (['smoke', 'quick'] as const) : (['smoke'] as const)) {
      const t0 = performance.now();
      const outcome = await trainPopulation(db, file, { dataset: 'fashion-mnist', preset });
      const s = (performance.now() - t0) / 1000;
      const top1 = db
        .prepare("SELECT variant, avg(top1) AS mean FROM models WHERE experiment_id = ? GROUP BY variant ORDER BY min(id)")
        .all(outcome.experimentId) as { variant: string; mean: number }[];
      console.log(`preset ${preset}: ${outcome.done} models in ${s.toFixed(1)} s on ${outcome.backend}; mean top-1 ${top1.map((t) => `${t.variant} ${t.mean.toFixed(4)}`).join(', ')}`);
    }
    if (!options.quick) console.log('preset quick: skipped (--fast)');
    await benchBatchSizes(db, dataset.id, backend);
  } finally {
    db.close();
    fs.rmSync(`${file}.models`, { recursive: true, force: true });
  }
}

/**
 * The batch size per backend, chosen from this: speed and test top-1 of one dense model
 * after two epochs at each batch size (seed 1). docs/performance.md has why the presets keep 128.
 */
export async function benchBatchSizes(db: Db, datasetId: number, backend: string): Promise<void> {
  const train = loadSplit(db, datasetId, 'train');
  const test = loadSplit(db, datasetId, 'test');
  const norm = normalisationOf(train.pixels);
  const x = normalise(train.pixels, norm);
  const testX = normalise(test.pixels, norm);
  const figures: string[] = [];
  for (const batchSize of [64, 128, 256, 512]) {
    const started = performance.now();
    const result = await trainModel({ arch: 'mlp', seed: 1, epochs: 2, batchSize, learningRate: 1e-3, targetSparsity: 0 }, { x, labels: train.labels, count: train.count, input: train.input, numClasses: 10 });
    const seconds = (performance.now() - started) / 1000;
    const { top1 } = predict('mlp', result.weights, testX, test.labels, test.input, 10);
    figures.push(`${batchSize}: ${Math.round((2 * train.count) / seconds).toLocaleString('en')} images/s, top-1 ${top1.toFixed(4)}`);
  }
  console.log(`batch size on ${backend} (one dense model, 2 epochs, one thread): ${figures.join('; ')}`);
}
