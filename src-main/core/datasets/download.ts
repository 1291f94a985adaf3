import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { UserError, errorMessage } from '../errors.js';

export interface DownloadProgress {
  file: string;
  received: number;
  /** From Content-Length; undefined when the server does not say. */
  total: number | undefined;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  /** Throws a UserError when the downloaded file is not the expected one. */
  verify?: (file: string) => void;
  signal?: AbortSignal;
}

/**
 * Downloads url to dest. The bytes go to dest + '.part' and are renamed into place
 * only after the whole body arrived (as many bytes as Content-Length announced) and
 * the checksum passed, so an interrupted or corrupt download never leaves a file that
 * a later run would trust.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const name = path.basename(dest);
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal, redirect: 'follow' });
  } catch (error) {
    throw new UserError(`${url}: download failed (${errorMessage((error as Error).cause ?? error)})`);
  }
  if (!response.ok || !response.body) {
    throw new UserError(`${url}: download failed (HTTP ${response.status} ${response.statusText})`);
  }
  const header = response.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      options.onProgress?.({ file: name, received, total });
      callback(null, chunk);
    },
  });
  // Opened now, not on the stream's next tick, so that a failure below can never race
  // with the file's creation and leave a .part behind.
  const out = fs.createWriteStream(part, { fd: fs.openSync(part, 'w') });
  try {
    // The DOM and Node stream types differ only nominally here.
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    await pipeline(body, counter, out);
    if (total !== undefined && received !== total) {
      throw new UserError(`${url}: download interrupted after ${received} of ${total} bytes`);
    }
    options.verify?.(part);
    fs.renameSync(part, dest);
  } catch (error) {
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    fs.rmSync(part, { force: true });
    if (error instanceof UserError) throw error;
    const got = total !== undefined ? `${received} of ${total} bytes` : `${received} bytes`;
    throw new UserError(`${url}: download interrupted after ${got} (${errorMessage(error)})`);
  }
}
