import { RowProblem } from './problems.js';
import { parseNonNegativeInt, parseProbability, quoteCell } from './values.js';

/** (file and record are passed apart so the hot path allocates nothing.) A label or index cell; anything but a non-negative integer refuses the row. */
export function nonNegativeInt(fields: string[], column: number, name: string, file: string, record: number): number {
  const text = fields[column] as string;
  const value = parseNonNegativeInt(text);
  if (value < 0) throw new RowProblem({ file, record }, `${name} ${quoteCell(text)} is not a non-negative integer`);
  return value;
}

/** A probability cell; a blank cell is NaN (unknown) where `blankAllowed`. */
export function probabilityCell(fields: string[], column: number, name: string, file: string, record: number, blankAllowed: boolean): number {
  const text = fields[column] as string;
  if (blankAllowed && text === '') return NaN;
  const value = parseProbability(text);
  if (Number.isNaN(value)) throw new RowProblem({ file, record }, `${name} ${quoteCell(text)} is not a probability (a number in [0, 1])`);
  return value;
}
