import fs from 'node:fs';
import Papa from 'papaparse';
import { UserError } from '../errors.js';
import { CSV_OPTIONS } from './csv-format.js';
import { RowProblem } from './problems.js';
import { refuseNonUtf8Text } from './text-encoding.js';

/** Called for every record, the header included; `record` counts from 1 (the header). */
export type RecordHandler = (fields: string[], record: number) => void;

/**
 * Streams a CSV file through Papa Parse and hands each record to `onRecord` as it is
 * parsed, so memory stays constant whatever the file's size. Resolves with the number
 * of records read (header included). A malformed file (an unterminated or misplaced
 * quote, a record with more or fewer fields than the first), an unreadable one, or an
 * error thrown by `onRecord` rejects the promise and stops reading.
 *
 * Papa Parse rather than csv-parse: on a 1.8-million-row prediction file it reads
 * records six times faster (0.6 s against 3.7 s here), and it reports quote errors;
 * the field count, which it does not check for arrays, is checked here.
 */
export function readCsv(file: string, onRecord: RecordHandler): Promise<number> {
  return new Promise((resolve, reject) => {
    refuseNonUtf8Text(file);
    const source = fs.createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
    let records = 0;
    let width = 0;
    let failed = false;
    const fail = (error: unknown, parser?: Papa.Parser): void => {
      if (failed) return;
      failed = true;
      parser?.abort();
      source.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    Papa.parse<string[]>(source, {
      ...CSV_OPTIONS,
      step: (results, parser) => {
        if (failed) return;
        records++;
        const fields = results.data;
        const problem = results.errors[0];
        if (problem) return fail(new RowProblem({ file, record: records }, `malformed CSV (${problem.message})`), parser);
        if (records === 1) {
          const first = fields[0];
          if (first !== undefined && first.charCodeAt(0) === 0xfeff) fields[0] = first.slice(1);
          width = fields.length;
        } else if (fields.length !== width) {
          return fail(new RowProblem({ file, record: records }, `${fields.length} fields where the header has ${width}`), parser);
        }
        try {
          onRecord(fields, records);
        } catch (error) {
          fail(error, parser);
        }
      },
      complete: () => {
        if (!failed) resolve(records);
      },
      error: (error: Error) => fail(readError(file, error as NodeJS.ErrnoException)),
    });
    source.on('error', (error) => fail(readError(file, error)));
  });
}

function readError(file: string, error: NodeJS.ErrnoException): UserError {
  const reason = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'is a folder' : (error.code ?? error.message);
  return new UserError(`${file}: cannot read (${reason})`);
}

/**
 * Reads a CSV file with a header: `onHeader` gets the header, `onRow` every later
 * record. A file without a header, or without a row after it, is refused.
 */
export async function readTable(file: string, onHeader: (header: string[]) => void, onRow: RecordHandler): Promise<void> {
  const records = await readCsv(file, (fields, record) => (record === 1 ? onHeader(fields) : onRow(fields, record)));
  if (records === 0) throw new UserError(`${file}: line 1: empty file (no header, no rows)`);
  if (records === 1) throw new UserError(`${file}: line 2: no rows after the header`);
}
