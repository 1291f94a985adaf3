import fs from 'node:fs';
import { UserError } from '../errors.js';

/**
 * Our CSV and JSON readers take UTF-8 (with or without a byte-order mark). A file saved
 * as UTF-16 or UTF-32 (Excel's "Unicode text", PowerShell's default) would otherwise be
 * read as garbage and refused for a misleading reason ("missing columns"), so it is
 * named for what it is, from its first bytes: a byte-order mark, or ASCII text with
 * every other byte NUL (UTF-16 without a mark).
 */
export function describeUnicodeEncoding(head: Uint8Array): string | undefined {
  const [a, b, c, d] = head;
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return 'UTF-32 (little-endian, with a byte-order mark)';
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'UTF-32 (big-endian, with a byte-order mark)';
  if (a === 0xff && b === 0xfe) return 'UTF-16 (little-endian, with a byte-order mark)';
  if (a === 0xfe && b === 0xff) return 'UTF-16 (big-endian, with a byte-order mark)';
  if (head.length >= 4 && a === 0 && b !== 0 && c === 0 && d !== 0) return 'UTF-16 (big-endian, without a byte-order mark)';
  if (head.length >= 4 && a !== 0 && b === 0 && c !== 0 && d === 0) return 'UTF-16 (little-endian, without a byte-order mark)';
  return undefined;
}

/**
 * Refuses `file` when it is UTF-16 or UTF-32 text, with one line naming it. A file that
 * cannot be opened is left to the caller's reader, which reports that in its own words.
 */
export function refuseNonUtf8Text(file: string): void {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(4);
      head = head.subarray(0, fs.readSync(fd, head, 0, 4, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return;
  }
  const encoding = describeUnicodeEncoding(head);
  if (encoding) throw new UserError(`${file}: the file is ${encoding}; save it as UTF-8 and try again`);
}

