import type { RowPlace } from './problems.js';

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
  private readonly segments: { file: string; firstRow: number }[] = [];
  private lastFile: string | undefined;

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
