import type { Draws } from './draws.js';
import { blank, gaussianBlur, type FloatImage } from './image.js';

/** Added to the value (V) of HSV. */
export const BRIGHTNESS = [0.1, 0.2, 0.3, 0.4, 0.5];

/**
 * Brightness: V + c in HSV with hue and saturation kept. With H and S fixed every
 * channel is proportional to V, so each pixel's channels scale by min(1, V + c) / V;
 * a black pixel (S undefined, taken as 0) becomes grey c.
 */
export function brightness(image: FloatImage, severity: number): FloatImage {
  const c = BRIGHTNESS[severity - 1] ?? 0.1;
  const out = blank(image);
  const ch = image.channels;
  for (let p = 0; p < image.width * image.height; p++) {
    let v = 0;
    for (let k = 0; k < ch; k++) v = Math.max(v, image.data[p * ch + k] ?? 0);
    const target = Math.min(1, v + c);
    for (let k = 0; k < ch; k++) out.data[p * ch + k] = v === 0 ? target : ((image.data[p * ch + k] ?? 0) * target) / v;
  }
  return out;
}

/** Fog (strength, fractal decay): a plasma fractal added, then the image rescaled to its old maximum. */
export const FOG: [number, number][] = [
  [1.5, 2],
  [2, 2],
  [2.5, 1.7],
  [2.5, 1.5],
  [3, 1.4],
];

/**
 * A plasma fractal by the diamond-square algorithm on a size x size torus (size a
 * power of two), values scaled to [0, 1]. Each new point is the mean of its four
 * neighbours plus uniform noise of amplitude wibble^2; wibble starts at 100 and is
 * divided by `decay` at each halving of the step.
 */
export function plasmaFractal(size: number, decay: number, draws: Draws): Float64Array {
  const map = new Float64Array(size * size);
  const mask = size - 1; // size is a power of two: & mask wraps around the torus
  const at = (r: number, c: number): number => map[((r + size) & mask) * size + ((c + size) & mask)] ?? 0;
  let step = size;
  let wibble = 100;
  while (step >= 2) {
    const half = step / 2;
    for (let r = half; r < size; r += step) {
      for (let c = half; c < size; c += step) {
        map[r * size + c] = (at(r - half, c - half) + at(r - half, c + half) + at(r + half, c - half) + at(r + half, c + half)) / 4 + wibble * draws.uniform(-wibble, wibble);
      }
    }
    for (let r = 0; r < size; r += step) {
      for (let c = half; c < size; c += step) {
        map[r * size + c] = (at(r - half, c) + at(r + half, c) + at(r, c - half) + at(r, c + half)) / 4 + wibble * draws.uniform(-wibble, wibble);
      }
    }
    for (let r = half; r < size; r += step) {
      for (let c = 0; c < size; c += step) {
        map[r * size + c] = (at(r - half, c) + at(r + half, c) + at(r, c - half) + at(r, c + half)) / 4 + wibble * draws.uniform(-wibble, wibble);
      }
    }
    step = half;
    wibble /= decay;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (let i = 0; i < map.length; i++) map[i] = hi > lo ? ((map[i] ?? 0) - lo) / (hi - lo) : 0;
  return map;
}

export function fog(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const [strength, decay] = FOG[severity - 1] ?? [1.5, 2];
  // Twice the image's size rounded up to a power of two (64 for 28 x 28; MNIST-C draws
  // 256 and crops 28): a sixteenth of the draws, the same fractal statistics per octave.
  let size = 2;
  while (size < 2 * Math.max(image.width, image.height)) size *= 2;
  const plasma = plasmaFractal(size, decay, draws);
  let max = 0;
  for (const v of image.data) max = Math.max(max, v);
  const out = blank(image);
  const { width: w, channels: ch } = image;
  for (let i = 0; i < image.data.length; i++) {
    const p = Math.floor(i / ch);
    const fogged = (image.data[i] ?? 0) + strength * (plasma[Math.floor(p / w) * size + (p % w)] ?? 0);
    out.data[i] = Math.min(1, Math.max(0, (fogged * max) / (max + strength)));
  }
  return out;
}

/** Spatter (mean, sd, blur sigma, threshold, mask sigma): blotches of mud grey (63/255) over the image. */
export const SPATTER: [number, number, number, number, number][] = [
  [0.65, 0.3, 4, 0.69, 0.6],
  [0.65, 0.3, 3, 0.68, 0.6],
  [0.65, 0.3, 2, 0.68, 0.5],
  [0.65, 0.3, 1, 0.65, 1.5],
  [0.67, 0.4, 1, 0.65, 1.5],
];

export function spatter(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const [mean, sd, sigma, threshold, maskSigma] = SPATTER[severity - 1] ?? [0.65, 0.3, 4, 0.69, 0.6];
  const { width: w, height: h, channels: ch } = image;
  // One layer for all channels: mud covers a colour image's channels alike.
  const liquid = { width: w, height: h, channels: 1, data: new Float64Array(w * h) };
  for (let i = 0; i < liquid.data.length; i++) liquid.data[i] = draws.normal(mean, sd);
  const smooth = gaussianBlur(liquid, sigma);
  const mask = { width: w, height: h, channels: 1, data: new Float64Array(w * h) };
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = (smooth.data[i] ?? 0) > threshold ? 1 : 0;
  const m = gaussianBlur(mask, maskSigma);
  const out = blank(image);
  for (let i = 0; i < image.data.length; i++) {
    const raw = m.data[Math.floor(i / ch)] ?? 0;
    const k = raw < 0.8 ? 0 : raw;
    out.data[i] = Math.min(1, Math.max(0, (image.data[i] ?? 0) * (1 - k) + (63 / 255) * k));
  }
  return out;
}
