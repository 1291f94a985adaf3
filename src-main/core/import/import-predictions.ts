import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { datasetIdNamed } from '../sql/datasets.js';
import { inLongTransaction } from '../sql/transaction.js';
import { linkDataset } from './dataset-link.js';
import type { Population } from './finalize.js';
import { IMPORT_FORMATS, isImportFormat, type ImportFormat } from './formats.js';
import type { ImagePaths } from './long-csv.js';
import { explainProblem, RowProblem } from './problems.js';
import { readInWorker } from './read-in-worker.js';
import { readPopulation } from './read-population.js';
import { writeImport } from './write.js';
import { StreamedImportWriter } from './write-streamed.js';
import { refreshAfterWrite } from '../analysis/refresh.js';

export interface ImportOptions {
  format: string;
  /** The dataset the predictions are on; when none has this name, the import is labels-only. */
  datasetName: string;
  files: string[];
  onStatus?: (message: string) => void;
  /** The dataset's test images by path (folder datasets; null otherwise), for long-csv's image column. */
  imagePaths?: () => Promise<ImagePaths | null>;
  /**
   * Store rows while the files are still being read (a worker thread reads, this one
   * writes, in one transaction). Only for a database that opening does not change (it
   * exists, at the current schema): the database is opened before the files are known
   * good. Otherwise everything is read first and the database opened after, as before.
   */
  storeWhileReading?: boolean;
  /** Called once the rows are committed, before the analysis is brought up to date (benches time the two apart). */
  onCommitted?: () => void;
}

export interface ImportSummary {
  experimentId: number;
  datasetId: number | null;
  models: number;
  variants: number;
  images: number;
  predictions: number;
}

/**
 * Imports a population trained elsewhere, in one transaction: all of it or nothing.
 * Either every file is read and checked before the database is opened for writing, or
 * (`storeWhileReading`) a worker thread reads and checks while this thread stores the
 * rows read so far; a refusal anywhere, even on the last row, rolls everything back.
 * `useDatabase` opens the database, runs the function and closes it.
 */
export async function importPredictions(options: ImportOptions, useDatabase: (fn: (db: Db) => Promise<ImportSummary>) => Promise<ImportSummary>): Promise<ImportSummary> {
  const format = checkOptions(options);
  try {
    const images = format === 'long-csv' ? ((await options.imagePaths?.()) ?? undefined) : undefined;
    if (options.storeWhileReading) return await useDatabase((db) => storeWhileReading(db, format, options, images));
    const population = await readPopulation(format, options.files, images);
    return await useDatabase(async (db) => store(db, population, format, options));
  } catch (error) {
    if (error instanceof RowProblem) throw await explainProblem(error);
    throw error;
  }
}

function store(db: Db, population: Population, format: ImportFormat, options: ImportOptions): ImportSummary {
  const link = linkDataset(db, options.datasetName, population);
  const experimentId = writeImport(db, population, { name: experimentName(options.datasetName, link !== null), link, config: importConfig(format, options, link !== null) });
  return afterCommit(db, experimentId, population, link?.datasetId ?? null, options);
}

async function storeWhileReading(db: Db, format: ImportFormat, options: ImportOptions, images: ImagePaths | undefined): Promise<ImportSummary> {
  const name = options.datasetName;
  const { experimentId, population, datasetId } = await inLongTransaction(db, async () => {
    const dataset = datasetIdNamed(db, name) ?? null;
    const writer = new StreamedImportWriter(db, { name: experimentName(name, dataset !== null), datasetId: dataset, config: importConfig(format, options, dataset !== null) });
    const read = await readInWorker(
      { format, files: options.files, images },
      (chunk) => writer.store(chunk),
      () => writer.storeAtTheEnd(),
    );
    writer.finish(read, linkDataset(db, name, read));
    return { experimentId: writer.experimentId, population: read, datasetId: dataset };
  });
  return afterCommit(db, experimentId, population, datasetId, options);
}

function experimentName(dataset: string, linked: boolean): string {
  return linked ? `${dataset} imported ${nowIso().slice(0, 16).replace('T', ' ')}` : dataset;
}

function importConfig(format: ImportFormat, options: ImportOptions, linked: boolean): Record<string, unknown> {
  return { format, dataset: options.datasetName, linked, files: options.files.map((f) => path.resolve(f)) };
}

/** The analysis brought up to date (it is kept current where predictions are written), and what was imported. */
function afterCommit(db: Db, experimentId: number, population: Population, datasetId: number | null, options: ImportOptions): ImportSummary {
  if (datasetId === null) options.onStatus?.(`no dataset named '${options.datasetName}': importing labels only, with no images (add the dataset first to link them)`);
  options.onCommitted?.();
  refreshAfterWrite(db, experimentId);
  return {
    experimentId,
    datasetId,
    models: population.models.length,
    variants: new Set(population.models.map((m) => m.variant)).size,
    images: population.images,
    predictions: population.models.length * population.images,
  };
}

/** Refuses a bad format, an empty dataset name, and missing or repeated files before reading any. */
function checkOptions(options: ImportOptions): ImportFormat {
  if (!isImportFormat(options.format)) throw new UserError(`unknown --format '${options.format}': choose ${IMPORT_FORMATS.join(' or ')}`);
  if (options.datasetName.trim() === '') throw new UserError('--dataset needs a name');
  if (options.files.length === 0) throw new UserError('no files to import');
  const seen = new Set<string>();
  for (const file of options.files) {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) throw new UserError(`${file}: given twice`);
    seen.add(resolved);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))})`);
    }
    if (!stat.isFile()) throw new UserError(`${file}: not a file`);
  }
  return options.format;
}
