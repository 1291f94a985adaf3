/**
 * The stored analysis (analysis_runs, analysis_images, analysis_classes,
 * analysis_variants) as read by the screens, the study design and the exports.
 */
import { deleteCieDistances } from './cie-distances.js';
import type { ReadableDb, WritableDb } from './handles.js';

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

/** The signature of the finished models the stored analysis was computed from (none before the first run). */
export function storedAnalysisSignature(db: ReadableDb, experimentId: number): string | undefined {
  return db.prepare('SELECT signature FROM analysis_runs WHERE experiment_id = ?').pluck().get(experimentId) as string | undefined;
}

/** analysis_images values after the experiment id: variant, image index, modal label, its votes, models, agreement, tie, is_pie, mean true-label probability, self-confidence, normalized margin. */
export type AnalysisImageValues = [string, number, number | undefined, number | undefined, number, number, number | undefined, number | null | undefined, number | null, number, number];
/** analysis_classes values after the experiment id: variant, class, baseline and variant mean recall, statistic, p, q, significant. */
export type AnalysisClassValues = [string, number, number, number, number | null, number | null, number | null, 0 | 1];
/** analysis_variants values after the experiment id, in the table's column order up to most_hurt (JSON), then position. */
export type AnalysisVariantValues = [
  string, string, number, number, number, number,
  number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, string | null, number,
];

export interface AnalysisWriter {
  image(experimentId: number, ...values: AnalysisImageValues): void;
  klass(experimentId: number, ...values: AnalysisClassValues): void;
  variant(experimentId: number, ...values: AnalysisVariantValues): void;
}

/**
 * Replaces an experiment's stored analysis in one transaction: the old rows (and CIE
 * distances) are deleted, `fill` writes the new ones through the writer (the image
 * rows are many: the statements are prepared once and bound directly), then the run
 * row with the models' signature marks it current.
 */
export function replaceAnalysis(
  db: WritableDb,
  experimentId: number,
  run: { signature: string; numClasses: number; computedAt: string; seconds: number },
  fill: (writer: AnalysisWriter) => void,
): void {
  const insertImage = db.prepare(
    `INSERT INTO analysis_images (experiment_id, variant, image_index, modal_label, modal_votes, number_observ, agreement, tie, is_pie,
       mean_true_probability, self_confidence, normalized_margin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertClass = db.prepare(
    `INSERT INTO analysis_classes (experiment_id, variant, class, baseline_mean_recall, variant_mean_recall, statistic, pvalue, qvalue, significant)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVariant = db.prepare(
    `INSERT INTO analysis_variants (experiment_id, variant, method, target_sparsity, models, top1_mean, top1_std, pies, pie_share,
       dense_top1_on_pies, variant_top1_on_pies, dense_top1_on_non_pies, variant_top1_on_non_pies, classes_p05, classes_q05, most_hurt, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const writer: AnalysisWriter = {
    image: insertImage.run.bind(insertImage),
    klass: insertClass.run.bind(insertClass),
    variant: insertVariant.run.bind(insertVariant),
  };
  db.transaction(() => {
    for (const table of ['analysis_images', 'analysis_classes', 'analysis_variants', 'analysis_runs']) {
      db.prepare(`DELETE FROM ${table} WHERE experiment_id = ?`).run(experimentId);
    }
    deleteCieDistances(db, experimentId);
    fill(writer);
    db.prepare('INSERT INTO analysis_runs (experiment_id, signature, num_classes, computed_at, seconds) VALUES (?, ?, ?, ?, ?)').run(
      experimentId,
      run.signature,
      run.numClasses,
      run.computedAt,
      run.seconds,
    );
  })();
}

/** A row of analysis_variants as stored (the headline table's columns; most_hurt is JSON). */
export interface AnalysisVariantRow {
  variant: string;
  method: string;
  target_sparsity: number;
  models: number;
  top1_mean: number;
  top1_std: number;
  pies: number | null;
  pie_share: number | null;
  dense_top1_on_pies: number | null;
  variant_top1_on_pies: number | null;
  dense_top1_on_non_pies: number | null;
  variant_top1_on_non_pies: number | null;
  classes_p05: number | null;
  classes_q05: number | null;
  most_hurt: string | null;
}

export function analysisVariantRows(db: ReadableDb, experimentId: number): AnalysisVariantRow[] {
  return db.prepare('SELECT * FROM analysis_variants WHERE experiment_id = ? ORDER BY position').all(experimentId) as AnalysisVariantRow[];
}

/** Per compressed variant: its PIEs whose variant or dense modal label was a tie-break. */
export function pieTieCounts(db: ReadableDb, experimentId: number): Map<string, number> {
  return new Map(
    (
      db
        .prepare(
          `SELECT a.variant, count(*) AS n FROM analysis_images a
           JOIN analysis_images d ON d.experiment_id = a.experiment_id AND d.variant = 'dense' AND d.image_index = a.image_index
           WHERE a.experiment_id = ? AND a.variant <> 'dense' AND a.is_pie = 1 AND (a.tie = 1 OR d.tie = 1)
           GROUP BY a.variant`,
        )
        .all(experimentId) as { variant: string; n: number }[]
    ).map((r) => [r.variant, r.n]),
  );
}
