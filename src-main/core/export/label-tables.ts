import type { Db } from '../db/database.js';
import { resolveVariant, getStudy } from '../study/store.js';
import type { Row } from './writers.js';

export const LABEL_COLUMNS = ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at', 'study_fingerprint'] as const;

interface LabelJoin {
  study_id: number | null;
  annotator: string;
  dataset: string;
  image_index: number;
  true_label: number;
  is_pie: number | null;
  categories: string;
  note: string;
  labeled_at: string;
}

function toRow(r: LabelJoin, fingerprint: string | null): Row {
  const categories = JSON.parse(r.categories) as string[];
  return { ...r, categories: categories.length ? categories.join(';') : 'none', study_fingerprint: fingerprint };
}

/**
 * A study's labels, one row per annotator and image. is_pie stays empty while the study
 * is blind. study_fingerprint lets another machine match the study (ids differ).
 */
export function studyLabelRows(db: Db, studyId?: number): Row[] {
  const study = getStudy(db, studyId);
  const rows = db
    .prepare(
      `SELECT l.study_id, a.name AS annotator, ? AS dataset, l.image_index, ei.true_label,
              CASE WHEN s.blind = 1 THEN NULL ELSE si.is_pie END AS is_pie, l.categories, l.note, l.labeled_at
       FROM labels l JOIN annotators a ON a.id = l.annotator_id JOIN studies s ON s.id = l.study_id
       JOIN study_items si ON si.study_id = l.study_id AND si.image_index = l.image_index
       JOIN experiment_images ei ON ei.experiment_id = l.experiment_id AND ei.image_index = l.image_index
       WHERE l.study_id = ? ORDER BY a.name, si.position`,
    )
    .all(study.dataset, study.id) as LabelJoin[];
  return rows.map((r) => toRow(r, study.fingerprint));
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
  const rows = db
    .prepare(
      `SELECT NULL AS study_id, a.name AS annotator, coalesce(d.name, e.name) AS dataset, l.image_index, ei.true_label,
              ai.is_pie, l.categories, l.note, l.labeled_at
       FROM labels l JOIN annotators a ON a.id = l.annotator_id JOIN experiments e ON e.id = l.experiment_id
       LEFT JOIN datasets d ON d.id = e.dataset_id
       JOIN experiment_images ei ON ei.experiment_id = l.experiment_id AND ei.image_index = l.image_index
       LEFT JOIN analysis_images ai ON ai.experiment_id = l.experiment_id AND ai.variant = ? AND ai.image_index = l.image_index
       WHERE l.study_id IS NULL AND l.experiment_id = ? ORDER BY a.name, l.image_index`,
    )
    .all(variant, experimentId) as LabelJoin[];
  return rows.map((r) => toRow(r, null));
}
