import fs from 'node:fs';
import sharp from 'sharp';
import { UserError, errorMessage } from '../errors.js';
import type { InputSpec } from './manifest.js';

/** The test images of a dataset, as stored: raw pixels (MNIST-like, CIFAR) or files (folder datasets). */
export type ImageSource =
  | { kind: 'pixels'; count: number; width: number; height: number; channels: number; pixels: Uint8Array }
  | { kind: 'files'; count: number; paths: string[] };

/** Files decoded at once: keeps libvips' threads busy with bounded memory. */
const CONCURRENCY = 8;

/**
 * Every image at the model's size and channel count, as uint8 (count x height x width x
 * channels, row-major, channels last). The resize rule: an image of another size is
 * scaled, keeping its aspect ratio, until it covers height x width, then centre-cropped
 * to it (libvips, bilinear-style 'linear' kernel, antialiased when shrinking); an image
 * already at the size is used as it is. Grey becomes RGB by repeating the channel; RGB
 * becomes grey by libvips' luminance (Rec. 601 weights); alpha is dropped; JPEG EXIF
 * orientation is applied first.
 */
export async function modelPixels(source: ImageSource, input: InputSpec): Promise<Uint8Array> {
  const size = input.height * input.width * input.channels;
  if (source.kind === 'pixels' && source.width === input.width && source.height === input.height && source.channels === input.channels) return source.pixels;
  const out = new Uint8Array(source.count * size);
  const one = async (i: number): Promise<void> => {
    let image: sharp.Sharp;
    let label: string;
    if (source.kind === 'pixels') {
      const bytes = source.width * source.height * source.channels;
      image = sharp(source.pixels.subarray(i * bytes, (i + 1) * bytes), { raw: { width: source.width, height: source.height, channels: source.channels as 1 | 3 } });
      label = `image ${i}`;
    } else {
      const file = source.paths[i] ?? '';
      label = file;
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (error) {
        throw new UserError(`${file}: cannot read image (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
      }
      image = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 }).rotate();
    }
    try {
      const { data, info } = await image
        .resize(input.width, input.height, { fit: 'cover', position: 'centre', kernel: 'linear' })
        .removeAlpha()
        .toColourspace(input.channels === 1 ? 'b-w' : 'srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const target = out.subarray(i * size, (i + 1) * size);
      if (info.channels === input.channels) target.set(data);
      else if (info.channels === 1 && input.channels === 3) for (let p = 0; p < data.length; p++) target.fill(data[p] ?? 0, 3 * p, 3 * p + 3);
      else throw new Error(`decoded to ${info.channels} channels, not ${input.channels}`);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`${label}: cannot prepare the image for the model (${errorMessage(error)})`);
    }
  };
  for (let i = 0; i < source.count; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, source.count - i) }, (_, k) => one(i + k)));
  }
  return out;
}

/**
 * Images start .. start + batch - 1 as the model's input: value = (pixel * scale -
 * mean[c]) / std[c], laid out nchw, nhwc or flat (flat is nhwc's order in one row).
 */
export function inputBatch(pixels: Uint8Array, start: number, batch: number, input: InputSpec): Float32Array {
  const { height: h, width: w, channels: c } = input;
  const plane = h * w;
  const size = plane * c;
  const out = new Float32Array(batch * size);
  const mul = input.std.map((s) => input.scale / s);
  const add = input.mean.map((m, k) => -m / (input.std[k] ?? 1));
  for (let b = 0; b < batch; b++) {
    const from = (start + b) * size;
    const to = b * size;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < c; k++) {
        const value = (pixels[from + p * c + k] ?? 0) * (mul[k] ?? 1) + (add[k] ?? 0);
        out[input.layout === 'nchw' ? to + k * plane + p : to + p * c + k] = value;
      }
    }
  }
  return out;
}
