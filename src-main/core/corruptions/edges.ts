import { blank, gaussianBlur, luminance, type FloatImage } from './image.js';

/** Share of the Canny edge map blended over the image; severity 5 is MNIST-C's canny_edges (edges only). */
export const CANNY_BLEND = [0.2, 0.4, 0.6, 0.8, 1.0];

/**
 * Canny edges of the luminance, as skimage.feature.canny's defaults: Gaussian sigma 1,
 * unnormalised Sobel gradients (as scipy.ndimage.sobel), non-maximum suppression across the gradient direction (four
 * directions), hysteresis with thresholds 0.1 and 0.2 of the gradient magnitude scale
 * of a [0, 1] image, weak edges kept when 8-connected to a strong one.
 */
export function cannyEdgeMap(image: FloatImage): Uint8Array {
  const { width: w, height: h } = image;
  const gray = gaussianBlur({ width: w, height: h, channels: 1, data: luminance(image) }, 1).data;
  const at = (x: number, y: number): number => gray[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))] ?? 0;
  const gx = new Float64Array(w * h);
  const gy = new Float64Array(w * h);
  const mag = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const sy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      gx[y * w + x] = sx;
      gy[y * w + x] = sy;
      mag[y * w + x] = Math.hypot(sx, sy);
    }
  }
  const low = 0.1;
  const high = 0.2;
  const strong = new Uint8Array(w * h);
  const weak = new Uint8Array(w * h);
  const m = (x: number, y: number): number => (x < 0 || y < 0 || x >= w || y >= h ? 0 : (mag[y * w + x] ?? 0));
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = mag[i] ?? 0;
      if (v < low) continue;
      // The gradient direction, in one of four 45-degree sectors.
      const angle = ((Math.atan2(gy[i] ?? 0, gx[i] ?? 0) * 180) / Math.PI + 180) % 180;
      const [dx, dy] = angle < 22.5 || angle >= 157.5 ? [1, 0] : angle < 67.5 ? [1, 1] : angle < 112.5 ? [0, 1] : [-1, 1];
      if (v < m(x + dx, y + dy) || v < m(x - dx, y - dy)) continue;
      if (v >= high) strong[i] = 1;
      else weak[i] = 1;
    }
  }
  const edges = new Uint8Array(w * h);
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) if (strong[i]) stack.push(i);
  while (stack.length > 0) {
    const i = stack.pop() ?? 0;
    if (edges[i]) continue;
    edges[i] = 1;
    const x = i % w;
    const y = Math.floor(i / w);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const j = ny * w + nx;
        if (!edges[j] && (weak[j] || strong[j])) stack.push(j);
      }
    }
  }
  return edges;
}

export function cannyEdges(image: FloatImage, severity: number): FloatImage {
  const blend = CANNY_BLEND[severity - 1] ?? 1;
  const edges = cannyEdgeMap(image);
  const out = blank(image);
  const ch = image.channels;
  for (let i = 0; i < image.data.length; i++) out.data[i] = (1 - blend) * (image.data[i] ?? 0) + blend * (edges[Math.floor(i / ch)] ?? 0);
  return out;
}
