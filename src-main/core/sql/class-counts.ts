/**
 * Data access for what a trained experiment trained on (the class_training_counts migration):
 * each class's training image count, and a long-tail run's kept training images.
 */
import type { Db, ReadableDb } from '../db/database.js';

export function saveClassCounts(db: Db, experimentId: number, counts: ArrayLike<number>): void {
  const insert = db.prepare('INSERT OR REPLACE INTO experiment_class_counts (experiment_id, class, train_count) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let c = 0; c < counts.length; c++) insert.run(experimentId, c, counts[c] ?? 0);
  })();
}

/** class -> training count; empty for an imported experiment. */
export function classCounts(db: ReadableDb, experimentId: number): Map<number, number> {
  const rows = db.prepare('SELECT class, train_count FROM experiment_class_counts WHERE experiment_id = ? ORDER BY class').raw().all(experimentId) as [number, number][];
  return new Map(rows);
}

export function saveTrainImages(db: Db, experimentId: number, imageIds: ArrayLike<number>): void {
  const insert = db.prepare('INSERT INTO experiment_train_images (experiment_id, image_id) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < imageIds.length; i++) insert.run(experimentId, imageIds[i]);
  })();
}

/** The kept training images of a long-tail run (images.id), or undefined when it trained on the whole split. */
export function trainImageIds(db: ReadableDb, experimentId: number): Set<number> | undefined {
  const ids = db.prepare('SELECT image_id FROM experiment_train_images WHERE experiment_id = ?').pluck().all(experimentId) as number[];
  return ids.length === 0 ? undefined : new Set(ids);
}
