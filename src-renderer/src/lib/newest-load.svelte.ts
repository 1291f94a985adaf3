import { errorMessage } from './api.ts';

/**
 * One load a screen's state makes again and again (a report, an image's detail, the grid):
 * only the newest call's answer or error is kept, so a slow answer for what was on screen
 * before never replaces what is on screen now. Holds the loading flag and the error to show.
 */
export class NewestLoad {
  #loading = $state(false);
  #error = $state<string | null>(null);
  #latest = 0;

  get loading(): boolean {
    return this.#loading;
  }

  get error(): string | null {
    return this.#error;
  }

  /**
   * Runs `fetch`. While it is still the newest call, `keep` takes its answer (with a check
   * that says, later on, whether it still is), or `fail` clears what it would have replaced
   * and the error's message is kept.
   */
  async run<T>(fetch: () => Promise<T>, keep: (value: T, stillNewest: () => boolean) => void, fail: () => void): Promise<void> {
    const mine = ++this.#latest;
    const stillNewest = (): boolean => mine === this.#latest;
    this.#loading = true;
    this.#error = null;
    try {
      const value = await fetch();
      if (!stillNewest()) return;
      keep(value, stillNewest);
    } catch (error) {
      if (!stillNewest()) return;
      fail();
      this.#error = errorMessage(error);
    } finally {
      if (stillNewest()) this.#loading = false;
    }
  }
}
