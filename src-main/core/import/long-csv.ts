import path from 'node:path';
import { mapColumns, type ColumnMap } from './columns.js';
import { readTable } from './csv-stream.js';
import { LONG_CSV, REFERENCE_CSV } from './formats.js';
import type { ImportedModel, PopulationBuilder } from './population.js';
import { RowProblem, type RowPlace } from './problems.js';
import { nonNegativeInt, probabilityCell } from './cells.js';
import { parseSeed, parseSparsity, quoteCell } from './values.js';

/** A folder dataset's test images by their path relative to its folder ('/'-separated), to their idx. */
export type ImagePaths = Map<string, number>;

/** The idx of the image a cell names by path (as written, '\\' or '/' separated, an optional './'). */
function imageCell(fields: string[], column: number, images: ImagePaths | undefined, file: string, record: number): number {
  const text = fields[column] as string;
  const key = text.trim().replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const index = images?.get(key);
  if (index === undefined) throw new RowProblem({ file, record }, `image ${quoteCell(text)} is not a test image of the dataset (paths are relative to its folder)`);
  return index;
}

type Columns = ColumnMap<(typeof LONG_CSV.required)[number], (typeof LONG_CSV.optional)[number]>;

/** A model of the long format, with the cells that named it on its first row. */
interface LongModel {
  id: string;
  model: ImportedModel;
  variant: string;
  sparsity: string;
  seed: string;
}

/**
 * Reads long-format files (one row per model and image, as `export predictions`
 * writes them) into the builder. One model per distinct model_id across all files;
 * every row of a model must repeat its variant, target_sparsity and seed.
 */
export async function readLongCsv(files: string[], builder: PopulationBuilder, images?: ImagePaths): Promise<void> {
  const byId = new Map<string, LongModel>();
  for (const file of files) {
    let c: Columns | undefined;
    let last: LongModel | undefined;
    await readTable(
      file,
      (header) => {
        c = mapColumns(header, file, LONG_CSV, REFERENCE_CSV);
        if (c.image_index === undefined && c.image === undefined) {
          throw new RowProblem({ file, record: 1 }, 'not a long-csv file: missing column image_index (or image, the path of a folder dataset\'s image)');
        }
        if (c.image_index === undefined && !images) {
          throw new RowProblem({ file, record: 1 }, 'column image names images by path: --dataset must name a folder dataset added before (or give image_index)');
        }
        return c;
      },
      (fields, record) => {
        const columns = c as Columns;
        const id = fields[columns.model_id] as string;
        let entry = last?.id === id ? last : byId.get(id);
        if (!entry) {
          entry = newModel(fields, columns, { file, record }, builder);
          byId.set(id, entry);
        } else if (fields[columns.variant] !== entry.variant || fields[columns.target_sparsity] !== entry.sparsity || fields[columns.seed] !== entry.seed) {
          checkSameModel(fields, columns, { file, record }, entry);
        }
        last = entry;
        const index = columns.image_index !== undefined ? nonNegativeInt(fields, columns.image_index, 'image_index', file, record) : imageCell(fields, columns.image ?? 0, images, file, record);
        const trueLabel = nonNegativeInt(fields, columns.true_label, 'true_label', file, record);
        const predicted = nonNegativeInt(fields, columns.predicted_label, 'predicted_label', file, record);
        const probability = probabilityCell(fields, columns.predicted_probability, 'predicted_probability', file, record, false);
        const trueProbability =
          columns.true_label_probability === undefined ? NaN : probabilityCell(fields, columns.true_label_probability, 'true_label_probability', file, record, true);
        entry.model.rows.push(file, record, index, trueLabel, predicted, probability, trueProbability);
      },
    );
  }
}

function newModel(fields: string[], c: Columns, place: RowPlace, builder: PopulationBuilder): LongModel {
  const id = fields[c.model_id] as string;
  const variant = fields[c.variant] as string;
  const sparsity = fields[c.target_sparsity] as string;
  const seedText = fields[c.seed] as string;
  if (id === '') throw new RowProblem(place, 'model_id is empty');
  const targetSparsity = parseSparsity(sparsity);
  if (Number.isNaN(targetSparsity)) throw new RowProblem(place, `target_sparsity ${quoteCell(sparsity)} is not a number in [0, 1)`);
  const seed = parseSeed(seedText);
  if (seed === undefined) throw new RowProblem(place, `seed ${quoteCell(seedText)} is not an integer`);
  const label = `model ${quoteCell(id)}`;
  const model = builder.addModel({ variant, targetSparsity, seed, label, source: `${path.basename(place.file)} model_id=${id}` }, place);
  return { id, model, variant, sparsity, seed: seedText };
}

/** The slow path, when a row's cells differ as text: equal numbers written differently pass. */
function checkSameModel(fields: string[], c: Columns, place: RowPlace, entry: LongModel): void {
  const { model } = entry;
  const variant = fields[c.variant] as string;
  const sparsity = fields[c.target_sparsity] as string;
  const seed = fields[c.seed] as string;
  const differs = (what: string, here: string, first: string): RowProblem =>
    new RowProblem(place, `${model.label} has ${what} ${quoteCell(here)} here but ${quoteCell(first)} on its first row ({other}); every row of a model must agree`, model.firstPlace);
  if (variant !== entry.variant) throw differs('variant', variant, entry.variant);
  if (parseSparsity(sparsity) !== model.targetSparsity) throw differs('target_sparsity', sparsity, entry.sparsity);
  if (parseSeed(seed) !== model.seed) throw differs('seed', seed, entry.seed);
}
