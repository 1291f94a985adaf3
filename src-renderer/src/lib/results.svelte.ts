import { call, type ClassImpactDto, type ModelSummaryDto, type ReportDto, type ShiftDto } from './api.ts';
import { NewestLoad } from './newest-load.svelte.ts';

/**
 * The headline report, the models (for the population's spread) and the class impact of
 * one experiment; the newest load wins, so a slow answer for another experiment never
 * replaces the one on screen.
 */
export class ResultsState {
  #experimentId = $state<number | null>(null);
  #report = $state.raw<ReportDto | null>(null);
  #models = $state.raw<ModelSummaryDto[]>([]);
  #impact = $state.raw<ClassImpactDto[]>([]);
  #shift = $state.raw<ShiftDto | null>(null);
  #load = new NewestLoad();

  get experimentId(): number | null {
    return this.#experimentId;
  }

  get report(): ReportDto | null {
    return this.#report;
  }

  get models(): ModelSummaryDto[] {
    return this.#models;
  }

  get impact(): ClassImpactDto[] {
    return this.#impact;
  }

  /** The shift table; loaded after the rest (its first computation reads every evaluation prediction). */
  get shift(): ShiftDto | null {
    return this.#shift;
  }

  get loading(): boolean {
    return this.#load.loading;
  }

  get error(): string | null {
    return this.#load.error;
  }

  /** Loads everything for the experiment, with CIEs at `cieQuantile`. */
  load(experimentId: number, cieQuantile: number): Promise<void> {
    this.#experimentId = experimentId;
    return this.#load.run(
      async () => {
        const report = await call('report.get', { experimentId, cieQuantile });
        const [models, impact] = await Promise.all([call('experiments.models', { experimentId }), call('classes.impact', { experimentId })]);
        return { report, models, impact };
      },
      ({ report, models, impact }, stillNewest) => {
        this.#report = report;
        this.#models = models;
        this.#impact = impact;
        this.#shift = null;
        void this.#loadShift(experimentId, stillNewest);
      },
      () => {
        this.#report = null;
        this.#models = [];
        this.#impact = [];
        this.#shift = null;
      },
    );
  }

  async #loadShift(experimentId: number, stillNewest: () => boolean): Promise<void> {
    try {
      const shift = await call('shift.get', { experimentId });
      if (stillNewest()) this.#shift = shift.rows.length > 0 ? shift : null;
    } catch {
      // The shift section is optional: without it the other results still stand.
      if (stillNewest()) this.#shift = null;
    }
  }
}
