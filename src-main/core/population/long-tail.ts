import { UserError } from '../errors.js';
import { Random } from '../random.js';
import type { SplitData } from '../training/data.js';

export interface LongTailConfig {
  /** Imbalance: the first-ranked class keeps n images, the last n / ratio. */
  ratio: number;
  /** Class labels from most to least frequent (default: by label). */
  order?: number[];
}

/** floor(n * ratio^(-r / (C - 1))) images for the class of rank r (all n when C = 1). */
export function longTailCount(n: number, ratio: number, rank: number, classes: number): number {
  return classes <= 1 ? n : Math.floor(n * Math.pow(ratio, -rank / (classes - 1)));
}

export function checkLongTail(config: LongTailConfig, numClasses: number, classNames: string[]): void {
  if (!(Number.isFinite(config.ratio) && config.ratio >= 1)) throw new UserError(`--long-tail must be a ratio of at least 1, not ${config.ratio}`);
  if (config.order !== undefined) {
    const sorted = [...config.order].sort((a, b) => a - b);
    if (sorted.length !== numClasses || sorted.some((c, i) => c !== i)) {
      throw new UserError(`--tail-order must list every class once (${classNames.join(', ')}), not ${config.order.map((c) => classNames[c] ?? c).join(',')}`);
    }
  }
}

/**
 * A tail order as a person types it: class names or label numbers, comma-separated,
 * most frequent first, checked against the dataset's classes. `field` names the
 * option or form field in the one-line refusal.
 */
export function parseTailOrder(value: string, classNames: string[], field: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  const order = items.map((item) => {
    const byName = classNames.indexOf(item);
    if (byName >= 0) return byName;
    if (/^\d+$/.test(item) && Number(item) < classNames.length) return Number(item);
    throw new UserError(`${field}: '${item}' is not a class of the dataset (${classNames.join(', ')})`);
  });
  const sorted = [...order].sort((a, b) => a - b);
  if (sorted.length !== classNames.length || sorted.some((c, i) => c !== i)) {
    throw new UserError(`${field} must name each of the ${classNames.length} classes once (a permutation), not '${value}'`);
  }
  return order;
}

/**
 * The kept training images of a long-tail run (row positions in the split, ascending):
 * with n the smallest per-class count, the class of rank r keeps longTailCount of its
 * images, chosen by a shuffle seeded by the run's seed (so every model of the run, and
 * a resume, trains on the same images).
 */
export function longTailSelection(train: SplitData, config: LongTailConfig, seed: number): Int32Array {
  const C = train.numClasses;
  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < train.count; i++) byClass[train.labels[i] ?? 0]?.push(i);
  const n = Math.min(...byClass.map((rows) => rows.length));
  const order = config.order ?? Array.from({ length: C }, (_, c) => c);
  const random = new Random(seed ^ 0x5eed7a11);
  const kept: number[] = [];
  order.forEach((c, rank) => {
    const rows = byClass[c] ?? [];
    const shuffle = random.permutation(rows.length);
    const keep = longTailCount(n, config.ratio, rank, C);
    for (let k = 0; k < keep; k++) kept.push(rows[shuffle[k] ?? 0] ?? 0);
  });
  return Int32Array.from(kept.sort((a, b) => a - b));
}

/** The split restricted to the given row positions. */
export function subsetSplit(split: SplitData, rows: ArrayLike<number>): SplitData {
  const size = split.input.width * split.input.height * split.input.channels;
  const pixels = new Uint8Array(rows.length * size);
  const labels = new Uint8Array(rows.length);
  const imageIds = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k] ?? 0;
    pixels.set(split.pixels.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i] ?? 0;
    imageIds[k] = split.imageIds[i] ?? 0;
  }
  return { ...split, count: rows.length, pixels, labels, imageIds };
}

export function classCountsOf(split: SplitData): number[] {
  const counts = new Array<number>(split.numClasses).fill(0);
  for (let i = 0; i < split.count; i++) counts[split.labels[i] ?? 0] = (counts[split.labels[i] ?? 0] ?? 0) + 1;
  return counts;
}
