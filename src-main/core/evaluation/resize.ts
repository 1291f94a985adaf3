import { fromPixels, toPixels, warp } from '../corruptions/image.js';
import type { ImageShape } from '../corruptions/index.js';
import type { SplitData } from '../training/data.js';

/**
 * Another dataset's images at the models' input size: unchanged when the size already
 * matches, else resampled bilinearly (pixel centres aligned, as an image viewer's resize).
 */
export function resizeSplit(split: SplitData, to: ImageShape): SplitData {
  const from = split.input;
  if (from.width === to.width && from.height === to.height) return split;
  const inSize = from.width * from.height * from.channels;
  const outSize = to.width * to.height * to.channels;
  const pixels = new Uint8Array(split.count * outSize);
  const sx = from.width / to.width;
  const sy = from.height / to.height;
  for (let i = 0; i < split.count; i++) {
    const image = fromPixels(split.pixels.subarray(i * inSize, (i + 1) * inSize), from.width, from.height, from.channels);
    // Warp into an output-sized frame: output (x, y) reads input ((x + 0.5) sx - 0.5, (y + 0.5) sy - 0.5).
    const resized = warp(image, { a: sx, b: 0, c: 0, d: sy, e: 0.5 * sx - 0.5, f: 0.5 * sy - 0.5 }, to);
    pixels.set(toPixels(resized), i * outSize);
  }
  return { ...split, input: { height: to.height, width: to.width, channels: to.channels }, pixels };
}
