import { call, errorMessage, onEvent, type ApiEvent, type ModelDescriptionDto } from './api.ts';

export interface ModelRunProgress {
  modelId: number;
  variant: string;
  seed: number;
  done: number;
  total: number;
  finished: boolean;
  top1: number | null;
}

/**
 * The "Add models" flow: a manifest (a path on the serving machine) and a dataset; the
 * models' input and output shapes checked before running; then the run's progress from
 * the models.* events.
 */
export class OwnModelsState {
  manifest = $state('');
  dataset = $state('');
  described = $state.raw<ModelDescriptionDto[] | null>(null);
  busy = $state(false);
  running = $state(false);
  error = $state<string | null>(null);
  experimentId = $state<number | null>(null);
  finished = $state(false);
  progress = $state.raw<ModelRunProgress[]>([]);

  /** Electron: the manifest from an open dialog, then its models checked. */
  async browse(): Promise<void> {
    this.error = null;
    try {
      const chosen = await call('models.chooseManifest', {});
      if (chosen.path === null) return;
      this.manifest = chosen.path;
      await this.inspect();
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async inspect(): Promise<void> {
    this.busy = true;
    this.error = null;
    this.described = null;
    try {
      this.described = await call('models.inspect', { dataset: this.dataset, manifest: this.manifest });
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
    }
  }

  async run(): Promise<void> {
    this.busy = true;
    this.error = null;
    this.finished = false;
    this.progress = [];
    try {
      this.experimentId = null;
      await call('models.import', { dataset: this.dataset, manifest: this.manifest });
      this.running = true;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
    }
  }

  handleEvent(event: ApiEvent): void {
    if (event.type === 'models.progress' || event.type === 'models.model-done') {
      const others = this.progress.filter((p) => p.modelId !== event.modelId);
      const before = this.progress.find((p) => p.modelId === event.modelId);
      const entry: ModelRunProgress =
        event.type === 'models.progress'
          ? { modelId: event.modelId, variant: event.variant, seed: event.seed, done: event.done, total: event.total, finished: false, top1: null }
          : { modelId: event.modelId, variant: event.variant, seed: event.seed, done: before?.total ?? 1, total: before?.total ?? 1, finished: true, top1: event.top1 };
      this.progress = [...others, entry].sort((a, b) => a.modelId - b.modelId);
    } else if (event.type === 'models.finished') {
      this.experimentId = event.experimentId;
      this.running = false;
      this.finished = true;
    } else if (event.type === 'models.error') {
      this.running = false;
      this.error = event.message;
    }
  }

  /** Subscribes to the API's events; returns the unsubscribe function. */
  listen(): () => void {
    return onEvent((event) => this.handleEvent(event));
  }
}
