import fs from 'node:fs';
import { CsvError, parse, type Options } from 'csv-parse';
import { UserError } from '../errors.js';

/** Called for every record, the header included; `record` counts from 1 (the header). */
export type RecordHandler = (fields: string[], record: number) => void;

const OPTIONS: Options = { bom: true, skip_empty_lines: true };

/**
 * Streams a CSV file through csv-parse and hands each record to `onRecord` as it is
 * parsed, so memory stays constant whatever the file's size. Resolves with the number
 * of records read (header included). A malformed file, an unreadable one, or an error
 * thrown by `onRecord` rejects the promise and stops reading.
 */
export function readCsv(file: string, onRecord: RecordHandler): Promise<number> {
  return new Promise((resolve, reject) => {
    const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    const parser = parse(OPTIONS);
    let records = 0;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      source.destroy();
      parser.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    parser.on('data', (fields: string[]) => {
      if (failed) return;
      records++;
      try {
        onRecord(fields, records);
      } catch (error) {
        fail(error);
      }
    });
    parser.on('error', (error) => fail(csvError(file, error)));
    parser.on('end', () => {
      if (!failed) resolve(records);
    });
    source.on('error', (error) => fail(readError(file, error)));
    source.pipe(parser);
  });
}

/**
 * The line (1-based) on which record `record` ends. Read again from the file, only
 * when an error is reported: keeping a line number per row would cost memory and the
 * per-record info of csv-parse halves its speed.
 */
export async function lineOfRecord(file: string, record: number): Promise<number> {
  const source = fs.createReadStream(file);
  const parser = source.pipe(parse({ ...OPTIONS, info: true, to: record, relax_column_count: true, relax_quotes: true }));
  let line = record;
  try {
    for await (const row of parser as AsyncIterable<{ info: { lines: number } }>) line = row.info.lines;
  } catch {
    // The file changed or cannot be read again: the record number is the best guess.
  } finally {
    source.destroy();
  }
  return line;
}

function csvError(file: string, error: unknown): UserError {
  if (!(error instanceof CsvError)) return new UserError(`${file}: cannot parse (${String(error)})`);
  const line = typeof error.lines === 'number' ? error.lines : '?';
  const counts = /expect (\d+), got (\d+)/.exec(error.message);
  if (error.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && counts) {
    return new UserError(`${file}: line ${line}: ${counts[2]} fields where the header has ${counts[1]}`);
  }
  return new UserError(`${file}: line ${line}: malformed CSV (${error.message})`);
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
