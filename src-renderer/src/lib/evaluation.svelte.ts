import { call, errorMessage, type ApiEvent, type ApiRequest } from './api.ts';

export interface EvaluationOutcome {
  experimentId: number;
  evaluated: number;
  skipped: number;
  cancelled: boolean;
  seconds: number;
}

/**
 * The evaluation under shift in progress (`evaluate.*`): model runs done of those to
 * do, the set being run, start and cancel. One run at a time, shared with training.
 */
export class EvaluationState {
  running = $state(false);
  busy = $state(false);
  experimentId = $state<number | null>(null);
  backend = $state<string | null>(null);
  done = $state(0);
  todo = $state(0);
  sets = $state(0);
  currentSet = $state<string | null>(null);
  error = $state<string | null>(null);
  outcome = $state<EvaluationOutcome | null>(null);

  async init(): Promise<void> {
    try {
      const status = await call('evaluate.status', {});
      this.running = status.running;
      this.experimentId = status.experimentId;
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  async start(request: ApiRequest<'evaluate.start'>): Promise<boolean> {
    if (this.busy || this.running) return false;
    this.busy = true;
    this.error = null;
    this.outcome = null;
    try {
      const started = await call('evaluate.start', request);
      // The started event may have come first; the answer carries the same numbers.
      this.experimentId = started.experimentId;
      this.sets = started.sets;
      this.todo = started.todo;
      if (this.outcome === null) this.running = true;
      return true;
    } catch (error) {
      this.error = errorMessage(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  async cancel(): Promise<void> {
    try {
      await call('evaluate.cancel', {});
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  dismissError(): void {
    this.error = null;
  }

  handleEvent(event: ApiEvent): void {
    switch (event.type) {
      case 'evaluate.started':
        this.running = true;
        this.outcome = null;
        this.experimentId = event.experimentId;
        this.backend = event.backend;
        this.sets = event.sets;
        this.todo = event.todo;
        this.done = 0;
        this.currentSet = null;
        break;
      case 'evaluate.progress':
        this.done = event.done;
        this.todo = event.todo;
        this.currentSet = event.evalSet;
        break;
      case 'evaluate.finished':
        this.running = false;
        this.currentSet = null;
        this.outcome = { experimentId: event.experimentId, evaluated: event.evaluated, skipped: event.skipped, cancelled: event.cancelled, seconds: event.seconds };
        break;
      case 'evaluate.error':
        this.running = false;
        this.error = event.message;
        break;
    }
  }
}
