import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { Population } from './finalize.js';
import { populationFromParts } from './population-transfer.js';
import { RowProblem } from './problems.js';
import type { ReadFailure, ReadReply, ReadRequest } from './read-messages.js';
import type { RowChunk } from './row-chunk.js';

const SOURCE = path.extname(new URL(import.meta.url).pathname) === '.ts';
const ENTRY = new URL(`./read-worker${SOURCE ? '.ts' : '.js'}`, import.meta.url).href;
// Built, every worker file sits beside the main bundle; from the sources, training's bootstrap is reused.
const BOOTSTRAP = new URL(SOURCE ? '../population/worker-bootstrap.js' : './worker-bootstrap.js', import.meta.url);

/**
 * Reads and checks an import's files in a worker thread, handing each chunk of rows to
 * `onRows` on this thread as it arrives (in reading order), so that they can be stored
 * while the rest is read; resolves with the checked population, or rejects with the
 * reader's refusal (a RowProblem or UserError, as the single-thread reader throws) or
 * with what `onRows` threw. `onUngrouped`: no more rows will come, the file is not
 * grouped by model (the population holds every row).
 */
export function readInWorker(request: Omit<ReadRequest, 'entry'>, onRows: (chunk: RowChunk) => void, onUngrouped: () => void = () => undefined): Promise<Population> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { workerData: { ...request, entry: ENTRY } satisfies ReadRequest });
    let settled = false;
    // A duplicate row breaks the predictions key before the reader, which needs the
    // whole model to tell, refuses it; its message (file, line, the other row) is the one to give.
    let keyClash: unknown;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      outcome();
    };
    worker.on('message', (message: ReadReply) => {
      if (settled) return;
      if (message.type === 'rows') {
        if (keyClash !== undefined) return;
        try {
          onRows(message.chunk);
        } catch (error) {
          if (isKeyClash(error)) keyClash = error;
          else settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        }
      } else if (message.type === 'ungrouped') {
        try {
          onUngrouped();
        } catch (error) {
          settle(() => reject(error instanceof Error ? error : new Error(String(error))));
        }
      } else if (message.type === 'read') {
        const population = message.population;
        settle(() => (keyClash === undefined ? resolve(populationFromParts(population)) : reject(keyClash instanceof Error ? keyClash : new Error(String(keyClash)))));
      } else {
        const failure = message.error;
        settle(() => reject(readFailure(failure)));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the import's reading thread ended (exit code ${code}) before it had read every file`))));
  });
}

function isKeyClash(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT_PRIMARYKEY');
}

function readFailure(failure: ReadFailure): Error {
  if (failure.kind === 'row') return new RowProblem(failure.place, failure.message, failure.other);
  if (failure.kind === 'user') return new UserError(failure.message);
  return new Error(failure.message);
}
