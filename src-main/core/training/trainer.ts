import * as tf from '@tensorflow/tfjs';
import { Random } from '../random.js';
import { FusedAdam } from './fused-adam.js';
import { ModelParams } from './model-params.js';
import { forward, initialParams, paramSpecs, type Arch, type InputShape, type ParamSpec } from './network.js';
import { magnitudeMask, measuredSparsity } from './pruning.js';
import { defaultSchedule, isUpdateStep, sparsityAt, type PruningSchedule } from './schedule.js';
import { learningRateAt, type LearningRateSchedule } from './learning-rate.js';

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

  const params = new ModelParams(specs, init);
  const kernels = specs.filter((s) => s.kind === 'kernel');
  // Per parameter: 1 where a weight is kept; null for biases, and until pruning starts.
  const masks: (tf.Tensor | null)[] = specs.map(() => null);
  // On WASM one fused kernel (Adam and the masks in one pass); tfjs's Adam elsewhere.
  const optimizer = new FusedAdam(config.learningRate, specs.map((s) => s.shape));
  const learningRateSchedule = config.learningRateSchedule ?? 'constant';
  // Batches are assembled in JavaScript: copying 128 rows is ~0.05 ms, where tf.gather
  // on the WASM backend takes ~5 ms per batch (a third of a training step).
  const batchX = new Float32Array(config.batchSize * size);
  const batchY = new Float32Array(config.batchSize * data.numClasses);
  const batchLabels = new Int32Array(config.batchSize);

  const updateMasks = (sparsity: number): void => {
    for (const [i, spec] of specs.entries()) {
      const variable = params.variables[i];
      if (spec.kind !== 'kernel' || !variable) continue;
      masks[i]?.dispose();
      const mask = tf.tensor(magnitudeMask(variable.dataSync() as Float32Array, sparsity), spec.shape);
      masks[i] = mask;
      tf.tidy(() => variable.assign(tf.mul(variable, mask)));
    }
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
          })(params.variables);
          optimizer.setLearningRate(learningRateAt(learningRateSchedule, config.learningRate, step, totalSteps));
          // Masked weights end at exactly zero.
          optimizer.apply(params.variables, grads, masks);
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
    const values = params.values();
    for (const [i, spec] of specs.entries()) weights.set(spec.name, { shape: spec.shape, values: values[i] ?? new Float32Array() });
    const sparsity = measuredSparsity(kernels.map((k) => weights.get(k.name)?.values ?? new Float32Array()));
    return { weights, specs, measuredSparsity: sparsity, schedule, steps: totalSteps };
  } finally {
    optimizer.dispose();
    params.dispose();
    tf.dispose(masks.filter((m): m is tf.Tensor => m !== null));
  }
}
