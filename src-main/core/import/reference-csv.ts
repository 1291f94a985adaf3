import path from 'node:path';
import { nonNegativeInt, probabilityCell } from './cells.js';
import { mapColumns, type ColumnMap } from './columns.js';
import { readTable } from './csv-stream.js';
import { LONG_CSV, REFERENCE_CSV } from './formats.js';
import type { ImportedModel, PopulationBuilder } from './population.js';
import { RowProblem, type RowPlace } from './problems.js';
import { parseSparsity, quoteCell } from './values.js';

type Columns = ColumnMap<(typeof REFERENCE_CSV.required)[number], (typeof REFERENCE_CSV.optional)[number]>;

/** The checkpoint a file holds, with the cells that named it on its first row. */
interface Checkpoint {
  model: ImportedModel;
  fraction: string;
  exp: string | undefined;
}

/**
 * Reads the per-checkpoint CSV files of the paper's reference code
 * (pie_dataset_gen/imagenet_predictions.py, written by DataFrame.to_csv): one file is
 * one model. Only the predicted label's probability is in the file, so the true
 * label's probability is known only where the prediction is right.
 */
export async function readReferenceCsv(files: string[], builder: PopulationBuilder): Promise<void> {
  for (const file of files) {
    let c: Columns | undefined;
    let checkpoint: Checkpoint | undefined;
    await readTable(
      file,
      (header) => (c = mapColumns(header, file, REFERENCE_CSV, LONG_CSV)),
      (fields, record) => {
        const columns = c as Columns;
        if (!checkpoint) checkpoint = newCheckpoint(fields, columns, { file, record }, builder);
        else if (fields[columns.fraction_pruned] !== checkpoint.fraction || (columns.exp !== undefined && fields[columns.exp] !== checkpoint.exp)) {
          checkSameCheckpoint(fields, columns, { file, record }, checkpoint);
        }
        const index = nonNegativeInt(fields, columns[''], 'image index (unnamed first column)', file, record);
        const trueLabel = nonNegativeInt(fields, columns.true_class, 'true_class', file, record);
        const predicted = nonNegativeInt(fields, columns.predictions, 'predictions', file, record);
        const probability = probabilityCell(fields, columns.predicted_probability, 'predicted_probability', file, record, false);
        checkpoint.model.rows.push(file, record, index, trueLabel, predicted, probability, predicted === trueLabel ? probability : NaN);
      },
    );
  }
}

/**
 * Variant from fraction_pruned (dense at 0); seed from `exp` when it is an integer,
 * else the file's position among the files of its variant, in the order given.
 */
function newCheckpoint(fields: string[], c: Columns, place: RowPlace, builder: PopulationBuilder): Checkpoint {
  const fraction = fields[c.fraction_pruned] as string;
  const targetSparsity = parseSparsity(fraction);
  if (Number.isNaN(targetSparsity)) throw new RowProblem(place, `fraction_pruned ${quoteCell(fraction)} is not a number in [0, 1)`);
  const variant = targetSparsity === 0 ? 'dense' : `magnitude-${targetSparsity}`;
  const exp = c.exp === undefined ? undefined : (fields[c.exp] as string);
  const seed = exp !== undefined && /^[+-]?\d{1,15}$/.test(exp) ? Number(exp) : builder.countOfVariant(variant) + 1;
  const name = path.basename(place.file);
  const source = exp === undefined ? name : `${name} exp=${exp}`;
  const model = builder.addModel({ variant, targetSparsity, seed, source, label: `the checkpoint of ${name}` }, place);
  return { model, fraction, exp };
}

function checkSameCheckpoint(fields: string[], c: Columns, place: RowPlace, checkpoint: Checkpoint): void {
  const fraction = fields[c.fraction_pruned] as string;
  if (parseSparsity(fraction) !== checkpoint.model.targetSparsity) {
    throw new RowProblem(
      place,
      `fraction_pruned ${quoteCell(fraction)} here but ${quoteCell(checkpoint.fraction)} on the first row ({other}); a file must hold one checkpoint`,
      checkpoint.model.firstPlace,
    );
  }
  const exp = c.exp === undefined ? undefined : (fields[c.exp] as string);
  if (exp !== checkpoint.exp) {
    throw new RowProblem(place, `exp ${quoteCell(exp ?? '')} here but ${quoteCell(checkpoint.exp ?? '')} on the first row ({other}); a file must hold one checkpoint`, checkpoint.model.firstPlace);
  }
}
