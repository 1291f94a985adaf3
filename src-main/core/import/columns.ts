import { RowProblem } from './problems.js';

/** The position of each required (and optional) column in a header, by name. */
export type ColumnMap<R extends string, O extends string> = Record<R, number> & Partial<Record<O, number>>;

/**
 * Maps a header to column positions. Column order is free, extra columns are
 * ignored, names are trimmed. A missing required column refuses the file, saying what
 * was expected and, when the header is that of the other format, that the --format
 * is wrong.
 */
export function mapColumns<R extends string, O extends string>(
  header: string[],
  file: string,
  format: { name: string; required: readonly R[]; optional: readonly O[]; describe: (name: string) => string },
  otherFormat: { name: string; looksLike: (header: string[]) => boolean },
): ColumnMap<R, O> {
  const place = { file, record: 1 };
  const positions = new Map<string, number>();
  header.forEach((cell, i) => {
    const name = cell.trim();
    if ((format.required as readonly string[]).includes(name) || (format.optional as readonly string[]).includes(name)) {
      if (positions.has(name)) throw new RowProblem(place, `column ${format.describe(name)} appears twice in the header`);
      positions.set(name, i);
    }
  });
  const missing = format.required.filter((name) => !positions.has(name));
  if (missing.length > 0) {
    const expected = format.required.map(format.describe).join(', ');
    if (otherFormat.looksLike(header)) {
      throw new RowProblem(place, `not a ${format.name} file (its header is that of ${otherFormat.name}); ${format.name} expects columns ${expected}`);
    }
    throw new RowProblem(place, `not a ${format.name} file: missing column${missing.length > 1 ? 's' : ''} ${missing.map(format.describe).join(', ')} (expected ${expected})`);
  }
  return Object.fromEntries(positions) as ColumnMap<R, O>;
}
