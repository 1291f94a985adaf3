/**
 * The stored analysis in the columns of the pies and class-impact exports (one row per
 * image and compressed variant; one per class and variant).
 */
import type { Row } from '../export/writers.js';
import type { ReadableDb } from './handles.js';

/** Every compressed variant's image beside dense, by report position and image index; `cie_distance` null where none is stored. */
export function pieExportRows(db: ReadableDb, experimentId: number): Iterable<Row> {
  return db
    .prepare(
      `SELECT v.target_sparsity AS pruning_fraction, a.variant, a.image_index, ei.true_label AS true_class_label,
              a.modal_label AS variant_modal_label, a.number_observ AS variant_number_observ,
              d.modal_label AS baseline_modal_label, d.number_observ AS baseline_number_observ,
              a.agreement AS variant_agreement, d.agreement AS baseline_agreement,
              max(a.tie, d.tie) AS tie, a.is_pie,
              a.tie AS variant_tie, d.tie AS baseline_tie,
              a.mean_true_probability AS variant_mean_true_probability, d.mean_true_probability AS baseline_mean_true_probability,
              a.self_confidence AS variant_self_confidence, d.self_confidence AS baseline_self_confidence,
              a.normalized_margin AS variant_normalized_margin, d.normalized_margin AS baseline_normalized_margin,
              c.distance AS cie_distance
       FROM analysis_images a
       JOIN analysis_variants v ON v.experiment_id = a.experiment_id AND v.variant = a.variant
       JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
       JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
       LEFT JOIN analysis_cie_distances c ON c.experiment_id = a.experiment_id AND c.variant = a.variant AND c.image_index = a.image_index
       WHERE a.experiment_id = ? AND a.variant <> 'dense'
       ORDER BY v.position, a.image_index`,
    )
    .iterate(experimentId) as Iterable<Row>;
}

/** Every class of every variant with its impact and the relative recall loss (same sign as the t statistic). */
export function classImpactExportRows(db: ReadableDb, experimentId: number): Row[] {
  return db
    .prepare(
      `SELECT c.variant, v.target_sparsity AS pruning_fraction, c.class, c.baseline_mean_recall, c.variant_mean_recall,
              c.statistic AS statistic_recall_norm, c.pvalue AS pvalue_recall_norm, c.qvalue, c.significant,
              (c.baseline_mean_recall - d.top1_mean) - (c.variant_mean_recall - v.top1_mean) AS relative_recall_loss
       FROM analysis_classes c JOIN analysis_variants v ON v.experiment_id = c.experiment_id AND v.variant = c.variant
       JOIN analysis_variants d ON d.experiment_id = c.experiment_id AND d.variant = 'dense'
       WHERE c.experiment_id = ? ORDER BY v.position, c.class`,
    )
    .all(experimentId) as Row[];
}
