import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CORRUPTIONS, corruptImage, corruptImages, parseCorruptions, parseSeverities } from '../../src-main/core/corruptions/index.js';
import { UserError } from '../../src-main/core/errors.js';
import { REFERENCE_CASES } from '../fixtures/corruptions/cases.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'corruptions');

async function raw(file: string, channels: 1 | 3): Promise<{ data: Uint8Array; width: number }> {
  // sharp decodes a grey PNG to three channels unless asked for one.
  const image = sharp(path.join(FIXTURES, file));
  const { data, info } = await (channels === 1 ? image.extractChannel(0) : image.removeAlpha()).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width };
}

describe('corruptions', () => {
  for (const c of REFERENCE_CASES) {
    it(`match the committed reference outputs pixel for pixel (${c.input}, ${c.channels} channel(s), seed ${c.seed})`, async () => {
      const input = (await raw(c.input, c.channels)).data;
      const montage = await raw(c.montage, c.channels);
      expect(montage.width).toBe(5 * c.width);
      const rowBytes = c.width * c.channels;
      for (const [row, name] of CORRUPTIONS.entries()) {
        for (let s = 1; s <= 5; s++) {
          const out = corruptImage(input, c, name, s, c.imageIndex, c.seed);
          const expected = new Uint8Array(out.length);
          for (let y = 0; y < c.height; y++) {
            const from = ((row * c.height + y) * montage.width + (s - 1) * c.width) * c.channels;
            expected.set(montage.data.subarray(from, from + rowBytes), y * rowBytes);
          }
          const differing = out.reduce((n, v, i) => n + (v === expected[i] ? 0 : 1), 0);
          expect(differing, `${name}:${s}`).toBe(0);
        }
      }
    });
  }

  it('are deterministic, seeded per image: a batch equals each image corrupted alone, and a rerun equals the first run', async () => {
    const c = REFERENCE_CASES[0];
    if (!c) throw new Error('no reference case');
    const one = (await raw(c.input, c.channels)).data;
    const two = (await raw(REFERENCE_CASES[1]?.input ?? c.input, 1)).data;
    const batch = new Uint8Array([...one, ...two, ...one]);
    for (const name of CORRUPTIONS) {
      const first = corruptImages(batch, 3, c, name, 4);
      expect(corruptImages(batch, 3, c, name, 4), name).toEqual(first);
      for (let i = 0; i < 3; i++) expect(first.subarray(i * 784, (i + 1) * 784), `${name} image ${i}`).toEqual(corruptImage(batch.subarray(i * 784, (i + 1) * 784), c, name, 4, i));
    }
  });

  it('identity returns the image unchanged; random corruptions differ between images of the same pixels', async () => {
    const c = REFERENCE_CASES[0];
    if (!c) throw new Error('no reference case');
    const input = (await raw(c.input, c.channels)).data;
    for (let s = 1; s <= 5; s++) expect(corruptImage(input, c, 'identity', s, 0)).toEqual(input);
    for (const name of ['shot_noise', 'impulse_noise', 'glass_blur', 'fog', 'spatter', 'dotted_line', 'zigzag'] as const) {
      expect(corruptImage(input, c, name, 5, 0), name).not.toEqual(corruptImage(input, c, name, 5, 1));
    }
  });

  // Not translate: on an image with a hard edge, a 1-pixel shift already changes about as many pixels as a 5-pixel one.
  it('severity grows the change: the mean absolute change at severity 5 exceeds severity 1 (all but identity and translate)', async () => {
    const c = REFERENCE_CASES[0];
    if (!c) throw new Error('no reference case');
    const input = (await raw(c.input, c.channels)).data;
    const change = (out: Uint8Array): number => out.reduce((sum, v, i) => sum + Math.abs(v - (input[i] ?? 0)), 0) / out.length;
    for (const name of CORRUPTIONS.filter((n) => n !== 'identity' && n !== 'translate')) {
      expect(change(corruptImage(input, c, name, 5, 0)), name).toBeGreaterThan(change(corruptImage(input, c, name, 1, 0)));
    }
  });

  it('refuse unknown names and severities with one line naming the item', () => {
    expect(() => parseCorruptions('shot_noise,frost')).toThrow(UserError);
    expect(() => parseCorruptions('shot_noise,frost')).toThrow(/unknown corruption 'frost'/);
    expect(parseCorruptions('all')).toEqual([...CORRUPTIONS]);
    expect(() => parseSeverities('1,6')).toThrow(/'6' is not a severity/);
    expect(() => parseSeverities('0')).toThrow(UserError);
    expect(parseSeverities('5,1,3')).toEqual([1, 3, 5]);
    expect(() => corruptImage(new Uint8Array(4), { width: 2, height: 2, channels: 1 }, 'rotate', 6, 0)).toThrow(/severity 6/);
  });
});
