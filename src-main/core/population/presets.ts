import type { Arch } from '../training/network.js';
import type { BackendName } from '../training/backend.js';
import type { LearningRateSchedule } from '../training/learning-rate.js';
import type { LongTailConfig } from './long-tail.js';

export type QuantizeMethod = 'fp16' | 'int8';
export type PresetName = 'smoke' | 'quick' | 'paper' | 'longtail';

/** Everything that defines a population run; stored with the experiment so --resume repeats it exactly. */
export interface PopulationConfig {
  preset: PresetName | 'custom';
  models: number;
  sparsities: number[];
  quantize: QuantizeMethod[];
  epochs: number;
  arch: Arch;
  batchSize: number;
  learningRate: number;
  /** Undefined is 'constant': the MLP presets, and every experiment stored before schedules. */
  learningRateSchedule?: LearningRateSchedule;
  /** Train on the first N training images (all when undefined). */
  trainLimit?: number;
  seed: number;
  backend?: BackendName;
  /** Train on a class-imbalanced subset of the training split (docs/science.md). */
  longTail?: LongTailConfig;
  /** The worker threads the run was started with; resume uses them unless told otherwise (unset: all cores). */
  workers?: number;
}

export const PRESETS: Record<PresetName, Omit<PopulationConfig, 'preset' | 'arch' | 'seed' | 'backend'>> = {
  // Seconds: for tests and a first look.
  smoke: { models: 2, sparsities: [0, 0.9], quantize: [], epochs: 1, batchSize: 128, learningRate: 1e-3, trainLimit: 6000 },
  // The default: the paper's method at a size that runs in minutes on two cores. The
  // MLP barely notices 90% sparsity; 97% loses about what the paper's ImageNet models
  // lose at 90%, and 99% shows the steep end (docs/science.md, "Presets").
  quick: { models: 4, sparsities: [0, 0.9, 0.97, 0.99], quantize: ['int8'], epochs: 6, batchSize: 128, learningRate: 1e-3 },
  // The paper's population design (30 models per variant), over the same regime.
  paper: { models: 30, sparsities: [0, 0.5, 0.7, 0.9, 0.95, 0.97, 0.99], quantize: ['fp16', 'int8'], epochs: 10, batchSize: 128, learningRate: 1e-3 },
  // quick's population on a long-tailed training set: the last class keeps a tenth of the first's images.
  longtail: { models: 4, sparsities: [0, 0.9, 0.97, 0.99], quantize: ['int8'], epochs: 6, batchSize: 128, learningRate: 1e-3, longTail: { ratio: 10 } },
};

/**
 * The CNN's own training recipe, on every preset: Adam from 2e-3 with a cosine decay to
 * zero over the run reaches dense top-1 0.89 on Fashion-MNIST in quick's 6 epochs, where
 * the MLP's constant 1e-3 stops short (docs/science.md, "Presets";
 * bench/peers/cnn_recipe_search.py). The MLP's presets are unchanged.
 */
export const CNN_RECIPE: Pick<PopulationConfig, 'learningRate' | 'learningRateSchedule'> = { learningRate: 2e-3, learningRateSchedule: 'cosine' };

/** A preset's design for an architecture: the CNN trains with its own recipe. */
export function presetDesign(name: PresetName, arch: Arch): (typeof PRESETS)[PresetName] {
  return arch === 'cnn' ? { ...PRESETS[name], ...CNN_RECIPE } : PRESETS[name];
}

/** The variant name of a trained model: 'dense' or 'magnitude-<sparsity>'. */
export function trainedVariantName(sparsity: number): string {
  return sparsity === 0 ? 'dense' : `magnitude-${sparsity}`;
}
