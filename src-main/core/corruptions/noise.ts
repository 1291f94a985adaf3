import type { Draws } from './draws.js';
import { blank, type FloatImage } from './image.js';

/** Photon counts: Poisson(x * c) / c per value; fewer photons (smaller c) is noisier. */
export const SHOT_NOISE_PHOTONS = [60, 25, 12, 5, 3];

export function shotNoise(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const c = SHOT_NOISE_PHOTONS[severity - 1] ?? 60;
  const out = blank(image);
  for (let i = 0; i < image.data.length; i++) out.data[i] = Math.min(1, draws.poisson((image.data[i] ?? 0) * c) / c);
  return out;
}

/** Salt and pepper: this share of values set to 0 or 1, half each (skimage's random_noise 's&p'). */
export const IMPULSE_NOISE_AMOUNT = [0.03, 0.06, 0.09, 0.17, 0.27];

export function impulseNoise(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const amount = IMPULSE_NOISE_AMOUNT[severity - 1] ?? 0;
  const out = blank(image);
  for (let i = 0; i < image.data.length; i++) {
    const hit = draws.next() < amount;
    const salt = draws.next() < 0.5;
    out.data[i] = hit ? (salt ? 1 : 0) : (image.data[i] ?? 0);
  }
  return out;
}
