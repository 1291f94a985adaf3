import { parentPort, workerData } from 'node:worker_threads';
import { UserError, errorMessage } from '../errors.js';
import type { FromModelWorker, ModelJob, ModelWorkerOptions, ToModelWorker } from './jobs.js';
import { inputBatch } from './preprocess.js';
import { emptyPredictions, scoreBatch } from './scores.js';
import { measuredSparsityOf, openModel, runtimeFor } from './open-model.js';

/**
 * An inference worker: one model at a time over the shared images. It never touches the
 * database; the runner writes each finished model.
 */
const port = parentPort;
if (!port) throw new Error('model-worker.ts must run in a worker thread');
const options = (workerData as { options: ModelWorkerOptions }).options;
const pixels = new Uint8Array(options.pixels);
const labels = new Uint16Array(options.labels);
const stop = new Int32Array(options.stop);

/** Thrown between batches once the runner has asked every worker to stop. */
class Stopped extends Error {}

function send(message: FromModelWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function run(job: ModelJob): Promise<void> {
  const started = performance.now();
  const model = await openModel(job, options.input);
  try {
    const predictions = emptyPredictions(options.count);
    let lastReport = 0;
    for (let start = 0; start < options.count; start += options.batchSize) {
      if (Atomics.load(stop, 0) === 1) throw new Stopped();
      const batch = Math.min(options.batchSize, options.count - start);
      const { values, width } = await model.run(inputBatch(pixels, start, batch, options.input), batch);
      if (width !== options.numClasses) throw new UserError(`${job.file}: output '${model.outputName}' has ${width} values per image; the dataset has ${options.numClasses} classes`);
      const problem = scoreBatch(values, width, batch, options.output, labels, start, predictions);
      if (problem) throw new UserError(`${job.file}: ${problem}`);
      const now = performance.now();
      if (now - lastReport > 200 || start + batch === options.count) {
        lastReport = now;
        send({ type: 'progress', modelId: job.modelId, done: start + batch, total: options.count });
      }
    }
    const measuredSparsity = await measuredSparsityOf(job);
    send(
      { type: 'done', modelId: job.modelId, runtime: await runtimeFor(job.format), measuredSparsity, predictions, seconds: (performance.now() - started) / 1000 },
      [predictions.predicted.buffer as ArrayBuffer, predictions.predictedProbability.buffer as ArrayBuffer, predictions.trueLabelProbability.buffer as ArrayBuffer],
    );
  } finally {
    await model.dispose();
  }
}

send({ type: 'ready' });
port.on('message', (message: ToModelWorker) => {
  if (message.type === 'exit') {
    port.close();
    return;
  }
  const job = message.job;
  run(job).catch((error: unknown) => {
    if (error instanceof Stopped) send({ type: 'stopped', modelId: job.modelId });
    else send({ type: 'failed', modelId: job.modelId, message: errorMessage(error), userError: error instanceof UserError });
  });
});
