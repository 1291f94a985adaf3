import { EvaluateSettingsSchema } from '../api/contract/shift.js';
import { checkRequest } from '../api/validate.js';
import { UserError } from '../errors.js';
import { glassBlur, motionBlur } from './blur.js';
import { Draws, imageSeed } from './draws.js';
import { cannyEdges } from './edges.js';
import { rotate, scale, shear, translate } from './geometric.js';
import { fromPixels, toPixels, type FloatImage } from './image.js';
import { impulseNoise, shotNoise } from './noise.js';
import { dottedLine, stripe, zigzag } from './overlays.js';
import { brightness, fog, spatter } from './photometric.js';

/** MNIST-C's corruptions, under its names and in its order. */
export const CORRUPTIONS = [
  'identity', 'shot_noise', 'impulse_noise', 'glass_blur', 'motion_blur', 'shear', 'scale', 'rotate',
  'brightness', 'translate', 'stripe', 'fog', 'spatter', 'dotted_line', 'zigzag', 'canny_edges',
] as const;
export type CorruptionName = (typeof CORRUPTIONS)[number];
export const SEVERITIES = [1, 2, 3, 4, 5] as const;

type Corruption = (image: FloatImage, severity: number, draws: Draws) => FloatImage;

const APPLY: Record<CorruptionName, Corruption> = {
  identity: (image) => image,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  shear,
  scale,
  rotate,
  brightness,
  translate,
  stripe,
  fog,
  spatter,
  dotted_line: dottedLine,
  zigzag,
  canny_edges: cannyEdges,
};

export function isCorruption(name: string): name is CorruptionName {
  return (CORRUPTIONS as readonly string[]).includes(name);
}

/** The evaluation set's name: 'corruption:severity'. */
export function corruptionSetName(name: CorruptionName, severity: number): string {
  return `${name}:${severity}`;
}

export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/**
 * One image's corrupted copy (uint8, channels last, as stored). Deterministic: the
 * random draws come from a stream seeded by (seed, corruption, severity, imageIndex).
 */
export function corruptImage(pixels: Uint8Array, shape: ImageShape, name: CorruptionName, severity: number, imageIndex: number, seed = 0): Uint8Array {
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw new UserError(`severity ${severity} is not one of 1, 2, 3, 4, 5`);
  if (name === 'identity') return Uint8Array.from(pixels);
  const draws = new Draws(imageSeed(seed, CORRUPTIONS.indexOf(name), severity, imageIndex));
  return toPixels(APPLY[name](fromPixels(pixels, shape.width, shape.height, shape.channels), severity, draws));
}

/** A whole split's images (count x size, as SplitData.pixels) corrupted, image i seeded by its index. */
export function corruptImages(pixels: Uint8Array, count: number, shape: ImageShape, name: CorruptionName, severity: number, seed = 0): Uint8Array {
  const size = shape.width * shape.height * shape.channels;
  const out = new Uint8Array(count * size);
  for (let i = 0; i < count; i++) out.set(corruptImage(pixels.subarray(i * size, (i + 1) * size), shape, name, severity, i, seed), i * size);
  return out;
}

/** --corruptions all|NAME,... and --severities 1,...: checked, one line naming the bad item. */
export function parseCorruptions(value: string): CorruptionName[] {
  if (value.trim() === 'all') return [...CORRUPTIONS];
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) if (!isCorruption(name)) throw new UserError(`--corruptions: unknown corruption '${name}' (known: all, ${CORRUPTIONS.join(', ')})`);
  return [...new Set(names as CorruptionName[])];
}

export function parseSeverities(value: string): number[] {
  const items = [...new Set(value.split(',').map((s) => s.trim()))];
  // The range and its words are the API's (evaluate.start); only the text is read here.
  const { severities } = checkRequest(
    EvaluateSettingsSchema.pick({ severities: true }).required(),
    { severities: items.map((item) => (/^\d+$/.test(item) ? Number(item) : NaN)) },
    { name: () => '--severities', shown: (path) => `'${items[Number(path[1])] ?? value}'` },
  );
  return [...severities].sort((a, b) => a - b);
}
