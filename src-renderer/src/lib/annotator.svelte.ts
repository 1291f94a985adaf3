import { call, errorMessage } from './api.ts';

/**
 * Who is labeling: one name for the whole app (the audit and every study), kept by the
 * server between sessions. Every labeling screen shows it, and it changes only through
 * set() (the annotator field commits on Enter, never on a stray blur), so that labels
 * are never made, or hidden, under a name the user did not choose.
 */
export class AnnotatorState {
  #name = $state('');
  #osUser = $state('');
  #error = $state<string | null>(null);
  /** bumped by set(), so that load()'s late answer cannot undo a name set meanwhile */
  #changes = 0;
  #loading: Promise<void> | null = null;

  /** '' until known */
  get name(): string {
    return this.#name;
  }

  get osUser(): string {
    return this.#osUser;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Loads the current name once (later calls share the first). */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      const changes = this.#changes;
      try {
        const answer = await call('annotator.get', {});
        if (changes === this.#changes) this.#name = answer.name;
        this.#osUser = answer.osUser;
        this.#error = null;
      } catch (error) {
        this.#error = errorMessage(error);
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  async set(name: string): Promise<void> {
    this.#changes++;
    try {
      this.#name = (await call('annotator.set', { name })).name;
      this.#error = null;
    } catch (error) {
      this.#error = errorMessage(error);
    }
  }
}
