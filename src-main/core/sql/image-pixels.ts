/** Data access for drawing images: an image's stored pixels, file and thumbnail, with its dataset's channels. */
import type { ReadableDb } from '../db/database.js';

export interface ImageSourceRow {
  id: number;
  pixels: Buffer | null;
  path: string | null;
  thumbnail: Buffer | null;
  width: number;
  height: number;
  channels: number;
}

/** A reader of one image's source by images.id, its statement prepared once (a grid asks for many a second). */
export function imageSourceReader(db: ReadableDb): (imageId: number) => ImageSourceRow | undefined {
  const select = db.prepare(
    `SELECT i.id, i.pixels, i.path, i.thumbnail, i.width, i.height, d.channels
     FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?`,
  );
  return (imageId) => select.get(imageId) as ImageSourceRow | undefined;
}

export interface ImagePixelsRow {
  id: number;
  pixels: Buffer | null;
  width: number;
  height: number;
  channels: number;
}

/** The stored pixels of these images (those that exist, in no particular order). */
export function imagePixels(db: ReadableDb, ids: readonly number[]): ImagePixelsRow[] {
  return db
    .prepare(
      `SELECT i.id, i.pixels, i.width, i.height, d.channels
       FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id IN (${ids.map(() => '?').join(',')})`,
    )
    .all(...ids) as ImagePixelsRow[];
}
