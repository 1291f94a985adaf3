/** Reads of the stored clean analysis (the analysis migration) that the shift and long-tail metrics build on. */
import type { ReadableDb } from '../db/database.js';

/** [variant, clean top-1 mean] in the headline table's order (dense first). */
export function variantCleanTop1(db: ReadableDb, experimentId: number): [string, number][] {
  return db.prepare('SELECT variant, top1_mean FROM analysis_variants WHERE experiment_id = ? ORDER BY position').raw().all(experimentId) as [string, number][];
}

export function analysedClassCount(db: ReadableDb, experimentId: number): number {
  return (db.prepare('SELECT num_classes FROM analysis_runs WHERE experiment_id = ?').pluck().get(experimentId) as number | undefined) ?? 0;
}

/** Per non-dense variant: each class's impact statistic (null when undefined). */
export function classStatistics(db: ReadableDb, experimentId: number): Map<string, Map<number, number | null>> {
  const rows = db.prepare("SELECT variant, class, statistic FROM analysis_classes WHERE experiment_id = ? AND variant <> 'dense'").raw().all(experimentId) as [string, number, number | null][];
  const out = new Map<string, Map<number, number | null>>();
  for (const [variant, c, statistic] of rows) {
    const m = out.get(variant) ?? new Map<number, number | null>();
    m.set(c, statistic);
    out.set(variant, m);
  }
  return out;
}

/** Per non-dense variant: PIEs counted by their true class. */
export function pieCountsByClass(db: ReadableDb, experimentId: number): Map<string, Map<number, number>> {
  const rows = db
    .prepare(
      `SELECT a.variant, ei.true_label, sum(a.is_pie) FROM analysis_images a
       JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
       WHERE a.experiment_id = ? AND a.variant <> 'dense' GROUP BY a.variant, ei.true_label`,
    )
    .raw()
    .all(experimentId) as [string, number, number][];
  const out = new Map<string, Map<number, number>>();
  for (const [variant, c, pies] of rows) {
    const m = out.get(variant) ?? new Map<number, number>();
    m.set(c, pies);
    out.set(variant, m);
  }
  return out;
}
