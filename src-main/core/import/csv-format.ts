/** How every CSV file is read (Papa Parse's settings): comma-separated, RFC 4180 quotes, empty lines skipped. */
export const CSV_OPTIONS = { delimiter: ',', quoteChar: '"', escapeChar: '"', skipEmptyLines: true } as const;

/** How many line breaks of the kind `linebreak` end at an offset in [from, to) of `text`. */
export function countBreaks(text: string, from: number, to: number, linebreak: string): number {
  const mark = linebreak.charAt(linebreak.length - 1);
  let count = 0;
  for (let i = text.indexOf(mark, from); i >= 0 && i < to; i = text.indexOf(mark, i + 1)) count++;
  return count;
}
