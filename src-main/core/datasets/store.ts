import type { Db, ReadableDb } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import type { DatasetKind, DatasetSummary, ParsedDataset } from './types.js';

const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._+-]{0,99}$/u;

/** Dataset names appear in file names and URLs: letters, digits, space, . _ + -. */
export function checkDatasetName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new UserError(`dataset name '${name}' is not allowed (1-100 letters, digits, spaces, '.', '_', '+', '-'; starting with a letter or digit)`);
  }
}

export function assertNameFree(db: Db, name: string): void {
  const row = db.prepare('SELECT kind, created_at FROM datasets WHERE name = ?').get(name) as
    | { kind: string; created_at: string }
    | undefined;
  if (row) {
    throw new UserError(`a dataset named '${name}' already exists (${row.kind}, added ${row.created_at}); choose another --name`);
  }
}

/** Writes a fully parsed dataset in one transaction: all of it, or nothing. */
export function insertDataset(db: Db, dataset: ParsedDataset): number {
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
  return db.transaction(() => {
    assertNameFree(db, dataset.name);
    const id = Number(
      insertDatasetRow.run(
        dataset.name,
        dataset.kind,
        dataset.source,
        dataset.width,
        dataset.height,
        dataset.channels,
        dataset.fingerprint,
        nowIso(),
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
    return id;
  })();
}

interface DatasetRow {
  id: number;
  name: string;
  kind: DatasetKind;
  source: string;
  width: number;
  height: number;
  channels: number;
  fingerprint: string;
  created_at: string;
  train: number;
  test: number;
}

export function listDatasets(db: ReadableDb): DatasetSummary[] {
  const rows = db
    .prepare(
      `SELECT d.*,
         (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.split = 'train') AS train,
         (SELECT count(*) FROM images i WHERE i.dataset_id = d.id AND i.split = 'test') AS test
       FROM datasets d ORDER BY d.id`,
    )
    .all() as DatasetRow[];
  const classes = db.prepare('SELECT name FROM classes WHERE dataset_id = ? ORDER BY label').pluck();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    source: r.source,
    width: r.width,
    height: r.height,
    channels: r.channels,
    fingerprint: r.fingerprint,
    createdAt: r.created_at,
    train: r.train,
    test: r.test,
    classes: classes.all(r.id) as string[],
  }));
}

export function findDataset(db: ReadableDb, name: string): DatasetSummary {
  const found = listDatasets(db).find((d) => d.name === name);
  if (!found) throw new UserError(`no dataset named '${name}' (see: pie-audit datasets list)`);
  return found;
}
