import { call, type ImageDetailDto } from './api.ts';
import { NewestLoad } from './newest-load.svelte.ts';

/** One image's vote histograms and scores (image.detail); the newest load wins. */
export class ImageDetailState {
  #detail = $state.raw<ImageDetailDto | null>(null);
  #load = new NewestLoad();

  get detail(): ImageDetailDto | null {
    return this.#detail;
  }

  get loading(): boolean {
    return this.#load.loading;
  }

  get error(): string | null {
    return this.#load.error;
  }

  load(experimentId: number, imageIndex: number): Promise<void> {
    return this.#load.run(
      () => call('image.detail', { experimentId, imageIndex }),
      (detail) => (this.#detail = detail),
      () => (this.#detail = null),
    );
  }
}
