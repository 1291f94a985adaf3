/** Data access for image_attributes: per-image categorical attributes of a dataset's images. */
import type { Db, ReadableDb } from '../db/database.js';

export interface AttributeRow {
  imageId: number;
  attribute: string;
  value: string;
}

/** Replaces every attribute of the dataset's images with these rows, in one transaction. */
export function replaceDatasetAttributes(db: Db, datasetId: number, rows: readonly AttributeRow[]): void {
  const insert = db.prepare('INSERT INTO image_attributes (image_id, attribute, value) VALUES (?, ?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM image_attributes WHERE image_id IN (SELECT id FROM images WHERE dataset_id = ?)').run(datasetId);
    for (const r of rows) insert.run(r.imageId, r.attribute, r.value);
  })();
}

/** images.id by test-split idx, for matching an attribute file's image_index column. */
export function testImageIds(db: ReadableDb, datasetId: number): Map<number, number> {
  const rows = db.prepare("SELECT idx, id FROM images WHERE dataset_id = ? AND split = 'test'").raw().all(datasetId) as [number, number][];
  return new Map(rows);
}

/** images.id by stored file path (folder datasets), for matching an attribute file's image column. */
export function imageIdsByPath(db: ReadableDb, datasetId: number): Map<string, number> {
  const rows = db.prepare('SELECT path, id FROM images WHERE dataset_id = ? AND path IS NOT NULL').raw().all(datasetId) as [string, number][];
  return new Map(rows);
}

/**
 * The attributes of an experiment's images: attribute -> value -> image_index list
 * (ascending), through experiment_images.image_id.
 */
export function experimentAttributes(db: ReadableDb, experimentId: number): Map<string, Map<string, number[]>> {
  const rows = db
    .prepare(
      `SELECT a.attribute, a.value, ei.image_index FROM experiment_images ei JOIN image_attributes a ON a.image_id = ei.image_id
       WHERE ei.experiment_id = ? ORDER BY a.attribute, a.value, ei.image_index`,
    )
    .raw()
    .all(experimentId) as [string, string, number][];
  const result = new Map<string, Map<string, number[]>>();
  for (const [attribute, value, index] of rows) {
    const values = result.get(attribute) ?? new Map<string, number[]>();
    const images = values.get(value) ?? [];
    images.push(index);
    values.set(value, images);
    result.set(attribute, values);
  }
  return result;
}

export function datasetIdByName(db: Db, name: string): number | undefined {
  return db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(name) as number | undefined;
}

/** The experiment's dataset's classes (label, name), for --positive-class. */
export function experimentClasses(db: Db, experimentId: number): { label: number; name: string }[] {
  return db
    .prepare('SELECT c.label, c.name FROM classes c JOIN experiments e ON e.dataset_id = c.dataset_id WHERE e.id = ? ORDER BY c.label')
    .all(experimentId) as { label: number; name: string }[];
}
