import type { ReadableDb } from '../db/database.js';
import { classLabels, datasetIdNamed, splitSize, testImagesBelow } from '../sql/datasets.js';
import type { Population } from './finalize.js';
import { RowProblem } from './problems.js';

export interface DatasetLink {
  datasetId: number;
  /** images.id of the test image with idx i, for each image_index i. */
  imageIds: Float64Array;
}

/**
 * Matches image_index i to the dataset's test image with idx i. Refuses an index
 * beyond the test split, a true label that differs from the dataset's label and a
 * predicted label that is not one of its classes. null when no dataset has this name
 * (the import is then labels-only).
 */
export function linkDataset(db: ReadableDb, name: string, population: Population): DatasetLink | null {
  const datasetId = datasetIdNamed(db, name);
  if (datasetId === undefined) return null;
  const n = population.images;
  const testCount = splitSize(db, datasetId, 'test');
  if (n > testCount) {
    throw new RowProblem(population.placeOfImage(testCount), `image_index ${testCount} is beyond the test split of dataset '${name}' (${testCount} images, idx 0..${testCount - 1})`);
  }
  const imageIds = new Float64Array(n);
  for (const [id, idx, label] of testImagesBelow(db, datasetId, n)) {
    const expected = population.trueLabels[idx];
    if (label !== expected) {
      throw new RowProblem(population.placeOfImage(idx), `true label ${expected} of image_index ${idx} differs from dataset '${name}', whose test image ${idx} has label ${label}`);
    }
    imageIds[idx] = id;
  }
  checkPredictedClasses(db, datasetId, name, population);
  return { datasetId, imageIds };
}

function checkPredictedClasses(db: ReadableDb, datasetId: number, name: string, population: Population): void {
  const labels = classLabels(db, datasetId);
  const known = new Uint8Array(Math.max(0, ...labels) + 1);
  for (const label of labels) known[label] = 1;
  for (const model of population.models) {
    const { predicted, imageIndex, length } = model.rows;
    for (let j = 0; j < length; j++) {
      const label = predicted[j] as number;
      if (known[label] !== 1) {
        throw new RowProblem(model.rows.place(j), `predicted label ${label} of image_index ${imageIndex[j]} is not a class of dataset '${name}' (${labels.length} classes)`);
      }
    }
  }
}
