/**
 * experiments and experiment_images: which experiments exist, their images and true
 * labels, and the name an experiment goes by (its dataset's, or its own for a
 * labels-only import). Every "does this experiment exist" and "how many images" is
 * asked here.
 */
import { UserError } from '../errors.js';
import type { ReadableDb, WritableDb } from './handles.js';

export function experimentExists(db: ReadableDb, experimentId: number): boolean {
  return db.prepare('SELECT 1 FROM experiments WHERE id = ?').get(experimentId) !== undefined;
}

/** The experiment asked for (refused when there is none), or the newest one. */
export function resolveExperiment(db: ReadableDb, experimentId?: number): number {
  if (experimentId !== undefined) {
    if (!experimentExists(db, experimentId)) throw new UserError(`no experiment ${experimentId}`);
    return experimentId;
  }
  const newest = db.prepare('SELECT max(id) FROM experiments').pluck().get() as number | null;
  if (newest === null) throw new UserError('no experiments yet (run pie-audit train, or import predictions)');
  return newest;
}

export function experimentImageCount(db: ReadableDb, experimentId: number): number {
  return db.prepare('SELECT count(*) FROM experiment_images WHERE experiment_id = ?').pluck().get(experimentId) as number;
}

/** The number of images of an experiment that must have some (refused otherwise). */
export function requireExperimentImages(db: ReadableDb, experimentId: number): number {
  const images = experimentImageCount(db, experimentId);
  if (images === 0) throw new UserError(experimentExists(db, experimentId) ? `experiment ${experimentId} has no images` : `no experiment ${experimentId}`);
  return images;
}

export interface ExperimentImage {
  trueLabel: number;
  imageId: number | null;
}

export function experimentImage(db: ReadableDb, experimentId: number, imageIndex: number): ExperimentImage | undefined {
  const row = db.prepare('SELECT true_label, image_id FROM experiment_images WHERE experiment_id = ? AND image_index = ?').get(experimentId, imageIndex) as
    | { true_label: number; image_id: number | null }
    | undefined;
  return row && { trueLabel: row.true_label, imageId: row.image_id };
}

/** The dataset's name, or the experiment's own for a labels-only import. */
export function experimentDatasetName(db: ReadableDb, experimentId: number): string | undefined {
  return db.prepare('SELECT coalesce(d.name, e.name) FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?').pluck().get(experimentId) as
    | string
    | undefined;
}

export interface ExperimentListRow {
  id: number;
  name: string;
  dataset: string | null;
  origin: 'trained' | 'imported' | 'evaluated';
  config: string;
  createdAt: string;
  images: number;
  models: { total: number; done: number; failed: number; running: number };
}

/** Every experiment, newest first, with its image and model counts. */
export function listExperimentRows(db: ReadableDb): ExperimentListRow[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.name, d.name AS dataset, e.origin, e.config, e.created_at,
         (SELECT count(*) FROM experiment_images ei WHERE ei.experiment_id = e.id) AS images,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id) AS total,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'done') AS done,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'failed') AS failed,
         (SELECT count(*) FROM models m WHERE m.experiment_id = e.id AND m.status = 'running') AS running
       FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id ORDER BY e.id DESC`,
    )
    .all() as {
    id: number;
    name: string;
    dataset: string | null;
    origin: 'trained' | 'imported' | 'evaluated';
    config: string;
    created_at: string;
    images: number;
    total: number;
    done: number;
    failed: number;
    running: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    dataset: r.dataset,
    origin: r.origin,
    config: r.config,
    createdAt: r.created_at,
    images: r.images,
    models: { total: r.total, done: r.done, failed: r.failed, running: r.running },
  }));
}

/** The fingerprint of the experiment's dataset (null for a labels-only import). */
export function experimentDatasetFingerprint(db: ReadableDb, experimentId: number): string | null {
  return (db.prepare('SELECT d.fingerprint FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?').pluck().get(experimentId) as string | null | undefined) ?? null;
}

/** The class names of the experiment's dataset, by label ([] for a labels-only import). */
export function experimentDatasetClassNames(db: ReadableDb, experimentId: number): string[] {
  return db.prepare('SELECT c.name FROM classes c JOIN experiments e ON e.dataset_id = c.dataset_id WHERE e.id = ? ORDER BY c.label').pluck().all(experimentId) as string[];
}

export interface NewExperiment {
  name: string;
  datasetId: number | null;
  origin: 'trained' | 'imported';
  config: string;
  createdAt: string;
}

export function insertExperiment(db: WritableDb, experiment: NewExperiment): number {
  return Number(
    db
      .prepare('INSERT INTO experiments (name, dataset_id, origin, config, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(experiment.name, experiment.datasetId, experiment.origin, experiment.config, experiment.createdAt).lastInsertRowid,
  );
}

/** One prepared insert for many images: (experiment id, image index, true label, image id or null). */
export function experimentImageInserter(db: WritableDb): (experimentId: number, imageIndex: number, trueLabel: number, imageId: number | null) => void {
  const insert = db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label, image_id) VALUES (?, ?, ?, ?)');
  return (experimentId, imageIndex, trueLabel, imageId) => {
    insert.run(experimentId, imageIndex, trueLabel, imageId);
  };
}

/** [image index, true label] of every image, by index. */
export function experimentTrueLabelRows(db: ReadableDb, experimentId: number): [number, number][] {
  return db.prepare('SELECT image_index, true_label FROM experiment_images WHERE experiment_id = ? ORDER BY image_index').raw().all(experimentId) as [number, number][];
}

export interface ExperimentHeading {
  id: number;
  name: string;
  dataset: string | null;
}

export function experimentHeading(db: ReadableDb, experimentId: number): ExperimentHeading | undefined {
  return db.prepare('SELECT e.id, e.name, d.name AS dataset FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?').get(experimentId) as
    | ExperimentHeading
    | undefined;
}

export interface ResumableExperiment {
  id: number;
  datasetId: number;
  config: string;
}

/** The trained experiment asked for, or without an id the newest trained one with unfinished models. */
export function trainedExperimentToResume(db: ReadableDb, experimentId?: number): ResumableExperiment | undefined {
  const row = (
    experimentId !== undefined
      ? db.prepare("SELECT id, dataset_id, config FROM experiments WHERE id = ? AND origin = 'trained'").get(experimentId)
      : db
          .prepare(
            "SELECT e.id, e.dataset_id, e.config FROM experiments e WHERE e.origin = 'trained' AND EXISTS (SELECT 1 FROM models m WHERE m.experiment_id = e.id AND m.status <> 'done') ORDER BY e.id DESC LIMIT 1",
          )
          .get()
  ) as { id: number; dataset_id: number; config: string } | undefined;
  return row && { id: row.id, datasetId: row.dataset_id, config: row.config };
}
