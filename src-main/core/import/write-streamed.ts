import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { stopPoint } from '../stop-points.js';
import { experimentImageInserter, insertExperiment } from '../sql/experiments.js';
import { importedModelInserter, modelTop1Setter } from '../sql/models.js';
import { deleteModelPredictions, PREDICTION_BATCH as BATCH, predictionInserter, type PredictionInserter } from '../sql/predictions.js';
import type { DatasetLink } from './dataset-link.js';
import type { Population } from './finalize.js';
import type { RowChunk } from './row-chunk.js';
import { writePredictions } from './write.js';

export interface StreamedTarget {
  name: string;
  config: Record<string, unknown>;
  datasetId: number | null;
}

/**
 * The writing side of an import that stores rows while the files are still being read,
 * inside a transaction the caller holds open: the experiment at once, each model on its
 * first row (its top-1 still unknown), each chunk of rows as it comes while the file is
 * grouped by model (otherwise every row at the end: storeAtTheEnd), and at the end, once the reader has
 * checked the whole population, the images and every model's top-1. A refusal at any
 * point is the caller's rollback.
 */
export class StreamedImportWriter {
  readonly experimentId: number;
  private readonly modelIds: number[] = [];
  private rowsStored = 0;
  /** The file turned out not grouped by model: every row is stored at the end, model by model. */
  private ungrouped = false;
  private readonly insertModel: ReturnType<typeof importedModelInserter>;
  private readonly predictions: PredictionInserter;
  private readonly values: unknown[] = new Array<unknown>(5 * BATCH);
  private readonly now = nowIso();

  constructor(
    private readonly db: Db,
    target: StreamedTarget,
  ) {
    this.experimentId = insertExperiment(db, { name: target.name, datasetId: target.datasetId, origin: 'imported', config: JSON.stringify(target.config), createdAt: this.now });
    this.insertModel = importedModelInserter(db, this.experimentId);
    this.predictions = predictionInserter(db);
  }

  /** Stores a chunk: its rows in order, each new model's row before the model's first prediction. */
  store(chunk: RowChunk): void {
    let from = 0;
    for (const { row, model } of chunk.starts) {
      this.storeRows(chunk, from, row);
      // A file grouped by model has stored the previous model whole here.
      if (this.modelIds.length > 0) stopPoint('import-write'); // crash tests only: see stop-points.ts
      this.modelIds.push(this.insertModel({ ...model, top1: null, finishedAt: this.now }));
      from = row;
    }
    this.storeRows(chunk, from, chunk.length);
    this.rowsStored += chunk.length;
  }

  /**
   * No more chunks will come: the file is not grouped by model. The rows stored so far
   * are removed (a file interleaved by image has none yet: its first chunk is not full
   * when that shows); `finish` stores every model's rows in image order, which keeps
   * SQLite appending to one key range at a time.
   */
  storeAtTheEnd(): void {
    this.ungrouped = true;
    deleteModelPredictions(this.db, this.modelIds);
    this.rowsStored = 0;
  }

  /** What only the whole population tells: the images (linked to the dataset's or not) and each model's top-1. */
  finish(population: Population, link: DatasetLink | null): void {
    if (this.ungrouped) {
      for (const model of population.models.slice(this.modelIds.length)) this.modelIds.push(this.insertModel({ ...model, top1: null, finishedAt: this.now }));
      population.models.forEach((model, k) => {
        writePredictions(model, this.modelIds[k] as number, population.images, this.predictions.batch, this.predictions.one);
        this.rowsStored += population.images;
        stopPoint('import-write'); // crash tests only: see stop-points.ts
      });
    }
    if (population.models.length !== this.modelIds.length) {
      throw new Error(`the import stored ${this.modelIds.length} models while reading but read ${population.models.length}`);
    }
    // A checked population has every model's every image once: any other count is a row lost (or doubled) on the way.
    if (this.rowsStored !== population.models.length * population.images) {
      throw new Error(`the import stored ${this.rowsStored} rows while reading but read ${population.models.length * population.images}`);
    }
    const insertImage = experimentImageInserter(this.db);
    const { trueLabels, images } = population;
    for (let i = 0; i < images; i++) insertImage(this.experimentId, i, trueLabels[i] as number, link ? (link.imageIds[i] as number) : null);
    const setTop1 = modelTop1Setter(this.db);
    population.models.forEach((model, k) => setTop1(this.modelIds[k] as number, model.top1));
    if (!this.ungrouped) stopPoint('import-write'); // the last model's rows are stored; nothing is committed yet
  }

  private storeRows(chunk: RowChunk, from: number, to: number): void {
    const { model, imageIndex, predicted, probability, trueProbability } = chunk;
    const ids = this.modelIds;
    const values = this.values;
    let i = from;
    for (; i + BATCH <= to; i += BATCH) {
      for (let k = 0; k < BATCH; k++) {
        const row = i + k;
        const t = trueProbability[row] as number;
        const o = 5 * k;
        values[o] = ids[model[row] as number];
        values[o + 1] = imageIndex[row];
        values[o + 2] = predicted[row];
        values[o + 3] = probability[row];
        values[o + 4] = Number.isNaN(t) ? null : t;
      }
      this.predictions.batch(values);
    }
    for (; i < to; i++) {
      const t = trueProbability[i] as number;
      this.predictions.one([ids[model[i] as number], imageIndex[i], predicted[i], probability[i], Number.isNaN(t) ? null : t]);
    }
  }
}
