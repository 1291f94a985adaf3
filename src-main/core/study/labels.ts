/**
 * A study's labels: saved through the one label writer (core/labels/store.ts) in the
 * study's scope, and read for the study screen, the progress and the report.
 */
import type { ReadableDb, WritableDb } from '../sql/handles.js';
import { annotatorLabels, studyLabelCounts, studyLabelRows, type LabelRow } from '../sql/labels.js';
import { studyItemCount } from '../sql/studies.js';
import { saveLabel, type StoredLabel } from '../labels/store.js';
import { getStudy } from './store.js';

/** A study label as stored: categories in schema order, [] for `none`. */
export type StudyLabel = LabelRow;

export interface SetStudyLabel {
  studyId: number;
  annotator: string;
  imageIndex: number;
  /** [] removes the label; ['none'] marks a typical, clean image */
  categories: readonly string[];
  /** Left as stored when undefined. */
  note?: string;
  labeledAt?: string;
}

/** Saves (or with [] removes) one annotator's label of one study image; durable on return. */
export function setStudyLabel(db: WritableDb, request: SetStudyLabel): StoredLabel | null {
  const study = getStudy(db, request.studyId);
  const { studyId, ...rest } = request;
  return saveLabel(db, { ...rest, scope: { experimentId: study.experimentId, studyId }, unknownWording: 'category' });
}

export function studyLabels(db: ReadableDb, studyId: number): StudyLabel[] {
  return studyLabelRows(db, studyId);
}

/** Labeled images per annotator, out of the study's size. */
export function studyProgress(db: ReadableDb, studyId: number): { annotator: string; labeled: number; total: number }[] {
  const total = studyItemCount(db, studyId);
  return studyLabelCounts(db, studyId).map((r) => ({ ...r, total }));
}

/** One annotator's labels of a study, by image index. */
export function annotatorStudyLabels(db: ReadableDb, studyId: number, annotator: string): Map<number, StudyLabel> {
  const study = getStudy(db, studyId);
  const rows = annotatorLabels(db, { experimentId: study.experimentId, studyId }, annotator.trim());
  return new Map(rows.map((r) => [r.imageIndex, r]));
}
