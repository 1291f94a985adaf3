import Papa from 'papaparse';

/** The rows of a CSV text with a header, as objects keyed by column; a malformed text fails the test. */
export function csvRows<T = Record<string, string>>(text: string | Buffer): T[] {
  const parsed = Papa.parse<T>(String(text).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
  const problem = parsed.errors[0];
  if (problem) throw new Error(`malformed CSV at row ${problem.row ?? '?'}: ${problem.message}`);
  return parsed.data;
}
