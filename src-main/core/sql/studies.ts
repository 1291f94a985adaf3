/**
 * studies and study_items: a blind study's row (with its design JSON) and the images it
 * drew, in the order annotators see them. The PIE flag of an item is read only by the
 * report and the unblinded export, never by what annotators are shown.
 */
import { nowIso } from '../db/database.js';
import type { ReadableDb, WritableDb } from './handles.js';

export interface StudyRow {
  id: number;
  name: string;
  experimentId: number;
  variant: string;
  nPies: number;
  nControls: number;
  seed: number;
  blind: boolean;
  fingerprint: string;
  /** The dataset name, or the experiment's name for a labels-only import. */
  dataset: string;
  createdAt: string;
}

interface RawStudy {
  id: number;
  name: string;
  experiment_id: number;
  variant: string;
  n_pies: number;
  n_controls: number;
  seed: number;
  blind: number;
  design: string;
  created_at: string;
  dataset: string;
}

function toStudy(r: RawStudy): StudyRow {
  const design = JSON.parse(r.design) as { fingerprint?: string };
  return {
    id: r.id,
    name: r.name,
    experimentId: r.experiment_id,
    variant: r.variant,
    nPies: r.n_pies,
    nControls: r.n_controls,
    seed: r.seed,
    blind: r.blind === 1,
    fingerprint: design.fingerprint ?? '',
    dataset: r.dataset,
    createdAt: r.created_at,
  };
}

const STUDY_SELECT = `SELECT s.*, coalesce(d.name, e.name) AS dataset FROM studies s
  JOIN experiments e ON e.id = s.experiment_id LEFT JOIN datasets d ON d.id = e.dataset_id`;

export function listStudyRows(db: ReadableDb): StudyRow[] {
  return (db.prepare(`${STUDY_SELECT} ORDER BY s.id`).all() as RawStudy[]).map(toStudy);
}

/** The study by id, or the newest one; undefined when there is none. */
export function findStudyRow(db: ReadableDb, studyId?: number): StudyRow | undefined {
  const row = (studyId === undefined ? db.prepare(`${STUDY_SELECT} ORDER BY s.id DESC LIMIT 1`).get() : db.prepare(`${STUDY_SELECT} WHERE s.id = ?`).get(studyId)) as
    | RawStudy
    | undefined;
  return row && toStudy(row);
}

export type NewStudy = Pick<StudyRow, 'name' | 'experimentId' | 'variant' | 'nPies' | 'nControls' | 'seed'> & {
  design: unknown;
  items: readonly { imageIndex: number; isPie: boolean }[];
};

/** Stores a drawn study and its items in one transaction; returns its id. */
export function insertStudy(db: WritableDb, study: NewStudy): number {
  return db.transaction(() => {
    const studyId = Number(
      db
        .prepare('INSERT INTO studies (name, experiment_id, variant, n_pies, n_controls, seed, design, blind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)')
        .run(study.name, study.experimentId, study.variant, study.nPies, study.nControls, study.seed, JSON.stringify(study.design), nowIso()).lastInsertRowid,
    );
    const insert = db.prepare('INSERT INTO study_items (study_id, position, image_index, is_pie) VALUES (?, ?, ?, ?)');
    study.items.forEach((item, position) => insert.run(studyId, position, item.imageIndex, item.isPie ? 1 : 0));
    return studyId;
  })();
}

export function setStudyUnblinded(db: WritableDb, studyId: number): void {
  db.prepare('UPDATE studies SET blind = 0 WHERE id = ?').run(studyId);
}

export interface StudyItem {
  position: number;
  imageIndex: number;
  trueLabel: number;
  imageId: number | null;
}

/** What an annotator sees: position, image and true label; never the PIE flag. */
export function studyItemRows(db: ReadableDb, studyId: number): StudyItem[] {
  return (
    db
      .prepare(
        `SELECT si.position, si.image_index, ei.true_label, ei.image_id FROM study_items si
         JOIN studies s ON s.id = si.study_id
         JOIN experiment_images ei ON ei.experiment_id = s.experiment_id AND ei.image_index = si.image_index
         WHERE si.study_id = ? ORDER BY si.position`,
      )
      .all(studyId) as { position: number; image_index: number; true_label: number; image_id: number | null }[]
  ).map((r) => ({ position: r.position, imageIndex: r.image_index, trueLabel: r.true_label, imageId: r.image_id }));
}

export function studyItemCount(db: ReadableDb, studyId: number): number {
  return db.prepare('SELECT count(*) FROM study_items WHERE study_id = ?').pluck().get(studyId) as number;
}

export function studyHasImage(db: ReadableDb, studyId: number, imageIndex: number): boolean {
  return db.prepare('SELECT 1 FROM study_items WHERE study_id = ? AND image_index = ?').get(studyId, imageIndex) !== undefined;
}

/** The PIE flag of each item, in position order: for the report only. */
export function studyItemPieFlags(db: ReadableDb, studyId: number): { position: number; imageIndex: number; isPie: boolean }[] {
  return (
    db.prepare('SELECT position, image_index, is_pie FROM study_items WHERE study_id = ? ORDER BY position').all(studyId) as { position: number; image_index: number; is_pie: number }[]
  ).map((r) => ({ position: r.position, imageIndex: r.image_index, isPie: r.is_pie === 1 }));
}
