import { parentPort, workerData } from 'node:worker_threads';
import { UserError, errorMessage } from '../errors.js';
import type { FromModelWorker, ModelJob, ModelWorkerOptions, ToModelWorker } from './jobs.js';
import { PredictionStopped, predictImages } from './predict-images.js';
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

function send(message: FromModelWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function run(job: ModelJob): Promise<void> {
  const started = performance.now();
  const model = await openModel(job, options.input);
  try {
    let lastReport = 0;
    const predictions = await predictImages(
      model,
      job.file,
      pixels,
      labels,
      options,
      (done) => {
        const now = performance.now();
        if (now - lastReport > 200 || done === options.count) {
          lastReport = now;
          send({ type: 'progress', modelId: job.modelId, done, total: options.count });
        }
      },
      () => Atomics.load(stop, 0) === 1,
    );
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
    if (error instanceof PredictionStopped) send({ type: 'stopped', modelId: job.modelId });
    else send({ type: 'failed', modelId: job.modelId, message: errorMessage(error), userError: error instanceof UserError });
  });
});
