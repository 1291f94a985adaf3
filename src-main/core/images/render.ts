/**
 * PNG renderings of the database's images, addressed by images.id only (a request can
 * never name a file). Pixel datasets (MNIST-like, CIFAR) are drawn from the stored
 * pixels; small images are upscaled with nearest-neighbour so their pixels stay sharp.
 * Folder datasets give their stored thumbnail, or the file at images.path re-encoded
 * as PNG (so the response is always an image we made, whatever the file holds).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { ReadableDb } from '../db/database.js';
import { imageSourceReader, type ImageSourceRow } from '../sql/image-pixels.js';

export type ImageSize = 'thumb' | 'full';

/** Thumbnails fit in this many pixels; full renderings of small images reach at least FULL_MIN. */
export const THUMB_MAX = 96;
const FULL_MIN = 280;
const FULL_MAX = 1600;
const CACHE_BYTES = 48 * 1024 * 1024;

/** A small byte-bounded LRU of rendered PNGs (Map keeps insertion order). */
class PngCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;
  get(key: string): Buffer | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: Buffer): void {
    if (value.length > CACHE_BYTES / 8) return;
    this.entries.set(key, value);
    this.bytes += value.length;
    while (this.bytes > CACHE_BYTES) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.bytes -= this.entries.get(oldest.value)?.length ?? 0;
      this.entries.delete(oldest.value);
    }
  }
}

export interface ImageRenderer {
  /** The PNG of an image, or undefined when there is no such image (or its file is gone). */
  png(imageId: number, size: ImageSize): Promise<Buffer | undefined>;
}

export function createImageRenderer(db: ReadableDb): ImageRenderer {
  const cache = new PngCache();
  const select = imageSourceReader(db);
  return {
    async png(imageId, size) {
      if (!Number.isSafeInteger(imageId) || imageId < 1) return undefined;
      const key = `${imageId}:${size}`;
      const cached = cache.get(key);
      if (cached) return cached;
      const row = select(imageId);
      if (!row) return undefined;
      const png = await render(row, size);
      if (png) cache.set(key, png);
      return png;
    },
  };
}

async function render(row: ImageSourceRow, size: ImageSize): Promise<Buffer | undefined> {
  if (row.pixels) {
    const channels = row.channels === 3 ? 3 : 1;
    if (row.pixels.length !== row.width * row.height * channels) return undefined;
    const side = Math.max(row.width, row.height);
    // Small images go as they are (the page scales them with image-rendering:
    // pixelated), encoded directly: a grid scroll asks for a thousand a second.
    if (size === 'thumb' && side <= THUMB_MAX) return encodePng(row.pixels, row.width, row.height, channels);
    const image = sharp(row.pixels, { raw: { width: row.width, height: row.height, channels } });
    if (size === 'thumb') {
      image.resize({ width: THUMB_MAX, height: THUMB_MAX, fit: 'inside' });
    } else if (side < FULL_MIN) {
      const factor = Math.ceil(FULL_MIN / side);
      image.resize({ width: row.width * factor, height: row.height * factor, kernel: 'nearest' });
    }
    return image.png({ compressionLevel: 6 }).toBuffer();
  }
  if (size === 'thumb' && row.thumbnail) return row.thumbnail;
  if (!row.path) return row.thumbnail ?? undefined;
  if (!fs.existsSync(row.path)) return row.thumbnail ?? undefined;
  const image = sharp(row.path, { limitInputPixels: 100_000_000 }).rotate();
  const meta = await image.metadata();
  const side = Math.max(meta.width ?? 0, meta.height ?? 0);
  if (size === 'thumb') image.resize({ width: THUMB_MAX, height: THUMB_MAX, fit: 'inside', withoutEnlargement: true });
  else if (side > 0 && side < FULL_MIN) {
    const factor = Math.ceil(FULL_MIN / side);
    image.resize({ width: (meta.width ?? side) * factor, height: (meta.height ?? side) * factor, kernel: 'nearest' });
  } else image.resize({ width: FULL_MAX, height: FULL_MAX, fit: 'inside', withoutEnlargement: true });
  return image.png().toBuffer();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit grayscale or RGB PNG of raw pixels (row-major, channels last): no filter, deflated. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 3 ? 2 : 0; // colour type: truecolour or grayscale
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 6 })), chunk('IEND', Buffer.alloc(0))]);
}
