import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { linkDataset } from './dataset-link.js';
import { finalizePopulation, type Population } from './finalize.js';
import { IMPORT_FORMATS, isImportFormat, type ImportFormat } from './formats.js';
import { readLongCsv, type ImagePaths } from './long-csv.js';
import { PopulationBuilder } from './population.js';
import { explainProblem, RowProblem } from './problems.js';
import { readReferenceCsv } from './reference-csv.js';
import { writeImport } from './write.js';
import { refreshAfterWrite } from '../analysis/refresh.js';

export interface ImportOptions {
  format: string;
  /** The dataset the predictions are on; when none has this name, the import is labels-only. */
  datasetName: string;
  files: string[];
  onStatus?: (message: string) => void;
  /** The dataset's test images by path (folder datasets; null otherwise), for long-csv's image column. */
  imagePaths?: () => Promise<ImagePaths | null>;
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
 * Imports a population trained elsewhere. Every file is read and checked before the
 * database is opened for writing; then everything is written in one transaction.
 * `useDatabase` opens the database, runs the function and closes it.
 */
export async function importPredictions(options: ImportOptions, useDatabase: (fn: (db: Db) => ImportSummary) => Promise<ImportSummary>): Promise<ImportSummary> {
  const format = checkOptions(options);
  try {
    const images = format === 'long-csv' ? ((await options.imagePaths?.()) ?? undefined) : undefined;
    const population = await readPopulation(format, options.files, images);
    return await useDatabase((db) => store(db, population, format, options));
  } catch (error) {
    if (error instanceof RowProblem) throw await explainProblem(error);
    throw error;
  }
}

async function readPopulation(format: ImportFormat, files: string[], images?: ImagePaths): Promise<Population> {
  const builder = new PopulationBuilder();
  if (format === 'long-csv') await readLongCsv(files, builder, images);
  else await readReferenceCsv(files, builder);
  return finalizePopulation(builder.models, files);
}

function store(db: Db, population: Population, format: ImportFormat, options: ImportOptions): ImportSummary {
  const name = options.datasetName;
  const link = linkDataset(db, name, population);
  if (!link) options.onStatus?.(`no dataset named '${name}': importing labels only, with no images (add the dataset first to link them)`);
  const experimentId = writeImport(db, population, {
    name: link ? `${name} imported ${nowIso().slice(0, 16).replace('T', ' ')}` : name,
    link,
    config: { format, dataset: name, linked: link !== null, files: options.files.map((f) => path.resolve(f)) },
  });
  refreshAfterWrite(db, experimentId); // the analysis is kept current where predictions are written
  return {
    experimentId,
    datasetId: link?.datasetId ?? null,
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
