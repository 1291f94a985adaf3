import * as tf from '@tensorflow/tfjs';
import { forward, type Arch, type InputShape } from './network.js';
import type { Weights } from './trainer.js';

export interface Predictions {
  predicted: Uint8Array;
  predictedProbability: Float32Array;
  trueLabelProbability: Float32Array;
  top1: number;
}

const EVAL_BATCH = 1000;

/** Every image's predicted label, its softmax probability and the true label's probability. */
export function predict(arch: Arch, weights: Weights, x: Float32Array, labels: Uint8Array, input: InputShape, numClasses: number): Predictions {
  const count = labels.length;
  const size = input.height * input.width * input.channels;
  const predicted = new Uint8Array(count);
  const predictedProbability = new Float32Array(count);
  const trueLabelProbability = new Float32Array(count);
  const params = new Map<string, tf.Tensor>();
  for (const [name, w] of weights) params.set(name, tf.tensor(w.values, w.shape));
  let correct = 0;
  try {
    for (let start = 0; start < count; start += EVAL_BATCH) {
      const n = Math.min(EVAL_BATCH, count - start);
      const probs = tf.tidy(() => {
        const batch = tf.tensor2d(x.subarray(start * size, (start + n) * size), [n, size]);
        return tf.softmax(forward(arch, params, batch, input));
      });
      const values = probs.dataSync();
      probs.dispose();
      for (let i = 0; i < n; i++) {
        let best = 0;
        let bestP = -1;
        for (let c = 0; c < numClasses; c++) {
          const p = values[i * numClasses + c] ?? 0;
          if (p > bestP) {
            bestP = p;
            best = c;
          }
        }
        const label = labels[start + i] ?? 0;
        predicted[start + i] = best;
        predictedProbability[start + i] = bestP;
        trueLabelProbability[start + i] = values[i * numClasses + label] ?? 0;
        if (best === label) correct++;
      }
    }
  } finally {
    tf.dispose([...params.values()]);
  }
  return { predicted, predictedProbability, trueLabelProbability, top1: count === 0 ? 0 : correct / count };
}
