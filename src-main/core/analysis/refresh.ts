/**
 * Keeping the stored analysis current. Whatever writes predictions (a training run, an
 * import of predictions or of models, an evaluation) calls refreshAfterWrite at its end,
 * in the same place that wrote, so that reading a database written by this version
 * never has to write. refreshAnalysis is the explicit step for a database left stale
 * (written by an older version, or interrupted before its refresh): the writable
 * callers take it before they read.
 */
import type { Db } from '../db/database.js';
import { listEvalSets } from '../sql/eval-sets.js';
import { finishedPopulationModels } from '../sql/models.js';
import { stopPoint } from '../stop-points.js';
import { ensureAnalysis } from './analyse.js';
import { refreshShift } from './shift.js';

/** The clean analysis, and the shift metrics when the experiment has evaluation sets; each recomputed only when stale. */
export function refreshAnalysis(db: Db, experimentId: number): void {
  ensureAnalysis(db, experimentId);
  if (listEvalSets(db, experimentId).length > 0) refreshShift(db, experimentId);
}

/**
 * After predictions were written: refreshAnalysis, when the experiment can be analysed
 * at all (PIEs are defined against the dense population, so a run stopped before any
 * dense model finished has nothing to analyse yet). The write has committed and stands
 * whatever happens here: an analysis that cannot be computed (or stored) leaves the
 * stored one stale, and the explicit step on reading reports the reason, as it did
 * before writers kept the analysis current.
 */
export function refreshAfterWrite(db: Db, experimentId: number): void {
  if (!finishedPopulationModels(db, experimentId).some((m) => m.variant === 'dense')) return;
  stopPoint('refresh-after-write');
  try {
    refreshAnalysis(db, experimentId);
  } catch {
    // Stale on purpose: see above.
  }
}
