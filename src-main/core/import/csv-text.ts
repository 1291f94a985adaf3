import Papa from 'papaparse';
import { countBreaks, CSV_OPTIONS } from './csv-format.js';

/** A record of a CSV text and the line (1-based) on which it ends. */
export interface CsvTextRecord {
  fields: string[];
  line: number;
}

/**
 * Parses a small CSV text held in memory (label and attribute files) with the same
 * settings as readCsv: a BOM dropped, empty lines skipped, a quoted cell may span lines.
 * Throws, naming the line, on malformed quotes and on a record with more or fewer
 * fields than the first; the caller adds the file's name.
 */
export function parseCsvText(text: string): CsvTextRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvTextRecord[] = [];
  let breaks = 0; // line breaks before `from`
  let from = 0;
  let problem: string | undefined;
  Papa.parse<string[]>(input, {
    ...CSV_OPTIONS,
    step: (results, parser) => {
      const end = results.meta.cursor;
      const linebreak = results.meta.linebreak;
      // The line of the record's last character: its own closing break is not counted.
      const line = 1 + breaks + countBreaks(input, from, end - 1, linebreak);
      const fields = results.data;
      const width = records[0]?.fields.length ?? fields.length;
      const error = results.errors[0];
      if (error) problem = `line ${line}: malformed CSV (${error.message})`;
      else if (fields.length !== width) problem = `line ${line}: ${fields.length} fields where the header has ${width}`;
      if (problem !== undefined) return parser.abort();
      records.push({ fields, line });
      breaks += countBreaks(input, from, end, linebreak);
      from = end;
    },
  });
  if (problem !== undefined) throw new Error(problem);
  return records;
}
