import crypto from 'node:crypto';
import fs from 'node:fs';
import { UserError } from '../errors.js';
import type { KnownFile } from './known.js';
import { readMaybeGzip } from './read-file.js';

export function md5(data: Uint8Array): string {
  return crypto.createHash('md5').update(data).digest('hex');
}

export function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Throws unless file is the genuine `known` file (published MD5 of the .gz, or SHA-256 of its content). */
export function verifyKnownFile(file: string, known: KnownFile): void {
  const raw = fs.readFileSync(file);
  const rawMd5 = md5(raw);
  if (known.md5 !== undefined && rawMd5 === known.md5) return;
  if (known.contentSha256 !== undefined) {
    const content = readMaybeGzip(file);
    if (sha256(content) === known.contentSha256) return;
  }
  throw new UserError(
    `${file}: checksum mismatch (md5 ${rawMd5}, expected ${known.md5 ?? 'unknown'}${known.contentSha256 ? ' or content sha256 ' + known.contentSha256.slice(0, 12) + '...' : ''}); the file is not the genuine ${known.name}`,
  );
}
