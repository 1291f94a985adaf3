import { finalizePopulation, type Population } from './finalize.js';
import type { ImportFormat } from './formats.js';
import { readLongCsv, type ImagePaths } from './long-csv.js';
import { PopulationBuilder } from './population.js';
import { readReferenceCsv } from './reference-csv.js';
import type { RowStream } from './row-chunk.js';

/**
 * Reads and checks every file of an import into a population; nothing touches the
 * database. With `stream`, every row is also handed on as it is read.
 */
export async function readPopulation(format: ImportFormat, files: string[], images?: ImagePaths, stream?: RowStream): Promise<Population> {
  const builder = new PopulationBuilder(stream);
  if (format === 'long-csv') await readLongCsv(files, builder, images);
  else await readReferenceCsv(files, builder);
  return finalizePopulation(builder.models, files);
}
