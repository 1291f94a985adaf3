import { call, type ImageShiftDto } from './api.ts';

/** One image under each evaluated corruption with every population's vote (image.shift). */
export class ImageShiftState {
  shift = $state.raw<ImageShiftDto | null>(null);
  #token = 0;

  async load(experimentId: number, imageIndex: number): Promise<void> {
    const token = ++this.#token;
    try {
      const shift = await call('image.shift', { experimentId, imageIndex });
      if (token === this.#token) this.shift = shift;
    } catch {
      // Optional: an experiment without evaluation sets simply shows no corruption panel.
      if (token === this.#token) this.shift = null;
    }
  }
}
