import type { FinishedModel } from '../sql/eval-sets.js';
import type { SplitData } from '../training/data.js';

/** One model's predictions on an evaluation set, as stored. */
export interface SetPredictions {
  top1: number;
  predicted: Uint8Array | Uint16Array;
  predictedProbability: Float32Array;
  trueLabelProbability: Float32Array;
}

/**
 * How a population's models are run on an evaluation set: trained populations on their
 * stored weights, imported ones on their model files. `forSet` prepares what all models
 * of a set share (normalised or resized images) once.
 */
export interface PopulationRunner {
  backend: string;
  forSet(images: SplitData): (model: FinishedModel) => Promise<SetPredictions>;
}
