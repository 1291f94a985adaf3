import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { UserError, errorMessage } from '../errors.js';
import { selectBackend, type BackendName } from '../training/backend.js';
import type { Normalisation } from '../training/data.js';
import type { InputShape } from '../training/network.js';
import { predict } from '../training/evaluate.js';
import { measuredSparsity } from '../training/pruning.js';
import { quantizeFp16, quantizeInt8PerChannel } from '../training/quantize.js';
import { trainModel, type Weights } from '../training/trainer.js';
import { loadWeights, saveWeights } from '../training/weights-io.js';
import type { FromWorker, Job, SharedSplit, ToWorker, WorkerOptions } from './jobs.js';

/**
 * A training worker: one model at a time, on its own TensorFlow.js backend, on the
 * dataset the main thread shares with it. It never touches the database.
 */
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const options = (workerData as { options: WorkerOptions }).options;

/**
 * The most memory this thread has held: its V8 heap plus what lies outside the heap
 * (its copy of the normalised dataset, the shared pixels, the WASM backend's memory).
 * Node reports heapUsed and external per thread.
 */
let peakMemory = 0;
function sampleMemory(): void {
  const usage = process.memoryUsage();
  peakMemory = Math.max(peakMemory, usage.heapUsed + usage.external);
}

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

interface Split {
  count: number;
  input: InputShape;
  numClasses: number;
  labels: Uint8Array;
  x: Float32Array;
}

interface Prepared {
  norm: Normalisation;
  train: Split;
  test: Split;
}

function fromShared(split: SharedSplit): Split {
  return {
    count: split.count,
    input: { height: split.height, width: split.width, channels: split.channels },
    numClasses: split.numClasses,
    labels: new Uint8Array(split.labels),
    x: new Float32Array(split.x),
  };
}

const prepared: Prepared = { norm: options.normalisation, train: fromShared(options.train), test: fromShared(options.test) };

async function run(job: Job, backend: BackendName): Promise<void> {
  const started = performance.now();
  const d = prepared;
  let weights: Weights;
  let sparsity: number;
  let method: string;
  if (job.kind === 'train') {
    const result = await trainModel(
      { arch: job.arch, seed: job.seed, epochs: job.epochs, batchSize: job.batchSize, learningRate: job.learningRate, learningRateSchedule: job.learningRateSchedule, targetSparsity: job.targetSparsity },
      { x: d.train.x, labels: d.train.labels, count: d.train.count, input: d.train.input, numClasses: d.train.numClasses },
      (progress) => {
        sampleMemory();
        send({ type: 'progress', modelId: job.modelId, progress });
      },
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
  const predictions = predict(job.arch, weights, d.test.x, d.test.labels, d.test.input, d.test.numClasses);
  await saveWeights(
    job.weightsDir,
    { format: 'pie-audit-model', version: 1, arch: job.arch, input: d.test.input, numClasses: d.test.numClasses, normalisation: d.norm, method, seed: job.seed, targetSparsity: job.kind === 'train' ? job.targetSparsity : 0, backend },
    weights,
  );
  sampleMemory();
  send(
    {
      type: 'done',
      seconds: (performance.now() - started) / 1000,
      tensors: tf.memory().numTensors,
      peakMemory,
      result: { modelId: job.modelId, backend, measuredSparsity: sparsity, weightsPath: job.weightsDir, ...predictions },
    },
    [predictions.predicted.buffer as ArrayBuffer, predictions.predictedProbability.buffer as ArrayBuffer, predictions.trueLabelProbability.buffer as ArrayBuffer],
  );
}

const { name: backend, notes } = await selectBackend(options.backend);
send({ type: 'ready', backend, notes });
port.on('message', (message: ToWorker) => {
  if (message.type === 'exit') {
    port.close();
    return;
  }
  const job = message.job;
  run(job, backend).catch((error: unknown) => {
    send({ type: 'failed', modelId: job.modelId, message: errorMessage(error), userError: error instanceof UserError });
  });
});
