/**
 * Data access of evaluated populations (pie-audit models import): the dataset's test
 * split as the models see it, and the experiment and model rows of an import.
 */
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import type { ImageSource } from '../models/preprocess.js';
import { markFailed, resetUnfinished, saveModelResult, type ModelResult } from '../population/store.js';

export interface TestSplit {
  count: number;
  numClasses: number;
  labels: Uint16Array;
  imageIds: Int32Array;
  source: ImageSource;
}

interface DatasetRow {
  kind: string;
  width: number;
  height: number;
  channels: number;
  classes: number;
}

/** The test split of a dataset in its order (idx): pixels, or file paths for folder datasets. */
export function readTestSplit(db: Db, datasetId: number, datasetName: string): TestSplit {
  const d = db
    .prepare('SELECT kind, width, height, channels, (SELECT count(*) FROM classes c WHERE c.dataset_id = d.id) AS classes FROM datasets d WHERE d.id = ?')
    .get(datasetId) as DatasetRow | undefined;
  if (!d) throw new UserError(`no dataset with id ${datasetId}`);
  const rows = db
    .prepare("SELECT id, label, pixels, path, width, height FROM images WHERE dataset_id = ? AND split = 'test' ORDER BY idx")
    .all(datasetId) as { id: number; label: number; pixels: Buffer | null; path: string | null; width: number; height: number }[];
  if (rows.length === 0) throw new UserError(`dataset '${datasetName}' has no test split to evaluate the models on`);
  const count = rows.length;
  const labels = Uint16Array.from(rows, (r) => r.label);
  const imageIds = Int32Array.from(rows, (r) => r.id);
  let source: ImageSource;
  if (rows.every((r) => r.pixels !== null)) {
    const size = d.width * d.height * d.channels;
    const pixels = new Uint8Array(count * size);
    rows.forEach((r, i) => pixels.set(r.pixels ?? new Uint8Array(0), i * size));
    source = { kind: 'pixels', count, width: d.width, height: d.height, channels: d.channels, pixels };
  } else {
    source = { kind: 'files', count, paths: rows.map((r) => r.path ?? '') };
  }
  return { count, numClasses: d.classes, labels, imageIds, source };
}

export interface NewEvaluatedModel {
  variant: string;
  method: string;
  targetSparsity: number;
  seed: number;
  /** the model's format and file name, shown as its architecture */
  arch: string;
  source: string;
}

/** Writes an evaluated experiment, its images and its pending models in one transaction. */
export function insertEvaluatedExperiment(
  db: Db,
  e: NewEvaluatedExperiment,
): { experimentId: number; modelIds: number[] } {
  return db.transaction(() => {
    const experimentId = Number(
      db.prepare("INSERT INTO experiments (name, dataset_id, origin, config, created_at) VALUES (?, ?, 'evaluated', ?, ?)").run(e.name, e.datasetId, JSON.stringify(e.config), nowIso()).lastInsertRowid,
    );
    const image = db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label, image_id) VALUES (?, ?, ?, ?)');
    for (let i = 0; i < e.labels.length; i++) image.run(experimentId, i, e.labels[i], e.imageIds[i]);
    const model = db.prepare("INSERT INTO models (experiment_id, variant, method, target_sparsity, seed, arch, source, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')");
    const modelIds = e.models.map((m) => Number(model.run(experimentId, m.variant, m.method, m.targetSparsity, m.seed, m.arch, m.source).lastInsertRowid));
    return { experimentId, modelIds };
  })();
}

export interface NewEvaluatedExperiment {
  name: string;
  datasetId: number;
  config: unknown;
  labels: Uint16Array;
  imageIds: Int32Array;
  models: NewEvaluatedModel[];
}

/**
 * Stores a whole run of an import in one transaction, once every model has run: a new
 * experiment with its models (results carry the model's place in `models`, from 1), or,
 * on resume, the experiment's unfinished models reset and their results. Models that
 * crashed are marked failed. Returns the experiment's id.
 */
export function storeEvaluatedRun(
  db: Db,
  target: { experimentId: number } | { experiment: NewEvaluatedExperiment },
  results: Iterable<ModelResult>,
  failedIds: readonly number[],
): number {
  return db.transaction(() => {
    let experimentId: number;
    let storedId: (runId: number) => number;
    if ('experiment' in target) {
      const created = insertEvaluatedExperiment(db, target.experiment);
      experimentId = created.experimentId;
      storedId = (place) => created.modelIds[place - 1] ?? -1;
    } else {
      experimentId = target.experimentId;
      resetUnfinished(db, experimentId);
      storedId = (id) => id;
    }
    for (const result of results) saveModelResult(db, { ...result, modelId: storedId(result.modelId) });
    for (const id of failedIds) markFailed(db, storedId(id));
    return experimentId;
  })();
}

export interface EvaluatedExperiment {
  id: number;
  datasetId: number;
  datasetName: string;
  config: string;
  models: { id: number; variant: string; seed: number; status: string }[];
}

/** The evaluated experiment to resume: the one named, else the newest with unfinished models. */
export function findEvaluatedExperiment(db: Db, experimentId?: number): EvaluatedExperiment | undefined {
  const row = (
    experimentId !== undefined
      ? db.prepare("SELECT e.id, e.dataset_id, d.name AS dataset, e.config FROM experiments e JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ? AND e.origin = 'evaluated'").get(experimentId)
      : db
          .prepare(
            "SELECT e.id, e.dataset_id, d.name AS dataset, e.config FROM experiments e JOIN datasets d ON d.id = e.dataset_id WHERE e.origin = 'evaluated' AND EXISTS (SELECT 1 FROM models m WHERE m.experiment_id = e.id AND m.status <> 'done') ORDER BY e.id DESC LIMIT 1",
          )
          .get()
  ) as { id: number; dataset_id: number; dataset: string; config: string } | undefined;
  if (!row) return undefined;
  const models = db.prepare('SELECT id, variant, seed, status FROM models WHERE experiment_id = ? ORDER BY id').all(row.id) as EvaluatedExperiment['models'];
  return { id: row.id, datasetId: row.dataset_id, datasetName: row.dataset, config: row.config, models };
}
