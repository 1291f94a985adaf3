import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * What this machine gives two threads at all: the same WASM matrix-product workload
 * (LeNet-300-100's first-layer product, as in training) in one worker thread, then in
 * two at once. Two threads sharing a host core's caches or memory bandwidth scale
 * below 2 whatever the program; the population runner's ratio is read against this.
 */
const WORKLOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const load = createRequire(workerData.from);
const tf = load('@tensorflow/tfjs');
load('@tensorflow/tfjs-backend-wasm');
(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const x = tf.randomUniform([128, 784]);
  const w = tf.randomUniform([784, 300]);
  for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(x, w));
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    const started = performance.now();
    for (let i = 0; i < workerData.products; i++) tf.tidy(() => tf.matMul(x, w));
    parentPort.postMessage(performance.now() - started);
  });
})();
`;

async function runTogether(count: number, products: number): Promise<number> {
  const from = createRequire(import.meta.url).resolve('@tensorflow/tfjs');
  const workers = Array.from({ length: count }, () => new Worker(WORKLOAD, { eval: true, workerData: { from, products } }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))));
    const started = performance.now();
    await Promise.all(
      workers.map((w) => {
        const done = new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
        w.postMessage('go');
        return done;
      }),
    );
    return (performance.now() - started) / 1000;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Throughput of two threads over one on the same work (2.0 = perfect). */
export async function twoThreadCeiling(products = 1500): Promise<number> {
  const one = await runTogether(1, products);
  const two = await runTogether(2, products);
  return (2 * one) / two;
}
