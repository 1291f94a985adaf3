/** Data access: a folder dataset's test images by their path relative to the dataset's folder. */
import path from 'node:path';
import type { ReadableDb } from '../db/database.js';

/**
 * Path ('/'-separated, relative to the folder the dataset was added from) to the test
 * image's idx; null when no folder dataset has this name.
 */
export function testImagePaths(db: ReadableDb, datasetName: string): Map<string, number> | null {
  const dataset = db.prepare("SELECT id, source FROM datasets WHERE name = ? AND kind = 'folder'").get(datasetName) as { id: number; source: string } | undefined;
  if (!dataset) return null;
  const rows = db.prepare("SELECT idx, path FROM images WHERE dataset_id = ? AND split = 'test' AND path IS NOT NULL").raw().all(dataset.id) as [number, string][];
  return new Map(rows.map(([idx, file]) => [path.relative(dataset.source, file).split(path.sep).join('/'), idx]));
}
