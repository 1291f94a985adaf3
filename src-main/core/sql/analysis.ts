/**
 * The stored analysis (analysis_runs, analysis_images, analysis_classes,
 * analysis_variants) as read by the screens, the study design and the exports.
 */
import type { ReadableDb } from './handles.js';

export interface ImageFlag {
  imageIndex: number;
  trueLabel: number;
  isPie: boolean;
}

/** Every image of the experiment with its true label and whether it is a PIE of the variant. */
export function variantImageFlags(db: ReadableDb, experimentId: number, variant: string): ImageFlag[] {
  return (
    db
      .prepare(
        `SELECT a.image_index, ei.true_label, a.is_pie FROM analysis_images a
         JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
         WHERE a.experiment_id = ? AND a.variant = ? ORDER BY a.image_index`,
      )
      .all(experimentId, variant) as { image_index: number; true_label: number; is_pie: number }[]
  ).map((r) => ({ imageIndex: r.image_index, trueLabel: r.true_label, isPie: r.is_pie === 1 }));
}

/** The compressed variants the stored analysis holds, in report order. */
export function analysedCompressedVariants(db: ReadableDb, experimentId: number): string[] {
  return db.prepare("SELECT variant FROM analysis_variants WHERE experiment_id = ? AND variant <> 'dense' ORDER BY position").pluck().all(experimentId) as string[];
}

/** One image as a variant's population and the dense one see it. */
export interface PieImageRow {
  imageIndex: number;
  imageId: number | null;
  trueLabel: number;
  modal: number;
  votes: number;
  observ: number;
  tie: number;
  isPie: number;
  meanTrueProbability: number | null;
  selfConfidence: number;
  normalizedMargin: number;
  denseModal: number;
  denseVotes: number;
  denseObserv: number;
  denseTie: number;
  denseMeanTrueProbability: number | null;
}

/** Every image of the experiment for one compressed variant beside dense, by image index. */
export function pieImageRows(db: ReadableDb, experimentId: number, variant: string): PieImageRow[] {
  return db
    .prepare(
      `SELECT a.image_index AS imageIndex, ei.image_id AS imageId, ei.true_label AS trueLabel,
              a.modal_label AS modal, a.modal_votes AS votes, a.number_observ AS observ, a.tie AS tie, a.is_pie AS isPie,
              a.mean_true_probability AS meanTrueProbability, a.self_confidence AS selfConfidence, a.normalized_margin AS normalizedMargin,
              d.modal_label AS denseModal, d.modal_votes AS denseVotes, d.number_observ AS denseObserv, d.tie AS denseTie,
              d.mean_true_probability AS denseMeanTrueProbability
       FROM analysis_images a
       JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
       JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
       WHERE a.experiment_id = ? AND a.variant = ? ORDER BY a.image_index`,
    )
    .all(experimentId, variant) as PieImageRow[];
}

/** One image's stored scores in one variant, with the variant's report position. */
export interface ImageScoreRow {
  variant: string;
  modal: number;
  votes: number;
  observ: number;
  agreement: number;
  tie: number;
  isPie: number | null;
  meanTrueProbability: number | null;
  selfConfidence: number;
  normalizedMargin: number;
  position: number;
}

export function imageScoreRows(db: ReadableDb, experimentId: number, imageIndex: number): ImageScoreRow[] {
  return db
    .prepare(
      `SELECT a.variant, a.modal_label AS modal, a.modal_votes AS votes, a.number_observ AS observ, a.agreement, a.tie, a.is_pie AS isPie,
              a.mean_true_probability AS meanTrueProbability, a.self_confidence AS selfConfidence, a.normalized_margin AS normalizedMargin, v.position
       FROM analysis_images a JOIN analysis_variants v ON v.experiment_id = a.experiment_id AND v.variant = a.variant
       WHERE a.experiment_id = ? AND a.image_index = ?`,
    )
    .all(experimentId, imageIndex) as ImageScoreRow[];
}
