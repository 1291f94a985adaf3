/** Data access for exporting labels: each label joined to its annotator, dataset, true label and PIE flag. */
import type { ReadableDb } from '../db/database.js';

export interface LabelJoin {
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

/** A study's labels, by annotator and study position; is_pie is null while the study is blind; dataset is given. */
export function studyLabelJoin(db: ReadableDb, studyId: number, dataset: string): LabelJoin[] {
  return db
    .prepare(
      `SELECT l.study_id, a.name AS annotator, ? AS dataset, l.image_index, ei.true_label,
              CASE WHEN s.blind = 1 THEN NULL ELSE si.is_pie END AS is_pie, l.categories, l.note, l.labeled_at
       FROM labels l JOIN annotators a ON a.id = l.annotator_id JOIN studies s ON s.id = l.study_id
       JOIN study_items si ON si.study_id = l.study_id AND si.image_index = l.image_index
       JOIN experiment_images ei ON ei.experiment_id = l.experiment_id AND ei.image_index = l.image_index
       WHERE l.study_id = ? ORDER BY a.name, si.position`,
    )
    .all(dataset, studyId) as LabelJoin[];
}

/** An experiment's free-audit labels, by annotator and image; is_pie relative to the given variant (null: none). */
export function auditLabelJoin(db: ReadableDb, experimentId: number, variant: string | null): LabelJoin[] {
  return db
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
}
