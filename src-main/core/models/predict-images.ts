import { UserError } from '../errors.js';
import type { LoadedModel } from './loaded-model.js';
import type { InputSpec } from './manifest.js';
import { inputBatch } from './preprocess.js';
import { emptyPredictions, scoreBatch, type Predictions } from './scores.js';

export interface PredictOptions {
  input: InputSpec;
  output: 'logits' | 'probabilities';
  batchSize: number;
  count: number;
  numClasses: number;
}

/** Thrown between batches once the caller has asked to stop (Ctrl+C, Cancel). */
export class PredictionStopped extends Error {}

/**
 * One opened model over `count` images (at the model's size, uint8, channels last),
 * batch by batch: the one inference loop of imported models, used by `models import`
 * and by `evaluate` on their corrupted or other test sets. `onBatch` gets the images done;
 * `stopRequested` is asked before each batch.
 */
export async function predictImages(model: LoadedModel, file: string, pixels: Uint8Array, labels: Uint16Array, options: PredictOptions, onBatch?: (done: number) => void, stopRequested?: () => boolean): Promise<Predictions> {
  const predictions = emptyPredictions(options.count);
  for (let start = 0; start < options.count; start += options.batchSize) {
    if (stopRequested?.()) throw new PredictionStopped();
    const batch = Math.min(options.batchSize, options.count - start);
    const { values, width } = await model.run(inputBatch(pixels, start, batch, options.input), batch);
    if (width !== options.numClasses) throw new UserError(`${file}: output '${model.outputName}' has ${width} values per image; the dataset has ${options.numClasses} classes`);
    const problem = scoreBatch(values, width, batch, options.output, labels, start, predictions);
    if (problem) throw new UserError(`${file}: ${problem}`);
    onBatch?.(start + batch);
  }
  return predictions;
}
