import { call, errorMessage, type ApiEvent, type ApiRequest, type ModelSummaryDto } from './api.ts';

export interface ModelProgress {
  modelId: number;
  variant: string;
  seed: number;
  status: ModelSummaryDto['status'];
  /** an fp16 or int8 copy of a dense model: made in one step, no training epochs */
  quantized: boolean;
  /** was training when the run was cancelled: its work is lost and Resume trains it again */
  cancelled: boolean;
  /** share of the model's training steps done, 0..1 */
  fraction: number;
  epoch: number;
  epochs: number;
  accuracy: number | null;
  top1: number | null;
  /** performance.now() of the first progress seen, for time left */
  since: number | null;
  /** training time of a finished model */
  seconds: number | null;
  secondsLeft: number | null;
  message: string | null;
}

const QUANTIZED_METHODS: ReadonlySet<string> = new Set(['fp16', 'int8']);

export interface RunOutcome {
  experimentId: number;
  done: number;
  failed: number;
  cancelled: boolean;
  seconds: number;
}

/**
 * The population run in progress (one at a time): per-model progress from the
 * train.* events, time left per model and overall, start, cancel and resume.
 */
export class TrainingState {
  #running = $state(false);
  #experimentId = $state<number | null>(null);
  #backend = $state<string | null>(null);
  #models = $state.raw<ModelProgress[]>([]);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #outcome = $state.raw<RunOutcome | null>(null);
  #now = $state(0);
  /** the worker count the run was started with, so Resume keeps it (unset: all cores) */
  #workers: number | undefined;

  /** A run is training (started here or found running by init). */
  get running(): boolean {
    return this.#running;
  }

  get experimentId(): number | null {
    return this.#experimentId;
  }

  /** The tfjs backend the workers train on, from train.started. */
  get backend(): string | null {
    return this.#backend;
  }

  get models(): ModelProgress[] {
    return this.#models;
  }

  /** A start or resume request is on its way. */
  get busy(): boolean {
    return this.#busy;
  }

  get error(): string | null {
    return this.#error;
  }

  /** How the last run ended (null while one runs). */
  get outcome(): RunOutcome | null {
    return this.#outcome;
  }

  /** The worker count Resume will send (undefined: the server's default, all cores). */
  get workers(): number | undefined {
    return this.#workers;
  }

  /**
   * Whole-run progress. Time left: the models' typical duration (from the finished
   * ones and the running ones' pace) times the work left, over the models running in
   * parallel.
   */
  #overall = $derived.by(() => {
    const n = this.#models.length;
    if (n === 0) return { fraction: 0, done: 0, failed: 0, total: 0, secondsLeft: null as number | null };
    const now = this.#now;
    let sum = 0;
    let done = 0;
    let failed = 0;
    let running = 0;
    let left = 0;
    const durations: number[] = [];
    for (const m of this.#models) {
      const finished = m.status === 'done' || m.status === 'failed';
      sum += finished ? 1 : m.fraction;
      if (m.status === 'done') done++;
      if (m.status === 'failed') failed++;
      if (m.status === 'running') running++;
      if (!finished) left += 1 - m.fraction;
      if (m.seconds !== null) durations.push(m.seconds);
      else if (m.status === 'running' && m.since !== null && m.fraction > 0.05) durations.push((now - m.since) / 1000 / m.fraction);
    }
    const typical = durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null;
    const secondsLeft = this.#running && typical !== null ? (typical * left) / Math.max(1, running) : null;
    return { fraction: sum / n, done, failed, total: n, secondsLeft };
  });

  get overall(): { fraction: number; done: number; failed: number; total: number; secondsLeft: number | null } {
    return this.#overall;
  }

  async init(): Promise<void> {
    try {
      const status = await call('train.status', {});
      this.#running = status.running;
      if (status.running && status.experimentId !== null) {
        this.#experimentId = status.experimentId;
        await this.loadModels(status.experimentId);
      }
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  async loadModels(experimentId: number): Promise<void> {
    const models = await call('experiments.models', { experimentId });
    if (this.#experimentId !== experimentId) return;
    this.#models = models.map((m) => ({
      modelId: m.id,
      variant: m.variant,
      seed: m.seed,
      status: m.status,
      quantized: QUANTIZED_METHODS.has(m.method),
      cancelled: false,
      fraction: m.status === 'done' ? 1 : 0,
      epoch: 0,
      epochs: m.epochs ?? 0,
      accuracy: null,
      top1: m.top1,
      since: null,
      seconds: m.startedAt && m.finishedAt ? (Date.parse(m.finishedAt) - Date.parse(m.startedAt)) / 1000 : null,
      secondsLeft: null,
      message: null,
    }));
  }

  async start(request: ApiRequest<'train.start'>): Promise<boolean> {
    this.#workers = request.workers;
    return this.#launch(() => call('train.start', request));
  }

  async resume(experimentId: number): Promise<boolean> {
    // Without the worker count the server would resume on all cores: a run started
    // with one worker showed two models training at once after Resume.
    const workers = this.#workers;
    return this.#launch(() => call('train.resume', workers === undefined ? { experimentId } : { experimentId, workers }));
  }

  async #launch(run: () => Promise<{ experimentId: number }>): Promise<boolean> {
    if (this.#busy || this.#running) return false;
    this.#busy = true;
    this.#error = null;
    this.#outcome = null;
    try {
      const { experimentId } = await run();
      this.#running = true;
      // Always from the database: on resume the server has put every unfinished model
      // back to waiting, and the table must show that rather than the cancelled run.
      this.#experimentId = experimentId;
      await this.loadModels(experimentId);
      return true;
    } catch (error) {
      this.#error = errorMessage(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  async cancel(): Promise<void> {
    try {
      await call('train.cancel', {});
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }

  dismissError(): void {
    this.#error = null;
  }

  #update(modelId: number, change: (m: ModelProgress) => ModelProgress): void {
    this.#models = this.#models.map((m) => (m.modelId === modelId ? change(m) : m));
  }

  handleEvent(event: ApiEvent): void {
    const now = performance.now();
    this.#now = now;
    switch (event.type) {
      case 'train.started':
        this.#running = true;
        this.#backend = event.backend;
        this.#outcome = null;
        if (this.#experimentId !== event.experimentId) {
          this.#experimentId = event.experimentId;
          this.#models = [];
          void this.loadModels(event.experimentId).catch((error: unknown) => (this.#error = errorMessage(error)));
        }
        break;
      case 'train.progress': {
        // A worker stopped by Cancel can still deliver a last message after the run
        // finished; it must not bring its model back to "training".
        if (!this.#running) break;
        if (!this.#models.some((m) => m.modelId === event.modelId)) {
          this.#models = [...this.#models, { modelId: event.modelId, variant: event.variant, seed: event.seed, status: 'running', quantized: QUANTIZED_METHODS.has(event.variant), cancelled: false, fraction: 0, epoch: 0, epochs: event.epochs, accuracy: null, top1: null, since: null, seconds: null, secondsLeft: null, message: null }];
        }
        this.#update(event.modelId, (m) => {
          const fraction = event.steps > 0 ? Math.min(1, event.step / event.steps) : 0;
          const since = m.since ?? now;
          const elapsed = (now - since) / 1000;
          const secondsLeft = fraction > 0.02 && elapsed > 0.5 ? (elapsed * (1 - fraction)) / fraction : null;
          return { ...m, status: 'running', fraction, epoch: event.epoch, epochs: event.epochs, accuracy: event.accuracy, since, secondsLeft };
        });
        break;
      }
      case 'train.model-done':
        this.#update(event.modelId, (m) => ({ ...m, status: 'done', fraction: 1, top1: event.top1, seconds: event.seconds, secondsLeft: 0 }));
        break;
      case 'train.model-failed':
        this.#update(event.modelId, (m) => ({ ...m, status: 'failed', message: event.message, secondsLeft: null }));
        break;
      case 'train.finished':
        this.#running = false;
        this.#outcome = { experimentId: event.experimentId, done: event.done, failed: event.failed, cancelled: event.cancelled, seconds: event.seconds };
        // A model cut off by Cancel keeps nothing (the server resets it to waiting and
        // Resume retrains it from the start), so its bar, epoch and accuracy go too.
        this.#models = this.#models.map((m) =>
          m.status !== 'running' ? m : event.cancelled ? { ...m, status: 'pending', cancelled: true, fraction: 0, epoch: 0, accuracy: null, since: null, secondsLeft: null } : { ...m, secondsLeft: null },
        );
        break;
      case 'train.error':
        this.#running = false;
        this.#error = event.message;
        break;
    }
  }
}
