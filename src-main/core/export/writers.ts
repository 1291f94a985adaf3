import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors.js';

export type ExportFormat = 'csv' | 'json' | 'jsonl';
export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/**
 * A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe, as OWASP advises; numbers are left alone.
 */
export function escapeFormula(value: Cell): Cell {
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return value;
}

function csvCell(value: Cell): string {
  const v = escapeFormula(value);
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/**
 * Writes rows to a file as CSV (header row, RFC 4180 quoting, UTF-8), a JSON array, or
 * JSON Lines. The file appears only when complete (written beside it, then renamed).
 */
export async function writeRows(out: string, format: ExportFormat, columns: readonly string[], rows: Iterable<Row>): Promise<number> {
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw new UserError(`${out}: folder ${dir} does not exist`);
  const tmp = `${out}.tmp-${process.pid}`;
  const stream = fs.createWriteStream(tmp);
  const write = (text: string): Promise<void> | undefined => (stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', () => resolve())));
  let count = 0;
  try {
    if (format === 'csv') await write(stringify([columns as string[]]));
    if (format === 'json') await write('[');
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await write(batch.join(''));
      batch = [];
    };
    for (const row of rows) {
      if (format === 'csv') batch.push(stringify([columns.map((c) => csvCell(row[c] ?? null))]));
      else {
        const ordered: Row = {};
        for (const c of columns) ordered[c] = row[c] ?? null;
        const json = JSON.stringify(ordered);
        batch.push(format === 'json' ? `${count === 0 ? '\n' : ',\n'}${json}` : `${json}\n`);
      }
      count++;
      if (batch.length >= 5000) await flush();
    }
    await flush();
    if (format === 'json') await write(count === 0 ? ']\n' : '\n]\n');
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
    fs.renameSync(tmp, out);
    return count;
  } catch (error) {
    stream.destroy();
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
