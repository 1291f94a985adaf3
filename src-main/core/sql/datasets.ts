/** Data access for datasets with their classes and images: adding one whole, listing them, reading a split. */
import type { Db, ReadableDb } from '../db/database.js';
import type { DatasetSummary, ParsedDataset } from '../datasets/types.js';

export interface ExistingDatasetRow {
  kind: string;
  created_at: string;
}

export function datasetNamed(db: ReadableDb, name: string): ExistingDatasetRow | undefined {
  return db.prepare('SELECT kind, created_at FROM datasets WHERE name = ?').get(name) as ExistingDatasetRow | undefined;
}

export function datasetIdNamed(db: ReadableDb, name: string): number | undefined {
  return db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(name) as number | undefined;
}

/**
 * Writes a fully parsed dataset in one transaction, all of it or nothing; the name is
 * checked inside it. Returns the new id, or the dataset that already has the name.
 */
export function insertDatasetUnlessNamed(db: Db, dataset: ParsedDataset, createdAt: string): { id: number } | { existing: ExistingDatasetRow } {
  const insertDatasetRow = db.prepare(
    `INSERT INTO datasets (name, kind, source, width, height, channels, fingerprint, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertClass = db.prepare('INSERT INTO classes (dataset_id, label, name) VALUES (?, ?, ?)');
  const insertPixels = db.prepare(
    'INSERT INTO images (dataset_id, split, idx, label, pixels, width, height) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertFile = db.prepare(
    `INSERT INTO images (dataset_id, split, idx, label, path, content_hash, width, height, thumbnail)
     VALUES (?, 'test', ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction((): { id: number } | { existing: ExistingDatasetRow } => {
    const existing = datasetNamed(db, dataset.name);
    if (existing) return { existing };
    const id = Number(
      insertDatasetRow.run(
        dataset.name,
        dataset.kind,
        dataset.source,
        dataset.width,
        dataset.height,
        dataset.channels,
        dataset.fingerprint,
        createdAt,
      ).lastInsertRowid,
    );
    dataset.classes.forEach((name, label) => insertClass.run(id, label, name));
    const imageBytes = dataset.width * dataset.height * dataset.channels;
    for (const split of dataset.pixelSplits) {
      for (let i = 0; i < split.count; i++) {
        const pixels = split.pixels.subarray(i * imageBytes, (i + 1) * imageBytes);
        insertPixels.run(id, split.split, i, split.labels[i], pixels, dataset.width, dataset.height);
      }
    }
    dataset.files.forEach((f, i) => {
      insertFile.run(id, i, f.label, f.path, f.contentHash, f.width, f.height, f.thumbnail);
    });
    return { id };
  })();
}

/** Every dataset with its split sizes and class names (by label), in id order. */
export function selectDatasets(db: ReadableDb): DatasetSummary[] {
  const rows = db
    .prepare(
      `SELECT d.id, d.name, d.kind, d.source, d.width, d.height, d.channels, d.fingerprint, d.created_at AS createdAt,
         (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.split = 'train') AS train,
         (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.split = 'test') AS test
       FROM datasets d ORDER BY d.id`,
    )
    .all() as Omit<DatasetSummary, 'classes'>[];
  const classes = db.prepare('SELECT name FROM classes WHERE dataset_id = ? ORDER BY label').pluck();
  return rows.map((r) => ({ ...r, classes: classes.all(r.id) as string[] }));
}

export interface DatasetShapeRow {
  id: number;
  kind: string;
  width: number;
  height: number;
  channels: number;
  /** Number of classes. */
  classes: number;
}

export function datasetShape(db: ReadableDb, datasetId: number): DatasetShapeRow | undefined {
  return db
    .prepare('SELECT d.id, d.kind, d.width, d.height, d.channels, (SELECT count(*) FROM classes c WHERE c.dataset_id = d.id) AS classes FROM datasets d WHERE d.id = ?')
    .get(datasetId) as DatasetShapeRow | undefined;
}

export function splitSize(db: ReadableDb, datasetId: number, split: 'train' | 'test'): number {
  return db.prepare('SELECT count(*) FROM images WHERE dataset_id = ? AND split = ?').pluck().get(datasetId, split) as number;
}

export interface StoredPixelsRow {
  id: number;
  label: number;
  pixels: Buffer;
}

/** The first `limit` images of a split with their stored pixels, by idx. */
export function splitPixels(db: ReadableDb, datasetId: number, split: 'train' | 'test', limit: number): IterableIterator<StoredPixelsRow> {
  return db
    .prepare('SELECT id, label, pixels FROM images WHERE dataset_id = ? AND split = ? ORDER BY idx LIMIT ?')
    .iterate(datasetId, split, limit) as IterableIterator<StoredPixelsRow>;
}

/** [images.id, idx, label] of the test images with idx < n, by idx. */
export function testImagesBelow(db: ReadableDb, datasetId: number, n: number): IterableIterator<[number, number, number]> {
  return db.prepare("SELECT id, idx, label FROM images WHERE dataset_id = ? AND split = 'test' AND idx < ? ORDER BY idx").raw().iterate(datasetId, n) as IterableIterator<[number, number, number]>;
}

/** The dataset's class labels, in no particular order. */
export function classLabels(db: ReadableDb, datasetId: number): number[] {
  return db.prepare('SELECT label FROM classes WHERE dataset_id = ?').pluck().all(datasetId) as number[];
}
