import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';

/**
 * Hostile and broken image files for the folder-dataset tests, made here rather than
 * committed: git cannot carry a file name that is not UTF-8 on every system, nor a
 * symlink that points outside the checkout.
 */

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid-looking PNG declaring width x height RGB pixels whose IDAT holds 1 MB of zeros
 * compressed to about a kilobyte: a decoder that trusts the header allocates
 * width * height * 3 bytes (30 GB for 100,000 x 100,000).
 */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(Buffer.alloc(1 << 20))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real small JPEG, as sharp writes it. */
export function smallJpeg(seed = 0): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 24, channels: 3, background: { r: seed % 256, g: 80, b: 160 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export function smallPng(seed = 0): Promise<Buffer> {
  return sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 10, g: seed % 256, b: 200 } } })
    .png()
    .toBuffer();
}

/**
 * A JPEG whose frame header (SOF0) declares width x height. JPEG stores each as 16 bits,
 * so 100,000 cannot be written; libjpeg refuses more than 65,500 by itself, so 65,500 x
 * 65,500 (4.3 gigapixels) is the largest bomb that reaches our own check.
 */
export async function jpegBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await smallJpeg());
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof < 0) throw new Error('no SOF0 marker in the JPEG');
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** A JPEG cut off halfway through its entropy-coded data (a download that stopped). */
export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .jpeg({ quality: 95 })
    .toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

/** Writes a file whose name is raw bytes (on Linux any byte but / and NUL is allowed). */
export function writeRawName(folder: string, name: Buffer, content: Buffer): void {
  fs.writeFileSync(Buffer.concat([Buffer.from(folder + path.sep), name]), content);
}
