import { UserError } from '../errors.js';
import { lineOfRecord } from './csv-lines.js';

/** Where a row came from: the file and readCsv's record number (the header is 1). */
export interface RowPlace {
  file: string;
  record: number;
}

/**
 * A problem with one row. Records, not lines, are kept per row (the line can differ
 * when a quoted cell spans lines); the line is looked up only when a problem is
 * reported. `{other}` in the message is replaced by the place of a second row.
 */
export class RowProblem extends Error {
  constructor(
    readonly place: RowPlace,
    message: string,
    readonly other?: RowPlace,
  ) {
    super(message);
  }
}

/** The one-line message for the user: file, line (1-based, header = 1) and problem. */
export async function explainProblem(problem: RowProblem): Promise<UserError> {
  const line = await lineOfRecord(problem.place.file, problem.place.record);
  let message = problem.message;
  if (problem.other) {
    const otherLine = await lineOfRecord(problem.other.file, problem.other.record);
    const where = problem.other.file === problem.place.file ? `line ${otherLine}` : `${problem.other.file} line ${otherLine}`;
    message = message.replace('{other}', where);
  }
  return new UserError(`${problem.place.file}: line ${line}: ${message}`);
}
