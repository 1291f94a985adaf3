import type { ReadableDb } from '../db/database.js';
import { UserError } from '../errors.js';
import { modalLabels, modelLabels, trueLabels } from '../sql/comparison-labels.js';
import { classNames } from './report.js';

/** One side of a comparison: a population (its modal label) or a single model (its prediction). */
export type ComparisonSide = { variant: string } | { modelId: number };

export interface Comparison {
  classes: string[];
  /** matrix[r][c]: images the first side labels r and the second labels c */
  matrix: number[][];
  bothRight: number;
  bothWrong: number;
  onlyFirstRight: number;
  onlySecondRight: number;
  /** per image, index-aligned, so that a cell or a split can be opened as a set of images */
  imageIndex: number[];
  trueLabel: number[];
  first: number[];
  second: number[];
}

function labelsOf(db: ReadableDb, experimentId: number, side: ComparisonSide): Map<number, number> {
  const labels = 'variant' in side ? modalLabels(db, experimentId, side.variant) : modelLabels(db, experimentId, side.modelId);
  if (labels.size === 0) {
    throw new UserError('variant' in side ? `experiment ${experimentId} has no population '${side.variant.slice(0, 60)}'` : `experiment ${experimentId} has no model ${side.modelId} with predictions`);
  }
  return labels;
}

/**
 * Compares two populations (modal labels) or two models (predictions) on the
 * experiment's images: the transition matrix of their labels (rows: the first's, columns:
 * the second's) and the four-way split by who is right.
 */
export function compare(db: ReadableDb, experimentId: number, first: ComparisonSide, second: ComparisonSide): Comparison {
  const truth = trueLabels(db, experimentId);
  const a = labelsOf(db, experimentId, first);
  const b = labelsOf(db, experimentId, second);
  const classes = classNames(db, experimentId);
  const matrix = classes.map(() => new Array<number>(classes.length).fill(0));
  const out: Comparison = { classes, matrix, bothRight: 0, bothWrong: 0, onlyFirstRight: 0, onlySecondRight: 0, imageIndex: [], trueLabel: [], first: [], second: [] };
  for (const [index, label] of [...truth].sort((x, y) => x[0] - y[0])) {
    const la = a.get(index);
    const lb = b.get(index);
    if (la === undefined || lb === undefined) continue;
    const row = matrix[la];
    if (row) row[lb] = (row[lb] ?? 0) + 1;
    const rightA = la === label;
    const rightB = lb === label;
    if (rightA && rightB) out.bothRight++;
    else if (!rightA && !rightB) out.bothWrong++;
    else if (rightA) out.onlyFirstRight++;
    else out.onlySecondRight++;
    out.imageIndex.push(index);
    out.trueLabel.push(label);
    out.first.push(la);
    out.second.push(lb);
  }
  return out;
}
