import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src-main/core/population/train.js';
import { PRESETS, type PresetName } from '../../src-main/core/population/presets.js';

describe('the CNN training recipe in the presets', () => {
  const names = Object.keys(PRESETS) as PresetName[];

  it('gives --arch cnn Adam from 2e-3 with cosine decay on every preset, which stays that preset', () => {
    for (const name of names) {
      const config = resolveConfig(name, { arch: 'cnn' });
      expect(config, name).toMatchObject({ preset: name, arch: 'cnn', learningRate: 2e-3, learningRateSchedule: 'cosine', epochs: PRESETS[name].epochs, batchSize: PRESETS[name].batchSize });
    }
  });

  it('leaves the MLP presets as they were: constant 1e-3, no schedule stored', () => {
    for (const name of names) {
      for (const config of [resolveConfig(name), resolveConfig(name, { arch: 'mlp' })]) {
        expect(config.learningRate, name).toBe(1e-3);
        expect(config.learningRateSchedule, name).toBeUndefined();
        expect(JSON.stringify(config), name).not.toMatch(/learningRateSchedule/);
      }
    }
  });

  it('calls a CNN run with another schedule custom', () => {
    expect(resolveConfig('quick', { arch: 'cnn', learningRateSchedule: 'constant' }).preset).toBe('custom');
    expect(resolveConfig('quick', { arch: 'cnn', learningRate: 1e-3 }).preset).toBe('custom');
  });
});
