import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { openDatabase, type Db } from '../db/database.js';
import { UserError, errorMessage } from '../errors.js';
import { selectBackend, type BackendName } from '../training/backend.js';
import { loadSplit, normalisationOf, normalise, type Normalisation, type SplitData } from '../training/data.js';
import { predict } from '../training/evaluate.js';
import { measuredSparsity } from '../training/pruning.js';
import { quantizeFp16, quantizeInt8PerChannel } from '../training/quantize.js';
import { trainModel, type Weights } from '../training/trainer.js';
import { loadWeights, saveWeights } from '../training/weights-io.js';
import type { FromWorker, Job, ToWorker, WorkerOptions } from './jobs.js';

/**
 * A training worker: one model at a time, on its own TensorFlow.js backend. It reads
 * the dataset itself (read-only) and keeps it between jobs; the main thread alone
 * writes to the database.
 */
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const options = (workerData as { options: WorkerOptions }).options;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

interface Prepared {
  key: string;
  norm: Normalisation;
  train: SplitData;
  trainX: Float32Array;
  test: SplitData;
  testX: Float32Array;
}

let prepared: Prepared | undefined;
let db: Db | undefined;
let dbPath: string | undefined;

function data(job: Job): Prepared {
  const key = `${job.databasePath}:${job.datasetId}:${job.trainLimit ?? 'all'}`;
  if (prepared?.key === key) return prepared;
  if (dbPath !== job.databasePath) {
    db?.close();
    db = openDatabase(job.databasePath, { readonly: true });
    dbPath = job.databasePath;
  }
  if (!db) throw new Error('database not open');
  const train = loadSplit(db, job.datasetId, 'train', job.trainLimit);
  const test = loadSplit(db, job.datasetId, 'test');
  const norm = normalisationOf(train.pixels);
  prepared = { key, norm, train, trainX: normalise(train.pixels, norm), test, testX: normalise(test.pixels, norm) };
  return prepared;
}

async function run(job: Job, backend: BackendName): Promise<void> {
  const started = performance.now();
  const d = data(job);
  let weights: Weights;
  let sparsity: number;
  let method: string;
  if (job.kind === 'train') {
    const result = await trainModel(
      { arch: job.arch, seed: job.seed, epochs: job.epochs, batchSize: job.batchSize, learningRate: job.learningRate, targetSparsity: job.targetSparsity },
      { x: d.trainX, labels: d.train.labels, count: d.train.count, input: d.train.input, numClasses: d.train.numClasses },
      (progress) => send({ type: 'progress', modelId: job.modelId, progress }),
    );
    weights = result.weights;
    sparsity = result.measuredSparsity;
    method = job.targetSparsity > 0 ? 'magnitude' : 'dense';
  } else {
    const source = loadWeights(job.sourceWeightsDir);
    weights = new Map();
    for (const [name, w] of source.params) {
      const isKernel = name.endsWith('/kernel');
      let values: Float32Array;
      if (job.method === 'fp16') values = quantizeFp16(w.values);
      else values = isKernel ? quantizeInt8PerChannel(w.values, w.shape.at(-1) ?? 1).dequantized : w.values;
      weights.set(name, { shape: w.shape, values });
    }
    sparsity = measuredSparsity([...weights].filter(([name]) => name.endsWith('/kernel')).map(([, w]) => w.values));
    method = job.method;
  }
  const predictions = predict(job.arch, weights, d.testX, d.test.labels, d.test.input, d.test.numClasses);
  await saveWeights(
    job.weightsDir,
    { format: 'pie-audit-model', version: 1, arch: job.arch, input: d.test.input, numClasses: d.test.numClasses, normalisation: d.norm, method, seed: job.seed, targetSparsity: job.kind === 'train' ? job.targetSparsity : 0, backend },
    weights,
  );
  send(
    {
      type: 'done',
      seconds: (performance.now() - started) / 1000,
      tensors: tf.memory().numTensors,
      result: { modelId: job.modelId, backend, measuredSparsity: sparsity, weightsPath: job.weightsDir, ...predictions },
    },
    [predictions.predicted.buffer as ArrayBuffer, predictions.predictedProbability.buffer as ArrayBuffer, predictions.trueLabelProbability.buffer as ArrayBuffer],
  );
}

const { name: backend, notes } = await selectBackend(options.backend);
send({ type: 'ready', backend, notes });
port.on('message', (message: ToWorker) => {
  if (message.type === 'exit') {
    db?.close();
    port.close();
    return;
  }
  const job = message.job;
  run(job, backend).catch((error: unknown) => {
    send({ type: 'failed', modelId: job.modelId, message: errorMessage(error), userError: error instanceof UserError });
  });
});
