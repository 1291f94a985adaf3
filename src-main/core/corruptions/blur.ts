import type { Draws } from './draws.js';
import { blank, gaussianBlur, sampleBilinear, sizeFactor, type FloatImage } from './image.js';

/** Glass blur (sigma, largest shift in pixels at 28 x 28, shuffle passes): blur, shuffle pixels locally, blur again. */
export const GLASS_BLUR: [number, number, number][] = [
  [0.7, 1, 2],
  [0.9, 2, 1],
  [1, 2, 3],
  [1.1, 3, 2],
  [1.5, 4, 2],
];

export function glassBlur(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const [sigma, maxDelta28, passes] = GLASS_BLUR[severity - 1] ?? [0.7, 1, 2];
  const delta = Math.max(1, Math.round(maxDelta28 * sizeFactor(image)));
  // Blurred, then quantised to pixel levels before the shuffle, as the reference's uint8 step.
  const blurred = gaussianBlur(image, sigma);
  for (let i = 0; i < blurred.data.length; i++) blurred.data[i] = Math.floor(Math.min(1, Math.max(0, blurred.data[i] ?? 0)) * 255) / 255;
  const { width: w, height: h, channels: ch } = image;
  for (let pass = 0; pass < passes; pass++) {
    for (let y = h - delta; y > delta; y--) {
      for (let x = w - delta; x > delta; x--) {
        if (draws.next() < 0.5) continue;
        const dx = draws.integer(-delta, delta);
        const dy = draws.integer(-delta, delta);
        const a = (y * w + x) * ch;
        const b = ((y + dy) * w + (x + dx)) * ch;
        for (let c = 0; c < ch; c++) {
          const t = blurred.data[a + c] ?? 0;
          blurred.data[a + c] = blurred.data[b + c] ?? 0;
          blurred.data[b + c] = t;
        }
      }
    }
  }
  return gaussianBlur(blurred, sigma);
}

/**
 * Motion blur (length, sigma in pixels at 28 x 28): each pixel averages the image
 * behind it along a random direction in [-45, 45] degrees with one-sided Gaussian
 * weights, as ImageMagick's -motion-blur radius x sigma + angle.
 */
export const MOTION_BLUR: [number, number][] = [
  [10, 3],
  [15, 5],
  [15, 8],
  [15, 12],
  [20, 15],
];

export function motionBlur(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const [radius28, sigma28] = MOTION_BLUR[severity - 1] ?? [10, 3];
  const f = sizeFactor(image);
  const length = Math.max(1, Math.round(radius28 * f));
  const sigma = sigma28 * f;
  const angle = (draws.uniform(-45, 45) * Math.PI) / 180;
  const weights = Array.from({ length }, (_, t) => Math.exp((-0.5 * t * t) / (sigma * sigma)));
  const total = weights.reduce((s, v) => s + v, 0);
  const out = blank(image);
  const { width: w, height: h, channels: ch } = image;
  // The direction is the same for every pixel: each tap is one shifted copy of the image, added with its weight.
  for (let t = 0; t < length; t++) {
    const dx = -t * Math.cos(angle);
    const dy = -t * Math.sin(angle);
    const weight = (weights[t] ?? 0) / total;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < ch; c++) out.data[(y * w + x) * ch + c] = (out.data[(y * w + x) * ch + c] ?? 0) + weight * sampleBilinear(image, x + dx, y + dy, c, 'edge');
      }
    }
  }
  return out;
}
