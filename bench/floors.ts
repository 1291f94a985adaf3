import * as tf from '@tensorflow/tfjs';

/**
 * Lower bounds for the peer jobs on this machine, measured rather than argued: the
 * time the backend needs for the job's matrix products alone, and the time SQLite
 * needs to store the rows alone. A ratio to the peer below these floors cannot be
 * reached by any change to our own code around them.
 */

/**
 * The matrix products of one epoch of LeNet-300-100 (60,000 images, batch 128) and of
 * the test predictions (10,000 images), in the fastest form the backend offers (plain
 * products, operands transposed beforehand, no product for the input layer's dX; the
 * WASM backend computes synchronously, so each call has finished when it returns):
 * forward x.W1, h1.W2, h2.W3; backward dW1 = xT.d1, dW2 = h1T.d2, dW3 = h2T.d3,
 * d1 = d2.W2T, d2 = d3.W3T. Returns seconds (CPU time of this thread).
 */
export function matMulFloorSeconds(trainImages = 60_000, testImages = 10_000, batch = 128): number {
  const layers = [784, 300, 100, 10];
  const operands = tf.tidy(() => {
    const make = (rows: number, cols: number): tf.Tensor2D => tf.keep(tf.randomUniform([rows, cols], -1, 1));
    return {
      x: make(batch, 784),
      xT: make(784, batch),
      w: layers.slice(0, -1).map((n, k) => make(n, layers[k + 1] as number)),
      wT: layers.slice(0, -1).map((n, k) => make(layers[k + 1] as number, n)),
      h: layers.slice(1).map((n) => make(batch, n)),
      hT: layers.slice(1).map((n) => make(n, batch)),
    };
  });
  const { x, xT, w, wT, h, hT } = operands;
  const at = <T>(list: T[], k: number): T => list[k] as T;
  const trainStep = (): void =>
    tf.tidy(() => {
      // forward
      tf.matMul(x, at(w, 0));
      tf.matMul(at(h, 0), at(w, 1));
      tf.matMul(at(h, 1), at(w, 2));
      // backward: weight gradients, then the two upstream activations' gradients
      tf.matMul(xT, at(h, 0));
      tf.matMul(at(hT, 0), at(h, 1));
      tf.matMul(at(hT, 1), at(h, 2));
      tf.matMul(at(h, 1), at(wT, 1));
      tf.matMul(at(h, 2), at(wT, 2));
    });
  const testStep = (): void =>
    tf.tidy(() => {
      tf.matMul(x, at(w, 0));
      tf.matMul(at(h, 0), at(w, 1));
      tf.matMul(at(h, 1), at(w, 2));
    });
  for (let i = 0; i < 5; i++) trainStep(); // warm-up: XNNPACK caches its operators
  const started = process.cpuUsage();
  for (let i = 0; i < Math.ceil(trainImages / batch); i++) trainStep();
  for (let i = 0; i < Math.ceil(testImages / batch); i++) testStep();
  const used = process.cpuUsage(started);
  tf.dispose([x, xT, ...w, ...wT, ...h, ...hT]);
  return (used.user + used.system) / 1e6;
}
