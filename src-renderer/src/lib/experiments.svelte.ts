import { call, errorMessage, type ApiEvent, type ExperimentSummaryDto } from './api.ts';

/** The experiments (population runs and imports), newest first. */
export class ExperimentsState {
  items = $state.raw<ExperimentSummaryDto[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  #refreshing: Promise<void> | null = null;
  #again = false;

  newest = $derived(this.items[0] ?? null);

  byId(id: number | null): ExperimentSummaryDto | null {
    return id === null ? null : (this.items.find((e) => e.id === id) ?? null);
  }

  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          this.items = await call('experiments.list', {});
          this.error = null;
        } catch (error) {
          this.error = errorMessage(error);
        }
      } while (this.#again);
      this.loaded = true;
      this.#refreshing = null;
    })();
    return this.#refreshing;
  }

  handleEvent(event: ApiEvent): void {
    if (['train.started', 'train.model-done', 'train.model-failed', 'train.finished', 'models.started', 'models.model-done', 'models.finished'].includes(event.type)) {
      void this.refresh();
    }
  }
}
