/** What the main thread and an import's reading thread (read-worker.ts) say to each other. */
import type { ImportFormat } from './formats.js';
import type { ImagePaths } from './long-csv.js';
import type { PopulationParts } from './population-transfer.js';
import type { RowPlace } from './problems.js';
import type { RowChunk } from './row-chunk.js';

export interface ReadRequest {
  /** The worker's own module, for the shared bootstrap. */
  entry: string;
  format: ImportFormat;
  files: string[];
  images?: ImagePaths;
}

/** Why the files were refused, as data: a RowProblem, a UserError, or anything else (a bug). */
export type ReadFailure = { kind: 'row'; place: RowPlace; message: string; other?: RowPlace } | { kind: 'user'; message: string } | { kind: 'internal'; message: string };

export type ReadReply =
  | { type: 'rows'; chunk: RowChunk }
  /** No more rows will come: the file is not grouped by model (see RowStream). */
  | { type: 'ungrouped' }
  | { type: 'read'; population: PopulationParts } | { type: 'failed'; error: ReadFailure };
