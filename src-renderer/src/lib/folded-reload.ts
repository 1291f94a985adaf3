/**
 * A list reload that never runs twice at once: calls that arrive while one runs are folded
 * into one more run after it, so the list on screen ends up reflecting every change announced
 * so far without a request per event.
 */
export class FoldedReload {
  readonly #once: () => Promise<void>;
  readonly #settled: () => void;
  #running: Promise<void> | null = null;
  #again = false;

  /** `once` loads the list one time (and keeps its own error); `settled` runs when no call is left. */
  constructor(once: () => Promise<void>, settled: () => void = () => {}) {
    this.#once = once;
    this.#settled = settled;
  }

  run(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#once();
      } while (this.#again);
      this.#settled();
      this.#running = null;
    })();
    return this.#running;
  }
}
