import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { UserError } from '../errors.js';

/** No dataset file we read is larger than this once decompressed (CIFAR-10 is 180 MB). */
export const MAX_DECOMPRESSED_BYTES = 1 << 30;

/**
 * Reads a file, gunzipping it when it starts with the gzip magic. Decompression is
 * capped so a gzip bomb or a huge file cannot exhaust memory, and zlib's errors
 * (truncated stream, bad CRC) become one-line messages naming the file.
 */
export function readMaybeGzip(file: string, maxBytes = MAX_DECOMPRESSED_BYTES): Buffer {
  const name = path.basename(file);
  let raw: Buffer;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError(`${file}: not a file`);
    if (stat.size > maxBytes) throw new UserError(`${file}: too large (${stat.size} bytes)`);
    raw = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})`);
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw, { maxOutputLength: maxBytes });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        throw new UserError(`${file}: decompresses to more than ${maxBytes} bytes; refusing it`);
      }
      const reason =
        code === 'Z_BUF_ERROR' ? 'truncated gzip data (unexpected end of file)' : `corrupt gzip data (${(error as Error).message})`;
      throw new UserError(`${file}: ${reason}`);
    }
  }
  if (name.endsWith('.gz')) throw new UserError(`${file}: not gzip data (wrong magic number)`);
  return raw;
}
