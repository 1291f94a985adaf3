/**
 * Data access for analysis_cie_distances: the stored per-image distances of each
 * non-dense variant, and the CIE summaries derived from them for a given quantile.
 */
import type { Db, ReadableDb } from '../db/database.js';
import { cieRank } from '../analysis/cie.js';

/** Replaces one variant's distances (call inside the analysis transaction). */
export function storeCieDistances(db: Db, experimentId: number, variant: string, distances: Float64Array): void {
  const insert = db.prepare('INSERT INTO analysis_cie_distances (experiment_id, variant, image_index, distance) VALUES (?, ?, ?, ?)');
  distances.forEach((d, i) => insert.run(experimentId, variant, i, d));
}

/** True when the stored analysis has compressed variants but no distances (stored before CIEs existed). */
export function cieDistancesMissing(db: ReadableDb, experimentId: number): boolean {
  return (
    db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM analysis_variants WHERE experiment_id = ? AND variant <> 'dense')
            AND NOT EXISTS (SELECT 1 FROM analysis_cie_distances WHERE experiment_id = ?)`,
      )
      .pluck()
      .get(experimentId, experimentId) === 1
  );
}

export function deleteCieDistances(db: Db, experimentId: number): void {
  db.prepare('DELETE FROM analysis_cie_distances WHERE experiment_id = ?').run(experimentId);
}

/** Per variant, the distance an image needs to be a CIE at this quantile (the k-th largest). */
export function cieThresholds(db: ReadableDb, experimentId: number, quantile: number): Map<string, number> {
  const counts = db
    .prepare('SELECT variant, count(*) AS n FROM analysis_cie_distances WHERE experiment_id = ? GROUP BY variant')
    .all(experimentId) as { variant: string; n: number }[];
  const kth = db.prepare('SELECT distance FROM analysis_cie_distances WHERE experiment_id = ? AND variant = ? ORDER BY distance DESC LIMIT 1 OFFSET ?').pluck();
  return new Map(counts.map((c) => [c.variant, kth.get(experimentId, c.variant, cieRank(c.n, quantile) - 1) as number]));
}

export interface CieSummary {
  cies: number;
  /** mean over the population's models of their accuracy on the CIEs (null when there are none) */
  denseTop1OnCies: number | null;
  variantTop1OnCies: number | null;
  /** images that are both PIEs and CIEs */
  piesAndCies: number;
}

/**
 * The CIE columns of the headline table. A population's mean accuracy on a set of
 * images is the mean of their self-confidence (share of its models right on the image),
 * since every model predicted every image.
 */
export function cieSummaries(db: ReadableDb, experimentId: number, quantile: number): Map<string, CieSummary> {
  const thresholds = cieThresholds(db, experimentId, quantile);
  const summary = db.prepare(
    `SELECT count(*) AS cies, avg(d.self_confidence) AS dense_top1, avg(a.self_confidence) AS variant_top1, coalesce(sum(a.is_pie), 0) AS both
     FROM analysis_cie_distances c
     JOIN analysis_images a ON a.experiment_id = c.experiment_id AND a.variant = c.variant AND a.image_index = c.image_index
     JOIN analysis_images d ON d.experiment_id = c.experiment_id AND d.variant = 'dense' AND d.image_index = c.image_index
     WHERE c.experiment_id = ? AND c.variant = ? AND c.distance > 0 AND c.distance >= ?`,
  );
  const result = new Map<string, CieSummary>();
  for (const [variant, threshold] of thresholds) {
    const row = summary.get(experimentId, variant, threshold) as { cies: number; dense_top1: number | null; variant_top1: number | null; both: number };
    result.set(variant, { cies: row.cies, denseTop1OnCies: row.dense_top1, variantTop1OnCies: row.variant_top1, piesAndCies: row.both });
  }
  return result;
}

/** One variant's distances by image_index, with its CIE threshold at the quantile. */
export function cieColumn(db: ReadableDb, experimentId: number, variant: string, quantile: number): { distances: Map<number, number>; threshold: number | null } {
  const rows = db.prepare('SELECT image_index, distance FROM analysis_cie_distances WHERE experiment_id = ? AND variant = ?').raw().all(experimentId, variant) as [number, number][];
  return { distances: new Map(rows), threshold: cieThresholds(db, experimentId, quantile).get(variant) ?? null };
}
