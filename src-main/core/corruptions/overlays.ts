import type { Draws } from './draws.js';
import { addLayer, blank, copy, sizeFactor, type FloatImage } from './image.js';

/** Share of the width inverted at each side; severity 5 is MNIST-C's stripe (7 of 28 columns). */
export const STRIPE = [0.05, 0.1, 0.15, 0.2, 0.25];
/** Lines drawn; severity 1 is MNIST-C's one line. */
export const DOTTED_LINES = [1, 2, 3, 4, 5];
export const ZIGZAGS = [1, 2, 3, 4, 5];

export function stripe(image: FloatImage, severity: number): FloatImage {
  const band = Math.round(image.width * (STRIPE[severity - 1] ?? 0.05));
  const out = blank(image);
  const { width: w, channels: ch } = image;
  for (let i = 0; i < image.data.length; i++) {
    const x = Math.floor(i / ch) % w;
    const v = image.data[i] ?? 0;
    out.data[i] = x < band || x >= w - band ? 1 - v : v;
  }
  return out;
}

/**
 * A white line from (c0, r0) to (c1, r1) (column, row), as MNIST-C's line_from_points:
 * intensity log(1 - d / width) + 1 at vertical distance d from the line (width 2.3
 * pixels at 28 x 28), clipped to [0, 1], only over the columns floor(c0)..ceil(c1) - 1.
 */
export function lineLayer(width: number, height: number, factor: number, c0: number, r0: number, c1: number, r1: number): Float64Array {
  const layer = new Float64Array(width * height);
  if (c1 === c0) return layer;
  const reach = 2.3 * factor;
  const slope = (r1 - r0) / (c1 - c0);
  const left = Math.floor(c0);
  const right = Math.ceil(c1);
  for (let r = 0; r < height; r++) {
    for (let c = Math.max(0, left); c < Math.min(width, right); c++) {
      const d = Math.min(Math.abs(r - (slope * (c - c0) + r0)), reach - 1e-10);
      layer[r * width + c] = Math.min(1, Math.max(0, Math.log(1 - d / reach) + 1));
    }
  }
  return layer;
}

export function dottedLine(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const { width: w, height: h } = image;
  const f = sizeFactor(image);
  const dash = Math.max(1, Math.round(2 * f));
  const out = copy(image);
  for (let n = 0; n < (DOTTED_LINES[severity - 1] ?? 1); n++) {
    const r0 = draws.integer(0, h - 1);
    const r1 = draws.integer(0, h - 1);
    const layer = lineLayer(w, h, f, 0, r0, w - 1, r1);
    // Dashes: the first `dash` columns dark, the next lit, and so on.
    for (let c = 0; c < w; c++) if (Math.floor(c / dash) % 2 === 0) for (let r = 0; r < h; r++) layer[r * w + c] = 0;
    addLayer(out, layer);
  }
  return out;
}

/**
 * Zigzags: from column 2 to column W - 3 (at 28 x 28) around a line whose start row
 * is random and whose end row differs by up to 5 pixels, teeth 2 pixels long and 2
 * wide on either side, drawn as MNIST-C's segments.
 */
export function zigzag(image: FloatImage, severity: number, draws: Draws): FloatImage {
  const { width: w, height: h } = image;
  const f = sizeFactor(image);
  const a = 2 * f;
  const b = 2 * f;
  const out = copy(image);
  for (let n = 0; n < (ZIGZAGS[severity - 1] ?? 1); n++) {
    const c0 = 2 * f;
    const c1 = w - 1 - 2 * f;
    const r0 = draws.integer(0, h - 1);
    const r1 = r0 + draws.integer(Math.round(-5 * f), Math.round(5 * f));
    const theta = Math.atan((r1 - r0) / (c1 - c0));
    const length = (c1 - c0) / Math.cos(theta);
    const points: [number, number][] = [[0, 0]];
    for (let i = 0; (2 * i + 1) * a < length; i++) points.push([(2 * i + 1) * a, (i % 2 === 0 ? 1 : -1) * b]);
    points.push([length, 0]);
    const placed = points.map(([u, v]) => [c0 + u * Math.cos(theta) - v * Math.sin(theta), r0 + u * Math.sin(theta) + v * Math.cos(theta)] as const);
    for (let i = 1; i < placed.length; i++) {
      const [pc, pr] = placed[i - 1] ?? [0, 0];
      const [qc, qr] = placed[i] ?? [0, 0];
      addLayer(out, lineLayer(w, h, f, pc, pr, qc, qr));
    }
  }
  return out;
}
