import type { Db, ReadableDb } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { DATASET_NAME_RULE, DatasetName } from '../api/contract/datasets.js';
import { UserError } from '../errors.js';
import { datasetNamed, insertDatasetUnlessNamed, selectDatasets, type ExistingDatasetRow } from '../sql/datasets.js';
import type { DatasetSummary, ParsedDataset } from './types.js';

/** Dataset names appear in file names and URLs: the contract's DatasetName rule. */
export function checkDatasetName(name: string): void {
  if (!DatasetName.safeParse(name).success) throw new UserError(`dataset name '${name}' is not allowed (${DATASET_NAME_RULE})`);
}

export function assertNameFree(db: ReadableDb, name: string): void {
  const row = datasetNamed(db, name);
  if (row) throw takenName(name, row);
}

function takenName(name: string, row: ExistingDatasetRow): UserError {
  return new UserError(`a dataset named '${name}' already exists (${row.kind}, added ${row.created_at}); choose another --name`);
}

/** Writes a fully parsed dataset in one transaction: all of it, or nothing. */
export function insertDataset(db: Db, dataset: ParsedDataset): number {
  const written = insertDatasetUnlessNamed(db, dataset, nowIso());
  if ('existing' in written) throw takenName(dataset.name, written.existing);
  return written.id;
}

export function listDatasets(db: ReadableDb): DatasetSummary[] {
  return selectDatasets(db);
}

export function findDataset(db: ReadableDb, name: string): DatasetSummary {
  const found = listDatasets(db).find((d) => d.name === name);
  if (!found) throw new UserError(`no dataset named '${name}' (see: pie-audit datasets list)`);
  return found;
}
