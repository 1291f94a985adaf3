/**
 * A checked population as plain data, to hand from the reading thread to the writing
 * one: its typed arrays are transferred (moved), not copied, so the hand-over costs no
 * memory and next to no time.
 */
import { placeOf, type CheckedModel, type Population } from './finalize.js';
import { ModelRows, type ModelRowsParts } from './model-rows.js';

type ModelParts = Omit<CheckedModel, 'rows'> & { rows: ModelRowsParts };

export interface PopulationParts {
  images: number;
  trueLabels: Int32Array;
  models: ModelParts[];
}

export function populationToParts(population: Population): { parts: PopulationParts; buffers: ArrayBuffer[] } {
  const models = population.models.map((m) => ({ ...m, rows: m.rows.toParts() }));
  const buffers = new Set<ArrayBuffer>([population.trueLabels.buffer as ArrayBuffer]);
  for (const { rows, rowOf } of models) {
    for (const a of [rows.imageIndex, rows.trueLabel, rows.predicted, rows.probability, rows.trueProbability, rows.record]) buffers.add(a.buffer as ArrayBuffer);
    if (rowOf) buffers.add(rowOf.buffer as ArrayBuffer);
  }
  return { parts: { images: population.images, trueLabels: population.trueLabels, models }, buffers: [...buffers] };
}

export function populationFromParts(parts: PopulationParts): Population {
  const models: CheckedModel[] = parts.models.map((m) => ({ ...m, rows: ModelRows.fromParts(m.rows) }));
  const base = models[0] as CheckedModel;
  return {
    images: parts.images,
    trueLabels: parts.trueLabels,
    models,
    placeOfImage: (i) => placeOf(base, i),
  };
}
