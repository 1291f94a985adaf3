import { call, errorMessage, type ApiEvent, type ExperimentSummaryDto } from './api.ts';
import { FoldedReload } from './folded-reload.ts';

/** Has a model whose predictions are stored: something to show in Results, the grid, the audit and exports. */
export function hasFinishedModels(experiment: ExperimentSummaryDto): boolean {
  return experiment.models.done > 0;
}

/** The experiments (population runs and imports), newest first. */
export class ExperimentsState {
  #items = $state.raw<ExperimentSummaryDto[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #reload = new FoldedReload(
    async () => {
      try {
        this.#items = await call('experiments.list', {});
        this.#error = null;
      } catch (error) {
        this.#error = errorMessage(error);
      }
    },
    () => (this.#loaded = true),
  );

  get items(): ExperimentSummaryDto[] {
    return this.#items;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | null {
    return this.#error;
  }

  /**
   * The experiment the screens open when the address names none: the newest with a
   * finished model (a run cancelled before its first model finished has nothing to show).
   */
  latest = $derived(this.#items.find(hasFinishedModels) ?? null);

  byId(id: number | null): ExperimentSummaryDto | null {
    return id === null ? null : (this.#items.find((e) => e.id === id) ?? null);
  }

  /** Reloads the list; calls that arrive during a reload are folded into one more. */
  refresh(): Promise<void> {
    return this.#reload.run();
  }

  /** Renames; resolves with the error to show, or null. */
  async rename(id: number, name: string): Promise<string | null> {
    try {
      await call('experiments.rename', { experimentId: id, name });
      await this.refresh();
      return null;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** Deletes with its models, predictions and free-audit labels; resolves with the error to show, or null. */
  async remove(id: number): Promise<string | null> {
    try {
      await call('experiments.delete', { experimentId: id });
      await this.refresh();
      return null;
    } catch (error) {
      return errorMessage(error);
    }
  }

  handleEvent(event: ApiEvent): void {
    if (['train.started', 'train.model-done', 'train.model-failed', 'train.finished', 'models.started', 'models.model-done', 'models.finished'].includes(event.type)) {
      void this.refresh();
    }
  }
}
