/**
 * Gradual magnitude pruning schedule (Zhu and Gupta 2017), as in the reference code:
 * s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3, evaluated at the update steps
 * t0, t0 + dt, ..., t0 + n*dt; before t0 nothing is pruned, after t0 + n*dt the final
 * sparsity holds.
 */
export interface PruningSchedule {
  initialSparsity: number;
  finalSparsity: number;
  /** t0: the first step that prunes. */
  beginStep: number;
  /** dt: steps between mask updates. */
  frequency: number;
  /** n: number of updates after the first; the ramp ends at t0 + n*dt. */
  updates: number;
}

/** The target sparsity at step t (the value of the last update at or before t). */
export function sparsityAt(schedule: PruningSchedule, step: number): number {
  const { initialSparsity: si, finalSparsity: sf, beginStep: t0, frequency: dt, updates: n } = schedule;
  if (step < t0) return 0;
  const end = t0 + n * dt;
  if (step >= end || n === 0) return sf;
  const last = t0 + Math.floor((step - t0) / dt) * dt;
  const progress = (last - t0) / (n * dt);
  return sf + (si - sf) * (1 - progress) ** 3;
}

/** True when the masks are recomputed at this step. */
export function isUpdateStep(schedule: PruningSchedule, step: number): boolean {
  const { beginStep: t0, frequency: dt, updates: n } = schedule;
  return step >= t0 && step <= t0 + n * dt && (step - t0) % dt === 0;
}

/**
 * Defaults scaled to the run's length: begin after about 1/6 of the steps, end at
 * about 2/3, about 20 updates in between, at most every 400 steps.
 */
export function defaultSchedule(totalSteps: number, finalSparsity: number, overrides: Partial<PruningSchedule> = {}): PruningSchedule {
  const beginStep = overrides.beginStep ?? Math.floor(totalSteps / 6);
  const endStep = Math.max(beginStep, Math.floor((2 * totalSteps) / 3));
  const frequency = overrides.frequency ?? Math.max(1, Math.min(400, Math.round((endStep - beginStep) / 20)));
  const updates = overrides.updates ?? Math.max(0, Math.floor((endStep - beginStep) / frequency));
  const schedule = { initialSparsity: 0, finalSparsity, beginStep, frequency, updates, ...overrides };
  if (schedule.beginStep + schedule.updates * schedule.frequency >= totalSteps) {
    throw new Error(`pruning schedule ends at step ${schedule.beginStep + schedule.updates * schedule.frequency}, after the run's ${totalSteps} steps`);
  }
  return schedule;
}
