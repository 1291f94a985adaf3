import * as tf from '@tensorflow/tfjs';

/**
 * How the learning rate moves over a run: 'constant' (the MLP presets, and every
 * experiment stored before schedules existed), or 'cosine': from the base rate at the
 * first step down to zero after the last, lr_t = lr * (1 + cos(pi * t / T)) / 2 for
 * steps t = 0 .. T-1 (the CNN's recipe, docs/science.md "Presets").
 */
export type LearningRateSchedule = 'constant' | 'cosine';

export const LEARNING_RATE_SCHEDULES: readonly LearningRateSchedule[] = ['constant', 'cosine'];

/** The learning rate for step `step` (0-based) of a run of `totalSteps` steps. */
export function learningRateAt(schedule: LearningRateSchedule, base: number, step: number, totalSteps: number): number {
  if (schedule === 'constant') return base;
  return (base * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
}

/**
 * tfjs's Adam (the same defaults as tf.train.adam) whose learning rate the trainer sets
 * before each step: applyGradients reads it afresh every time, so a constant rate gives
 * the same values, bit for bit, as tf.train.adam.
 */
export class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999) {
    super(learningRate, beta1, beta2);
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
}
