import type { RowPlace } from './problems.js';
import type { RowStream } from './row-chunk.js';

/** A ModelRows as plain data, to move to another thread (its buffers are transferred). */
export interface ModelRowsParts {
  length: number;
  imageIndex: Int32Array<ArrayBuffer>;
  trueLabel: Int32Array<ArrayBuffer>;
  predicted: Int32Array<ArrayBuffer>;
  probability: Float64Array<ArrayBuffer>;
  trueProbability: Float64Array<ArrayBuffer>;
  record: Uint32Array<ArrayBuffer>;
  segments: { file: string; firstRow: number }[];
}

/**
 * One model's prediction rows in the order they were read, held in typed arrays that
 * double when full: about 32 bytes a row, no object per row. Probabilities stay
 * float64 so an imported value is stored exactly as written; an unknown true-label
 * probability is NaN.
 */
export class ModelRows {
  length = 0;
  imageIndex = new Int32Array(1024);
  trueLabel = new Int32Array(1024);
  predicted = new Int32Array(1024);
  probability = new Float64Array(1024);
  trueProbability = new Float64Array(1024);
  /** readCsv's record number of each row in its file, for error messages. */
  record = new Uint32Array(1024);
  /** The files the rows came from: rows from firstRow on belong to file (read in order). */
  private segments: { file: string; firstRow: number }[] = [];
  private lastFile: string | undefined;

  /** `stream`: every row is also handed on, as model number `model`, to be stored while the rest is read. */
  constructor(private readonly stream?: { rows: RowStream; model: number }) {}

  static fromParts(parts: ModelRowsParts): ModelRows {
    const rows = new ModelRows();
    rows.length = parts.length;
    rows.imageIndex = parts.imageIndex;
    rows.trueLabel = parts.trueLabel;
    rows.predicted = parts.predicted;
    rows.probability = parts.probability;
    rows.trueProbability = parts.trueProbability;
    rows.record = parts.record;
    rows.segments = parts.segments;
    rows.lastFile = parts.segments.at(-1)?.file;
    return rows;
  }

  toParts(): ModelRowsParts {
    const { length, imageIndex, trueLabel, predicted, probability, trueProbability, record, segments } = this;
    return { length, imageIndex, trueLabel, predicted, probability, trueProbability, record, segments };
  }

  push(file: string, record: number, index: number, trueLabel: number, predicted: number, probability: number, trueProbability: number): void {
    const n = this.length;
    if (n === this.imageIndex.length) this.grow();
    if (file !== this.lastFile) {
      this.segments.push({ file, firstRow: n });
      this.lastFile = file;
    }
    this.imageIndex[n] = index;
    this.trueLabel[n] = trueLabel;
    this.predicted[n] = predicted;
    this.probability[n] = probability;
    this.trueProbability[n] = trueProbability;
    this.record[n] = record;
    this.length = n + 1;
    if (this.stream) this.stream.rows.push(this.stream.model, index, predicted, probability, trueProbability);
  }

  /** The file and record of row `row` (in reading order). */
  place(row: number): RowPlace {
    let file = this.segments[0]?.file ?? '';
    for (const segment of this.segments) {
      if (segment.firstRow > row) break;
      file = segment.file;
    }
    return { file, record: this.record[row] ?? 0 };
  }

  private grow(): void {
    const size = this.imageIndex.length * 2;
    this.imageIndex = copyInto(new Int32Array(size), this.imageIndex);
    this.trueLabel = copyInto(new Int32Array(size), this.trueLabel);
    this.predicted = copyInto(new Int32Array(size), this.predicted);
    this.probability = copyInto(new Float64Array(size), this.probability);
    this.trueProbability = copyInto(new Float64Array(size), this.trueProbability);
    this.record = copyInto(new Uint32Array(size), this.record);
  }
}

function copyInto<T extends Int32Array | Uint32Array | Float64Array>(target: T, source: T): T {
  target.set(source);
  return target;
}
