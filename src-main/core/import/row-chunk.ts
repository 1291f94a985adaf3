/**
 * Prediction rows on their way from the reading thread to the writing one, in
 * chunks of typed arrays whose buffers are transferred (moved, not copied).
 */
import type { ModelMethod } from './population.js';

/** Rows per chunk: a multiple of the insert statement's 64 rows, about 450 KB a chunk. */
export const CHUNK_ROWS = 64 * 256;

/** What the models table needs of a model, known on its first row. */
export interface StreamedModel {
  variant: string;
  method: ModelMethod;
  targetSparsity: number;
  seed: number;
  source: string;
}

export interface RowChunk {
  length: number;
  /** The models whose first row is in this chunk, in reading order, with that row's offset. */
  starts: { row: number; model: StreamedModel }[];
  /** Each row's model, numbered from 0 in the order the models first appear. */
  model: Int32Array;
  imageIndex: Int32Array;
  predicted: Int32Array;
  probability: Float64Array;
  /** NaN where the file does not give it. */
  trueProbability: Float64Array;
}

function emptyChunk(): RowChunk {
  return {
    length: 0,
    starts: [],
    model: new Int32Array(CHUNK_ROWS),
    imageIndex: new Int32Array(CHUNK_ROWS),
    predicted: new Int32Array(CHUNK_ROWS),
    probability: new Float64Array(CHUNK_ROWS),
    trueProbability: new Float64Array(CHUNK_ROWS),
  };
}

/** The buffers a chunk's message moves to the other thread. */
export function chunkBuffers(chunk: RowChunk): ArrayBuffer[] {
  return [chunk.model, chunk.imageIndex, chunk.predicted, chunk.probability, chunk.trueProbability].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Collects rows in reading order into chunks and hands each full chunk to `send`
 * (the last, partial one on `end`), as long as the file is grouped by model. A chunk is never reused after it is sent: its
 * buffers belong to the receiver.
 */
export class RowStream {
  private chunk = emptyChunk();
  private models = 0;
  /** The model of the last row, and a model started but without rows yet (-1: none). */
  private current = -1;
  private fresh = -1;
  private stopped = false;

  /**
   * `ungrouped` is called, once, when a row of a model comes after another model's rows
   * (the file is not grouped by model): nothing more is sent after it, since storing
   * rows of many models by turns is slow in SQLite (each model's key range grows in the
   * middle of the table), and the caller stores the whole population in model order once read.
   */
  constructor(
    private readonly send: (chunk: RowChunk) => void,
    private readonly ungrouped: () => void,
  ) {}

  /** A new model, before its first row; returns its number. */
  startModel(model: StreamedModel): number {
    this.fresh = this.models++;
    if (this.stopped) return this.fresh;
    if (this.chunk.length === CHUNK_ROWS) this.flush();
    this.chunk.starts.push({ row: this.chunk.length, model });
    return this.fresh;
  }

  push(model: number, imageIndex: number, predicted: number, probability: number, trueProbability: number): void {
    if (model !== this.current) {
      if (model !== this.fresh && !this.stopped) {
        this.stopped = true;
        this.ungrouped();
      }
      this.current = model;
      this.fresh = -1;
    }
    if (this.stopped) return;
    let chunk = this.chunk;
    if (chunk.length === CHUNK_ROWS) chunk = this.flush();
    const n = chunk.length;
    chunk.model[n] = model;
    chunk.imageIndex[n] = imageIndex;
    chunk.predicted[n] = predicted;
    chunk.probability[n] = probability;
    chunk.trueProbability[n] = trueProbability;
    chunk.length = n + 1;
  }

  /** Sends what is left (if anything). */
  end(): void {
    if (!this.stopped && (this.chunk.length > 0 || this.chunk.starts.length > 0)) this.flush();
  }

  private flush(): RowChunk {
    this.send(this.chunk);
    this.chunk = emptyChunk();
    return this.chunk;
  }
}
