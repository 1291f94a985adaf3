import type { ReadableDb } from '../db/database.js';
import { experimentShift } from '../analysis/shift.js';
import type { Row } from './writers.js';

/** `export shift`: the report's shift list, plus the corruption error of the row's variant and corruption. */
export const SHIFT_COLUMNS = [
  'eval_set', 'corruption', 'severity', 'variant', 'top1_mean', 'top1_std', 'relative_change', 'amplification', 'pvalue', 'pies', 'ce',
] as const;

export function shiftRows(db: ReadableDb, experimentId: number): Row[] {
  return experimentShift(db, experimentId).rows.map((r) => ({ ...r }));
}
