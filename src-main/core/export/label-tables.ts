import type { Db } from '../db/database.js';
import { auditLabelJoin, studyLabelJoin, type LabelJoin } from '../sql/label-export.js';
import { resolveVariant, getStudy } from '../study/store.js';
import type { Row } from './writers.js';
import { classNamer } from './class-names.js';

export const LABEL_COLUMNS = ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint', 'true_class_name'] as const;

function toRow(r: LabelJoin, fingerprint: string | null, className: (label: number) => string | null): Row {
  const categories = JSON.parse(r.categories) as string[];
  return { ...r, categories: categories.length ? categories.join(';') : 'none', study_fingerprint: fingerprint, true_class_name: className(r.true_label) };
}

/**
 * A study's labels, one row per annotator and image. is_pie stays empty while the study
 * is blind. study_fingerprint lets another machine match the study (ids differ).
 */
export function studyLabelRows(db: Db, studyId?: number): Row[] {
  const study = getStudy(db, studyId);
  const rows = studyLabelJoin(db, study.id, study.dataset);
  const className = classNamer(db, study.experimentId);
  return rows.map((r) => toRow(r, study.fingerprint, className));
}

/**
 * Free-audit labels of an experiment (study_id empty). is_pie is relative to the
 * variant a study would default to: the most sparse magnitude-pruned one.
 */
export function auditLabelRows(db: Db, experimentId: number): Row[] {
  let variant: string | null = null;
  try {
    variant = resolveVariant(db, experimentId);
  } catch {
    variant = null; // no compressed variant: is_pie stays empty
  }
  const rows = auditLabelJoin(db, experimentId, variant);
  const className = classNamer(db, experimentId);
  return rows.map((r) => toRow(r, null, className));
}
