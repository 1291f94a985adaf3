import { UserError } from '../errors.js';
import type { ImportedModel } from './population.js';
import { RowProblem, type RowPlace } from './problems.js';

/** A model whose rows cover images 0..n-1 exactly once each. */
export interface CheckedModel extends ImportedModel {
  /** rowOf[i] is the row holding image i; null when the rows are already in image order. */
  rowOf: Int32Array | null;
  top1: number;
}

export interface Population {
  images: number;
  trueLabels: Int32Array;
  models: CheckedModel[];
  /** The row that gave image i its true label (in the first model), for messages. */
  placeOfImage(image: number): RowPlace;
}

/**
 * Checks the population as a whole, once every file is read: a dense population
 * exists, each model has each image 0..n-1 exactly once, all models have the same
 * images, and all agree on every image's true label. Works on the typed arrays in
 * place; only models whose rows are out of image order get an index array.
 */
export function finalizePopulation(models: ImportedModel[], files: string[]): Population {
  if (!models.some((m) => m.method === 'dense')) {
    const named = files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ');
    throw new UserError(`${named}: no dense models (variant 'dense'); the dense population is the baseline every variant is compared with`);
  }
  const ordered = models.map((m) => ({ ...m, rowOf: imageOrder(m), top1: 0 }));
  const widest = ordered.reduce((a, b) => (b.rows.length > a.rows.length ? b : a));
  const n = widest.rows.length;
  for (const model of ordered) {
    if (model.rows.length < n) {
      const missing = model.rows.length;
      throw new RowProblem(
        model.firstPlace,
        `${model.label} has no row for image_index ${missing}, which ${widest.label} has ({other}); every model must cover the same images`,
        placeOf(widest, missing),
      );
    }
  }
  const base = ordered[0] as CheckedModel;
  const trueLabels = new Int32Array(n);
  for (let i = 0; i < n; i++) trueLabels[i] = base.rows.trueLabel[rowOf(base, i)] ?? 0;
  for (const model of ordered) {
    const { trueLabel, predicted } = model.rows;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = rowOf(model, i);
      const label = trueLabel[row];
      if (label !== trueLabels[i]) {
        throw new RowProblem(placeOf(model, i), `true label ${label} of image_index ${i} contradicts true label ${trueLabels[i]} ({other})`, placeOf(base, i));
      }
      if (predicted[row] === label) correct++;
    }
    model.top1 = correct / n;
  }
  return { images: n, trueLabels, models: ordered, placeOfImage: (i) => placeOf(base, i) };
}

function rowOf(model: CheckedModel, image: number): number {
  return model.rowOf ? (model.rowOf[image] ?? 0) : image;
}

/** The file and record of the row that holds image `image` of a model. */
export function placeOf(model: CheckedModel, image: number): RowPlace {
  return model.rows.place(rowOf(model, image));
}

/**
 * null when row j holds image j for every j (the usual case); otherwise the row of
 * each image. Refuses a duplicate image or a gap: with r rows, any index >= r means
 * some index below r is missing. Memory: one int per row, never per index value.
 */
function imageOrder(model: ImportedModel): Int32Array | null {
  const { rows } = model;
  const r = rows.length;
  const index = rows.imageIndex;
  let inOrder = true;
  for (let j = 0; j < r; j++) {
    if (index[j] !== j) {
      inOrder = false;
      break;
    }
  }
  if (inOrder) return null;
  const order = new Int32Array(r).fill(-1);
  let beyond = -1;
  for (let j = 0; j < r; j++) {
    const image = index[j] ?? 0;
    if (image >= r) {
      if (beyond < 0) beyond = j;
      continue;
    }
    const first = order[image] ?? -1;
    if (first >= 0) throw new RowProblem(rows.place(j), `${model.label} has image_index ${image} twice (also {other})`, rows.place(first));
    order[image] = j;
  }
  if (beyond >= 0) {
    const missing = order.indexOf(-1);
    throw new RowProblem(
      rows.place(beyond),
      `image_index ${index[beyond]} but ${model.label} has ${r} row${r === 1 ? '' : 's'}, so it has no row for image_index ${missing} (image indices must run 0..n-1)`,
    );
  }
  return order;
}
