/**
 * The float image the corruptions work on: height x width x channels, channels last
 * (as the stored pixels), values in [0, 1]. Helpers shared by several corruption families.
 */
export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float64Array;
}

export function fromPixels(pixels: Uint8Array, width: number, height: number, channels: number): FloatImage {
  const data = new Float64Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (pixels[i] ?? 0) / 255;
  return { width, height, channels, data };
}

/** Back to stored pixels: clipped to [0, 1], scaled and rounded to the nearest level. */
export function toPixels(image: FloatImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, image.data[i] ?? 0)) * 255);
  return out;
}

export function blank(like: FloatImage): FloatImage {
  return { width: like.width, height: like.height, channels: like.channels, data: new Float64Array(like.data.length) };
}

export function clip01(image: FloatImage): FloatImage {
  for (let i = 0; i < image.data.length; i++) image.data[i] = Math.min(1, Math.max(0, image.data[i] ?? 0));
  return image;
}

/** Image size relative to MNIST's 28 pixels: pixel-sized parameters are given for 28 x 28 and scaled by this. */
export function sizeFactor(image: FloatImage): number {
  return Math.min(image.width, image.height) / 28;
}

/**
 * A Gaussian filter per channel, separable, as scipy.ndimage.gaussian_filter with
 * mode 'nearest' and truncate 4 (skimage.filters.gaussian's defaults): kernel radius
 * round(4 sigma), edges repeat the border pixel.
 */
export function gaussianBlur(image: FloatImage, sigma: number): FloatImage {
  const { width: w, height: h, channels: ch } = image;
  const radius = Math.floor(4 * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const v = Math.exp((-0.5 * k * k) / (sigma * sigma));
    kernel[k + radius] = v;
    sum += v;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k] = (kernel[k] ?? 0) / sum;
  const tmp = new Float64Array(image.data.length);
  const src = image.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const xi = x + k < 0 ? 0 : x + k >= w ? w - 1 : x + k;
          acc += (kernel[k + radius] ?? 0) * (src[(y * w + xi) * ch + c] ?? 0);
        }
        tmp[(y * w + x) * ch + c] = acc;
      }
    }
  }
  const out = blank(image);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) {
          const yi = y + k < 0 ? 0 : y + k >= h ? h - 1 : y + k;
          acc += (kernel[k + radius] ?? 0) * (tmp[(yi * w + x) * ch + c] ?? 0);
        }
        out.data[(y * w + x) * ch + c] = acc;
      }
    }
  }
  return out;
}

/** Bilinear sample of channel c at (x, y); outside the image counts as 0 (black, as skimage's warp with cval 0) or repeats the edge. */
export function sampleBilinear(image: FloatImage, x: number, y: number, c: number, outside: 'zero' | 'edge' = 'zero'): number {
  const { width: w, height: h, channels: ch, data } = image;
  let x0 = Math.floor(x);
  let y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  let x1 = x0 + 1;
  let y1 = y0 + 1;
  if (outside === 'edge') {
    x0 = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0;
    x1 = x1 < 0 ? 0 : x1 >= w ? w - 1 : x1;
    y0 = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0;
    y1 = y1 < 0 ? 0 : y1 >= h ? h - 1 : y1;
  }
  const inX0 = x0 >= 0 && x0 < w;
  const inX1 = x1 >= 0 && x1 < w;
  const inY0 = y0 >= 0 && y0 < h;
  const inY1 = y1 >= 0 && y1 < h;
  const v00 = inX0 && inY0 ? (data[(y0 * w + x0) * ch + c] ?? 0) : 0;
  const v10 = inX1 && inY0 ? (data[(y0 * w + x1) * ch + c] ?? 0) : 0;
  const v01 = inX0 && inY1 ? (data[(y1 * w + x0) * ch + c] ?? 0) : 0;
  const v11 = inX1 && inY1 ? (data[(y1 * w + x1) * ch + c] ?? 0) : 0;
  return (1 - fy) * ((1 - fx) * v00 + fx * v10) + fy * ((1 - fx) * v01 + fx * v11);
}

/** An affine inverse map: output (x, y) reads the input at (a x + b y + e, c x + d y + f). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** Output pixel (x, y) takes the input at the inverse map's point (as skimage's transform.warp), bilinear, black outside. */
export function warp(image: FloatImage, m: Affine, size: { width: number; height: number } = image): FloatImage {
  const { width: w, height: h } = size;
  const ch = image.channels;
  const out: FloatImage = { width: w, height: h, channels: ch, data: new Float64Array(w * h * ch) };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = m.a * x + m.b * y + m.e;
      const sy = m.c * x + m.d * y + m.f;
      for (let k = 0; k < ch; k++) out.data[(y * w + x) * ch + k] = sampleBilinear(image, sx, sy, k);
    }
  }
  return out;
}

/** The inverse map [a b; c d] about the image centre, which stays fixed (as MNIST-C's (13.5, 13.5)). */
export function affineAboutCentre(image: FloatImage, a: number, b: number, c: number, d: number): Affine {
  const cx = (image.width - 1) / 2;
  const cy = (image.height - 1) / 2;
  return { a, b, c, d, e: cx - a * cx - b * cy, f: cy - c * cx - d * cy };
}

/** Luminance (ITU-R 601, as skimage's rgb2gray weights for colour; the value itself for grayscale). */
export function luminance(image: FloatImage): Float64Array {
  const { width: w, height: h, channels: ch } = image;
  const out = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) {
    if (ch < 3) out[i] = image.data[i * ch] ?? 0;
    else out[i] = 0.2125 * (image.data[i * ch] ?? 0) + 0.7154 * (image.data[i * ch + 1] ?? 0) + 0.0721 * (image.data[i * ch + 2] ?? 0);
  }
  return out;
}

/** Adds a one-channel layer to every channel of `image` in place, clipped: the line overlays draw in white. */
export function addLayer(image: FloatImage, layer: Float64Array): void {
  const ch = image.channels;
  for (let i = 0; i < image.data.length; i++) image.data[i] = Math.min(1, Math.max(0, (image.data[i] ?? 0) + (layer[Math.floor(i / ch)] ?? 0)));
}

export function copy(image: FloatImage): FloatImage {
  return { width: image.width, height: image.height, channels: image.channels, data: Float64Array.from(image.data) };
}
