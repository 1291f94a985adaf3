import fs from 'node:fs';
import Papa from 'papaparse';
import { countBreaks, CSV_OPTIONS } from './csv-format.js';

/**
 * The line (1-based) on which record `record` ends, as readCsv counts records (empty
 * lines skipped; a quoted cell may span lines). Read again from the file, only when an
 * error is reported, since keeping a line number per row would cost memory: a first
 * pass parses up to the record with the same settings as readCsv and takes the offset at
 * which it ends (Papa Parse's cursor), a second counts the line breaks before it.
 */
export async function lineOfRecord(file: string, record: number): Promise<number> {
  try {
    const end = await recordEnd(file, record);
    return end === undefined ? record : await lineAt(file, end.cursor, end.linebreak);
  } catch {
    // The file changed or cannot be read again: the record number is the best guess.
    return record;
  }
}

function readStream(file: string): fs.ReadStream {
  return fs.createReadStream(file, { highWaterMark: 1 << 20, encoding: 'utf8' });
}

/** Where record `record` ends in the file's text (an offset past its line break), and the file's line break. */
function recordEnd(file: string, record: number): Promise<{ cursor: number; linebreak: string } | undefined> {
  return new Promise((resolve, reject) => {
    const source = readStream(file);
    let records = 0;
    let found: { cursor: number; linebreak: string } | undefined;
    Papa.parse<string[]>(source, {
      ...CSV_OPTIONS,
      step: (results, parser) => {
        if (found) return;
        records++;
        if (records < record) return;
        found = { cursor: results.meta.cursor, linebreak: results.meta.linebreak };
        parser.abort();
      },
      complete: () => {
        source.destroy();
        resolve(found);
      },
      error: (error: Error) => reject(error),
    });
    source.on('error', reject);
  });
}

/** The 1-based line of the character just before offset `end` of the file's text. */
async function lineAt(file: string, end: number, linebreak: string): Promise<number> {
  const source = readStream(file);
  let line = 1;
  let offset = 0;
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      // The record's own closing break (its last character) is not counted.
      line += countBreaks(chunk, 0, end - 1 - offset, linebreak);
      offset += chunk.length;
      if (offset >= end) break;
    }
  } finally {
    source.destroy();
  }
  return line;
}
