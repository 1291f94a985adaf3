/**
 * The true_class_name column: the dataset's name for a row's true label, added after an
 * export's existing columns (their names and order stay as they were).
 */
import type { ReadableDb } from '../sql/handles.js';
import { experimentDatasetClassNames } from '../sql/experiments.js';
import type { Cell, Row } from './writers.js';

/** Maps a label cell to its class name; null (an empty cell) when the experiment has no dataset or the label none. */
export function classNamer(db: ReadableDb, experimentId: number): (label: Cell) => string | null {
  const names = experimentDatasetClassNames(db, experimentId);
  return (label) => (typeof label === 'number' ? (names[label] ?? null) : null);
}

/** The rows with true_class_name, named from the cell `labelColumn` (read lazily: a generator stays one). */
export function* withTrueClassName(rows: Iterable<Row>, name: (label: Cell) => string | null, labelColumn = 'true_label'): Iterable<Row> {
  for (const row of rows) yield { ...row, true_class_name: name(row[labelColumn] ?? null) };
}
