import type { Draws } from './draws.js';
import { affineAboutCentre, sizeFactor, warp, type FloatImage } from './image.js';

/** Shear angle in radians, direction drawn at random (skimage's AffineTransform(shear)). */
export const SHEAR = [0.2, 0.4, 0.6, 0.8, 1.0];
/** Rotation in radians, direction drawn at random. */
export const ROTATE = [0.2, 0.4, 0.6, 0.8, 1.0];
/** The content shrinks to this share of its size about the centre. */
export const SCALE = [0.9, 0.8, 0.7, 0.6, 0.5];
/** Shift in pixels at 28 x 28 along both axes, each direction drawn at random. */
export const TRANSLATE = [1, 2, 3, 4, 5];

export function shear(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const s = (SHEAR[severity - 1] ?? 0.2) * draws.sign();
  // The inverse map [[1, -sin s], [0, cos s]] about the centre.
  return warp(image, affineAboutCentre(image, 1, -Math.sin(s), 0, Math.cos(s)));
}

export function rotate(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const r = (ROTATE[severity - 1] ?? 0.2) * draws.sign();
  return warp(image, affineAboutCentre(image, Math.cos(r), -Math.sin(r), Math.sin(r), Math.cos(r)));
}

export function scale(image: FloatImage, severity: number): FloatImage {
  const k = 1 / (SCALE[severity - 1] ?? 0.9);
  return warp(image, affineAboutCentre(image, k, 0, 0, k));
}

export function translate(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const d = Math.round((TRANSLATE[severity - 1] ?? 1) * sizeFactor(image));
  const dx = d * draws.sign();
  const dy = d * draws.sign();
  return warp(image, { a: 1, b: 0, c: 0, d: 1, e: dx, f: dy });
}
