import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { annotatorId, checkAnnotatorName } from '../labels/store.js';
import { categoryNames } from '../schema/categories.js';
import { getStudy } from './store.js';

export interface StudyLabel {
  annotator: string;
  imageIndex: number;
  /** Category names in schema order; empty = `none` (typical, clean). */
  categories: string[];
  note: string;
  labeledAt: string;
}

/** Checks categories against the schema and returns them in schema order; 'none' alone means the empty set. */
export function normaliseCategories(db: Db, categories: string[]): string[] {
  const schema = categoryNames(db);
  const wanted = new Set(categories.map((c) => c.trim()).filter((c) => c !== ''));
  if (wanted.has('none')) {
    if (wanted.size > 1) throw new UserError(`'none' cannot be combined with other categories (${[...wanted].join(', ')})`);
    return [];
  }
  for (const c of wanted) if (!schema.includes(c)) throw new UserError(`unknown category '${c.slice(0, 60)}' (schema: ${schema.join(', ')}, or none)`);
  return schema.filter((c) => wanted.has(c));
}

export interface SetStudyLabel {
  studyId: number;
  annotator: string;
  imageIndex: number;
  categories: string[];
  note?: string;
  labeledAt?: string;
}

/** Saves one annotator's label of one study image in its own transaction (durable on return). */
export function setStudyLabel(db: Db, request: SetStudyLabel): StudyLabel {
  const study = getStudy(db, request.studyId);
  const inStudy = db.prepare('SELECT 1 FROM study_items WHERE study_id = ? AND image_index = ?').get(request.studyId, request.imageIndex);
  if (!inStudy) throw new UserError(`image ${request.imageIndex} is not in study ${request.studyId}`);
  const categories = normaliseCategories(db, request.categories);
  const note = (request.note ?? '').slice(0, 2000);
  const labeledAt = request.labeledAt ?? nowIso();
  return db.transaction(() => {
    const annotator = annotatorId(db, checkAnnotatorName(request.annotator), true);
    db.prepare(
      `INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, note, labeled_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (ifnull(study_id, 0), annotator_id, experiment_id, image_index)
       DO UPDATE SET categories = excluded.categories, note = excluded.note, labeled_at = excluded.labeled_at`,
    ).run(request.studyId, annotator, study.experimentId, request.imageIndex, JSON.stringify(categories), note, labeledAt);
    return { annotator: request.annotator.trim(), imageIndex: request.imageIndex, categories, note, labeledAt };
  })();
}

export function studyLabels(db: Db, studyId: number): StudyLabel[] {
  return (
    db
      .prepare(
        `SELECT a.name AS annotator, l.image_index, l.categories, l.note, l.labeled_at FROM labels l
         JOIN annotators a ON a.id = l.annotator_id WHERE l.study_id = ? ORDER BY a.name, l.image_index`,
      )
      .all(studyId) as { annotator: string; image_index: number; categories: string; note: string; labeled_at: string }[]
  ).map((r) => ({ annotator: r.annotator, imageIndex: r.image_index, categories: JSON.parse(r.categories) as string[], note: r.note, labeledAt: r.labeled_at }));
}

/** Labeled images per annotator, out of the study's size. */
export function studyProgress(db: Db, studyId: number): { annotator: string; labeled: number; total: number }[] {
  const total = db.prepare('SELECT count(*) FROM study_items WHERE study_id = ?').pluck().get(studyId) as number;
  return (
    db
      .prepare('SELECT a.name AS annotator, count(*) AS labeled FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE l.study_id = ? GROUP BY a.name ORDER BY a.name')
      .all(studyId) as { annotator: string; labeled: number }[]
  ).map((r) => ({ ...r, total }));
}

/** Removes one annotator's label of one study image (its own transaction); true when there was one. */
export function removeStudyLabel(db: Db, studyId: number, annotator: string, imageIndex: number): boolean {
  getStudy(db, studyId);
  const inStudy = db.prepare('SELECT 1 FROM study_items WHERE study_id = ? AND image_index = ?').get(studyId, imageIndex);
  if (!inStudy) throw new UserError(`image ${imageIndex} is not in study ${studyId}`);
  const id = db.prepare('SELECT id FROM annotators WHERE name = ?').pluck().get(annotator.trim()) as number | undefined;
  if (id === undefined) return false;
  return db.prepare('DELETE FROM labels WHERE study_id = ? AND annotator_id = ? AND image_index = ?').run(studyId, id, imageIndex).changes > 0;
}

/** One annotator's labels of a study, by image index. */
export function annotatorStudyLabels(db: Db, studyId: number, annotator: string): Map<number, StudyLabel> {
  const rows = db
    .prepare(
      `SELECT l.image_index, l.categories, l.note, l.labeled_at FROM labels l JOIN annotators a ON a.id = l.annotator_id
       WHERE l.study_id = ? AND a.name = ?`,
    )
    .all(studyId, annotator.trim()) as { image_index: number; categories: string; note: string; labeled_at: string }[];
  return new Map(rows.map((r) => [r.image_index, { annotator: annotator.trim(), imageIndex: r.image_index, categories: JSON.parse(r.categories) as string[], note: r.note, labeledAt: r.labeled_at }]));
}
