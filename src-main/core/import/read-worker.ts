/**
 * The reading thread of an import that stores while it reads: parses and checks the
 * files (the same reader as the single-thread import), sends the rows in chunks as they
 * are read, then the checked population, or the reason it was refused. Started by
 * read-in-worker.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { populationToParts } from './population-transfer.js';
import { RowProblem } from './problems.js';
import { readPopulation } from './read-population.js';
import { chunkBuffers, RowStream } from './row-chunk.js';
import type { ReadReply, ReadRequest } from './read-messages.js';

const request = workerData as ReadRequest;
const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread');
const reply = (message: ReadReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

try {
  const stream = new RowStream(
    (chunk) => reply({ type: 'rows', chunk }, chunkBuffers(chunk)),
    () => reply({ type: 'ungrouped' }),
  );
  const population = await readPopulation(request.format, request.files, request.images, stream);
  stream.end();
  const { parts, buffers } = populationToParts(population);
  reply({ type: 'read', population: parts }, buffers);
} catch (error) {
  if (error instanceof RowProblem) reply({ type: 'failed', error: { kind: 'row', place: error.place, message: error.message, other: error.other } });
  else if (error instanceof UserError) reply({ type: 'failed', error: { kind: 'user', message: error.message } });
  else reply({ type: 'failed', error: { kind: 'internal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } });
}
