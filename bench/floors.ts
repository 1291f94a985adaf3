import * as tf from '@tensorflow/tfjs';
import { Random } from '../src-main/core/random.js';

/**
 * Lower bounds for the peer jobs on this machine, measured rather than argued: the
 * time the backend needs for the job's matrix products alone, and the time SQLite
 * needs to store the rows alone. A ratio to the peer below these floors cannot be
 * reached by any change to our own code around them.
 */

const LAYERS = [784, 300, 100, 10];

/**
 * The matrix products of one epoch of LeNet-300-100 (60,000 images, batch 128) and of
 * the test predictions (10,000 images), in the fastest form the backend offers: plain
 * products, operands transposed beforehand, no product for the input layer's dX.
 * Forward x.W1, h1.W2, h2.W3; backward dW1 = xT.d1, dW2 = h1T.d2, dW3 = h2T.d3,
 * d1 = d2.W2T, d2 = d3.W3T. As in training, every product gets operands it has not
 * seen (the weights change every step): the WASM backend prepares (packs) its right
 * operand once per tensor, so reusing tensors would understate the cost. Making the
 * fresh tensors is timed apart and subtracted. The WASM backend computes synchronously,
 * so each call has finished when it returns. Returns wall-clock seconds (performance.now),
 * the same clock the peer's job and ours are timed with; on a loaded machine all three grow.
 */
export function matMulFloorSeconds(trainImages = 60_000, testImages = 10_000, batch = 128): number {
  return matMulFloor(trainImages, testImages, batch).wall;
}

/** The same floor in wall-clock and in CPU seconds (process.cpuUsage, user + system). */
export function matMulFloor(trainImages = 60_000, testImages = 10_000, batch = 128): { wall: number; cpu: number } {
  const random01 = new Random(1); // seeded operands: the same products on every run
  const random = (rows: number, cols: number): { data: Float32Array; shape: [number, number] } => ({
    data: Float32Array.from({ length: rows * cols }, () => random01.next() * 2 - 1),
    shape: [rows, cols],
  });
  const x = random(batch, 784);
  const xT = random(784, batch);
  const w = LAYERS.slice(0, -1).map((n, k) => random(n, LAYERS[k + 1] as number));
  const wT = LAYERS.slice(0, -1).map((n, k) => random(LAYERS[k + 1] as number, n));
  const h = LAYERS.slice(1).map((n) => random(batch, n));
  const hT = LAYERS.slice(1).map((n) => random(n, batch));
  const at = <T>(list: T[], k: number): T => list[k] as T;
  // (left operand, right operand) of every product of one step
  const trainPairs = [
    [x, at(w, 0)],
    [at(h, 0), at(w, 1)],
    [at(h, 1), at(w, 2)],
    [xT, at(h, 0)],
    [at(hT, 0), at(h, 1)],
    [at(hT, 1), at(h, 2)],
    [at(h, 1), at(wT, 1)],
    [at(h, 2), at(wT, 2)],
  ] as const;
  const testPairs = trainPairs.slice(0, 3);
  const steps = Math.ceil(trainImages / batch);
  const testSteps = Math.ceil(testImages / batch);
  const run = (pairs: readonly (readonly [{ data: Float32Array; shape: [number, number] }, { data: Float32Array; shape: [number, number] }])[], multiply: boolean): void =>
    tf.tidy(() => {
      for (const [a, b] of pairs) {
        const left = tf.tensor2d(a.data, a.shape);
        const right = tf.tensor2d(b.data, b.shape);
        if (multiply) tf.matMul(left, right);
      }
    });
  const time = (fn: () => void): { wall: number; cpu: number } => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    fn();
    const cpu = process.cpuUsage(cpuStarted);
    return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
  };
  const job = (multiply: boolean) => (): void => {
    for (let i = 0; i < steps; i++) run(trainPairs, multiply);
    for (let i = 0; i < testSteps; i++) run(testPairs, multiply);
  };
  for (let i = 0; i < 5; i++) run(trainPairs, true); // warm-up
  const withProducts = time(job(true));
  const operandsOnly = time(job(false));
  return { wall: Math.max(0, withProducts.wall - operandsOnly.wall), cpu: Math.max(0, withProducts.cpu - operandsOnly.cpu) };
}
