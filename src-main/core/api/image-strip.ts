/**
 * Thumbnail strips for the PIE grid: many thumbnails in one PNG, so a grid that scrolls
 * past hundreds of images a second makes one image request (and one decode) per block
 * of cells instead of one per cell. Addressed by images.id only, like every image.
 *
 * A strip is vertical: thumbnail i fills the square cell at y = i * side (centred in it,
 * on black, when smaller), where side = the largest thumbnail
 * side in the strip, which is also the strip's width; its height is ids.length * side.
 * An id without an image leaves its cell empty.
 */
import sharp from 'sharp';
import type { ReadableDb } from '../db/database.js';
import { imagePixels } from '../sql/image-pixels.js';
import { encodePng, THUMB_MAX, type ImageRenderer } from '../images/render.js';

/** The most ids one strip may name. */
export const STRIP_MAX_IDS = 256;

interface Tile {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export async function thumbnailStrip(db: ReadableDb, images: ImageRenderer, ids: readonly number[]): Promise<Buffer | undefined> {
  if (ids.length === 0 || ids.length > STRIP_MAX_IDS || !ids.every((id) => Number.isSafeInteger(id) && id >= 1)) return undefined;
  const rows = new Map(imagePixels(db, ids).map((row) => [row.id, row]));
  const tiles: (Tile | undefined)[] = [];
  for (const id of ids) {
    const row = rows.get(id);
    if (!row) {
      tiles.push(undefined);
      continue;
    }
    const channels = row.channels === 3 ? 3 : 1;
    if (row.pixels && Math.max(row.width, row.height) <= THUMB_MAX && row.pixels.length === row.width * row.height * channels) {
      // Small pixel images are their own thumbnails (as in render.ts): no decoding.
      tiles.push({ data: row.pixels, width: row.width, height: row.height, channels });
      continue;
    }
    const png = await images.png(id, 'thumb');
    if (!png) {
      tiles.push(undefined);
      continue;
    }
    const { data, info } = await sharp(png).flatten().raw().toBuffer({ resolveWithObject: true });
    tiles.push({ data, width: info.width, height: info.height, channels: info.channels === 1 ? 1 : 3 });
  }
  const present = tiles.filter((t) => t !== undefined);
  if (present.length === 0) return undefined;
  const side = Math.max(...present.map((t) => Math.max(t.width, t.height)));
  const channels = present.some((t) => t.channels === 3) ? 3 : 1;
  const out = new Uint8Array(side * side * ids.length * channels);
  tiles.forEach((tile, i) => {
    if (!tile) return;
    const x0 = (side - tile.width) >> 1;
    const y0 = i * side + ((side - tile.height) >> 1);
    for (let y = 0; y < tile.height; y++) {
      const from = y * tile.width * tile.channels;
      const to = ((y0 + y) * side + x0) * channels;
      if (tile.channels === channels) out.set(tile.data.subarray(from, from + tile.width * channels), to);
      else for (let x = 0; x < tile.width; x++) out.fill(tile.data[from + x] ?? 0, to + x * 3, to + x * 3 + 3);
    }
  });
  return encodePng(out, side, side * ids.length, channels);
}
