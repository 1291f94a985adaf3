import * as tf from '@tensorflow/tfjs';
import { Random } from '../random.js';
import { FlatParams, sizeOf } from './flat-params.js';
import { forward, initialParams, paramSpecs, type Arch, type InputShape, type ParamSpec } from './network.js';
import { magnitudeMask, measuredSparsity } from './pruning.js';
import { defaultSchedule, isUpdateStep, sparsityAt, type PruningSchedule } from './schedule.js';
import { learningRateAt, ScheduledAdam, type LearningRateSchedule } from './learning-rate.js';

export interface TrainConfig {
  arch: Arch;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** 'constant' when undefined. */
  learningRateSchedule?: LearningRateSchedule;
  /** 0 for a dense model. */
  targetSparsity: number;
  schedule?: Partial<PruningSchedule>;
}

export interface TrainInput {
  /** count x size, normalised. */
  x: Float32Array;
  labels: Uint8Array;
  count: number;
  input: InputShape;
  numClasses: number;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
  accuracy: number;
  sparsity: number;
}

export type Weights = Map<string, { shape: number[]; values: Float32Array }>;

export interface TrainResult {
  weights: Weights;
  specs: ParamSpec[];
  measuredSparsity: number;
  schedule: PruningSchedule | null;
  steps: number;
}

/** Reports progress about this often (steps); reading the loss forces a sync. */
const REPORT_EVERY = 25;

/**
 * Trains one model with Adam on softmax cross-entropy, the learning rate following the
 * config's schedule step by step. Seeded: initial weights and
 * every epoch's shuffle come from `seed`, so the same seed on the same backend gives
 * the same weights. With a target sparsity, gradual magnitude pruning runs on every
 * kernel, and masked weights are set back to exactly zero after every optimizer step.
 */
export async function trainModel(config: TrainConfig, data: TrainInput, onProgress?: (p: TrainProgress) => void): Promise<TrainResult> {
  const random = new Random(config.seed);
  const specs = paramSpecs(config.arch, data.input, data.numClasses);
  const init = initialParams(specs, random);
  const size = data.input.height * data.input.width * data.input.channels;
  const stepsPerEpoch = Math.ceil(data.count / config.batchSize);
  const totalSteps = stepsPerEpoch * config.epochs;
  const schedule = config.targetSparsity > 0 ? defaultSchedule(totalSteps, config.targetSparsity, config.schedule) : null;

  const params = new FlatParams(specs, init);
  const flat = params.variable;
  const kernels = specs.filter((s) => s.kind === 'kernel');
  // 1 where a weight is kept, biases always 1; null until pruning starts.
  let mask = null as tf.Tensor1D | null;
  const optimizer = new ScheduledAdam(config.learningRate);
  const learningRateSchedule = config.learningRateSchedule ?? 'constant';
  // Batches are assembled in JavaScript: copying 128 rows is ~0.05 ms, where tf.gather
  // on the WASM backend takes ~5 ms per batch (a third of a training step).
  const batchX = new Float32Array(config.batchSize * size);
  const batchY = new Float32Array(config.batchSize * data.numClasses);
  const batchLabels = new Int32Array(config.batchSize);

  const updateMasks = (sparsity: number): void => {
    const values = params.current();
    const next = new Float32Array(params.size).fill(1);
    for (const spec of kernels) {
      const offset = params.offsetOf(spec.name);
      next.set(magnitudeMask(values.subarray(offset, offset + sizeOf(spec)), sparsity), offset);
    }
    mask?.dispose();
    mask = tf.tensor1d(next);
    const masked = tf.mul(flat, mask) as tf.Tensor1D;
    flat.assign(masked);
    masked.dispose();
  };

  let step = 0;
  let currentSparsity = 0;
  try {
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = random.permutation(data.count);
      for (let b = 0; b < stepsPerEpoch; b++, step++) {
        if (schedule && isUpdateStep(schedule, step)) {
          currentSparsity = sparsityAt(schedule, step);
          updateMasks(currentSparsity);
        }
        const report = onProgress !== undefined && (b % REPORT_EVERY === 0 || b === stepsPerEpoch - 1);
        const first = b * config.batchSize;
        const n = Math.min(data.count, first + config.batchSize) - first;
        batchY.fill(0);
        for (let r = 0; r < n; r++) {
          const image = order[first + r] ?? 0;
          batchX.set(data.x.subarray(image * size, (image + 1) * size), r * size);
          const label = data.labels[image] ?? 0;
          batchLabels[r] = label;
          batchY[r * data.numClasses + label] = 1;
        }
        const stats = tf.tidy(() => {
          const x = tf.tensor2d(batchX.subarray(0, n * size), [n, size]);
          const yIdx = tf.tensor1d(batchLabels.subarray(0, n), 'int32');
          const y = tf.tensor2d(batchY.subarray(0, n * data.numClasses), [n, data.numClasses]);
          let logits: tf.Tensor2D | undefined;
          const { value: cost, grads } = tf.valueAndGrads((...layers: tf.Tensor[]) => {
            const out = forward(config.arch, new Map(specs.map((spec, i) => [spec.name, layers[i] as tf.Tensor])), x, data.input);
            // The gradient tape disposes what f makes; keep the logits to score the batch.
            if (report) logits = tf.keep(out);
            return tf.losses.softmaxCrossEntropy(y, out) as tf.Scalar;
          })(params.layers());
          optimizer.setLearningRate(learningRateAt(learningRateSchedule, config.learningRate, step, totalSteps));
          // Adam is element-wise: one pass over the flat vector gives the same values,
          // bit for bit, as one pass per parameter.
          optimizer.applyGradients([{ name: flat.name, tensor: params.flatten(grads) }]);
          if (mask) flat.assign(tf.mul(flat, mask) as tf.Tensor1D);
          const scored = logits as tf.Tensor2D | undefined;
          if (!report || !cost || !scored) return undefined;
          const correct = tf.sum(tf.cast(tf.equal(tf.argMax(scored, 1), yIdx), 'float32'));
          const result = tf.keep(tf.stack([cost, tf.div(correct, n)]));
          scored.dispose();
          return result;
        });
        if (stats) {
          const [loss = NaN, accuracy = NaN] = stats.dataSync();
          stats.dispose();
          onProgress?.({ epoch: epoch + 1, epochs: config.epochs, step: step + 1, steps: totalSteps, loss, accuracy, sparsity: currentSparsity });
          // Let the worker's message port flush progress.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    const weights: Weights = new Map();
    const values = params.current();
    for (const spec of specs) {
      const offset = params.offsetOf(spec.name);
      weights.set(spec.name, { shape: spec.shape, values: values.slice(offset, offset + sizeOf(spec)) });
    }
    const sparsity = measuredSparsity(kernels.map((k) => weights.get(k.name)?.values ?? new Float32Array()));
    return { weights, specs, measuredSparsity: sparsity, schedule, steps: totalSteps };
  } finally {
    optimizer.dispose();
    flat.dispose();
    mask?.dispose();
  }
}
