import { call, errorMessage, type ImageDetailDto } from './api.ts';

/** One image's vote histograms and scores (image.detail); the newest load wins. */
export class ImageDetailState {
  #detail = $state.raw<ImageDetailDto | null>(null);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #token = 0;

  get detail(): ImageDetailDto | null {
    return this.#detail;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get error(): string | null {
    return this.#error;
  }

  async load(experimentId: number, imageIndex: number): Promise<void> {
    const token = ++this.#token;
    this.#loading = true;
    this.#error = null;
    try {
      const detail = await call('image.detail', { experimentId, imageIndex });
      if (token === this.#token) this.#detail = detail;
    } catch (error) {
      if (token === this.#token) {
        this.#detail = null;
        this.#error = errorMessage(error);
      }
    } finally {
      if (token === this.#token) this.#loading = false;
    }
  }
}
