import fs from 'node:fs';
import { parse } from 'csv-parse';

/**
 * The line (1-based) on which record `record` ends, as readCsv counts records (empty
 * lines skipped; a quoted cell may span lines). Read again from the file, only when an
 * error is reported, since keeping a line number per row would cost memory; csv-parse's
 * `info` gives the line on which each record ends.
 */
export async function lineOfRecord(file: string, record: number): Promise<number> {
  const source = fs.createReadStream(file);
  const parser = source.pipe(parse({ bom: true, skip_empty_lines: true, info: true, to: record, relax_column_count: true, relax_quotes: true }));
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
