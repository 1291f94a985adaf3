/**
 * labels and annotators: the one table both the free audit (study_id NULL) and the
 * blind studies write. Stored form: a row means the image is labeled; `categories` is
 * a JSON array of category names in schema order, [] meaning `none` (a typical, clean
 * image). The rules (names, categories, note length) live in core/labels/store.ts;
 * this module only reads and writes rows.
 */
import { nowIso } from '../db/database.js';
import type { ReadableDb, WritableDb } from './handles.js';

/** Where a label belongs: the free audit of an experiment, or a study (of its experiment). */
export interface LabelScope {
  experimentId: number;
  /** null: the free audit */
  studyId: number | null;
}

export interface LabelRow {
  annotator: string;
  imageIndex: number;
  /** stored form: [] is `none` */
  categories: string[];
  note: string;
  labeledAt: string;
}

interface RawLabel {
  annotator: string;
  image_index: number;
  categories: string;
  note: string;
  labeled_at: string;
}

function parseStored(text: string): string[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function toLabel(r: RawLabel): LabelRow {
  return { annotator: r.annotator, imageIndex: r.image_index, categories: parseStored(r.categories), note: r.note, labeledAt: r.labeled_at };
}

const SELECT = `SELECT a.name AS annotator, l.image_index, l.categories, l.note, l.labeled_at
  FROM labels l JOIN annotators a ON a.id = l.annotator_id`;
const IN_SCOPE = 'ifnull(l.study_id, 0) = ifnull(?, 0) AND l.experiment_id = ?';

/** The annotator's id; with create, made when missing. */
export function annotatorId(db: WritableDb, name: string, create: true): number;
export function annotatorId(db: ReadableDb, name: string, create: false): number | undefined;
export function annotatorId(db: ReadableDb, name: string, create: boolean): number | undefined {
  const found = db.prepare('SELECT id FROM annotators WHERE name = ?').pluck().get(name) as number | undefined;
  if (found !== undefined || !create) return found;
  return Number(db.prepare('INSERT INTO annotators (name, created_at) VALUES (?, ?)').run(name, nowIso()).lastInsertRowid);
}

/** One annotator's labels in a scope, by image index. */
export function annotatorLabels(db: ReadableDb, scope: LabelScope, annotator: string): LabelRow[] {
  return (db.prepare(`${SELECT} WHERE ${IN_SCOPE} AND a.name = ? ORDER BY l.image_index`).all(scope.studyId, scope.experimentId, annotator) as RawLabel[]).map(toLabel);
}

export function annotatorLabel(db: ReadableDb, scope: LabelScope, annotator: string, imageIndex: number): LabelRow | undefined {
  const row = db.prepare(`${SELECT} WHERE ${IN_SCOPE} AND a.name = ? AND l.image_index = ?`).get(scope.studyId, scope.experimentId, annotator, imageIndex) as RawLabel | undefined;
  return row && toLabel(row);
}

/** Every label of a study, by annotator and image index. */
export function studyLabelRows(db: ReadableDb, studyId: number): LabelRow[] {
  return (db.prepare(`${SELECT} WHERE l.study_id = ? ORDER BY a.name, l.image_index`).all(studyId) as RawLabel[]).map(toLabel);
}

/** How many images one annotator has labeled in a scope. */
export function labeledCount(db: ReadableDb, scope: LabelScope, annotator: string): number {
  return db.prepare(`SELECT count(*) FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE ${IN_SCOPE} AND a.name = ?`).pluck().get(scope.studyId, scope.experimentId, annotator) as number;
}

/** Labeled images per annotator of a study, by name. */
export function studyLabelCounts(db: ReadableDb, studyId: number): { annotator: string; labeled: number }[] {
  return db
    .prepare('SELECT a.name AS annotator, count(*) AS labeled FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE l.study_id = ? GROUP BY a.name ORDER BY a.name')
    .all(studyId) as { annotator: string; labeled: number }[];
}

/** Inserts or replaces one annotator's label of one image in a scope (categories in stored form). */
export function upsertLabel(db: WritableDb, scope: LabelScope, annotator: number, imageIndex: number, categories: readonly string[], note: string, labeledAt: string): void {
  db.prepare(
    `INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, note, labeled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (ifnull(study_id, 0), annotator_id, experiment_id, image_index)
     DO UPDATE SET categories = excluded.categories, note = excluded.note, labeled_at = excluded.labeled_at`,
  ).run(scope.studyId, annotator, scope.experimentId, imageIndex, JSON.stringify(categories), note, labeledAt);
}

/** Removes one annotator's label of one image in a scope; true when there was one. */
export function deleteLabel(db: WritableDb, scope: LabelScope, annotator: number, imageIndex: number): boolean {
  return (
    db
      .prepare('DELETE FROM labels WHERE ifnull(study_id, 0) = ifnull(?, 0) AND experiment_id = ? AND annotator_id = ? AND image_index = ?')
      .run(scope.studyId, scope.experimentId, annotator, imageIndex).changes > 0
  );
}

/** Runs fn in one write transaction, taken at once (BEGIN IMMEDIATE). */
export function inWriteTransaction<T>(db: WritableDb, fn: () => T): T {
  return db.transaction(fn).immediate();
}
