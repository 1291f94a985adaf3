/**
 * The run form's presets are the CLI's (the same design under the same name), and its
 * time estimate reproduces the runs it is built from (docs/performance.md): the quick
 * preset's 274 s with 2 workers on 2 cores, the smoke preset's 10.7 s of CPU, and the
 * `quick --arch cnn` population's 1,183.6 s.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src-main/core/population/presets.js';
import { DEFAULT_PRESET, RUN_PRESETS, expectedSeconds, formatExpected } from '../../src-renderer/src/lib/run-presets.ts';

describe('the run form presets', () => {
  it('are the CLI presets of the same name', () => {
    for (const [name, form] of Object.entries(RUN_PRESETS)) {
      const cli = PRESETS[name as keyof typeof PRESETS];
      expect({ models: form.models, sparsities: form.sparsities, quantize: form.quantize, epochs: form.epochs, trainLimit: form.trainLimit, longTail: form.longTail }, name).toEqual({
        models: cli.models,
        sparsities: cli.sparsities,
        quantize: cli.quantize,
        epochs: cli.epochs,
        trainLimit: cli.trainLimit,
        longTail: cli.longTail?.ratio,
      });
    }
    expect(Object.keys(RUN_PRESETS).sort()).toEqual(Object.keys(PRESETS).sort());
  });

  it('reproduce the measured runs the estimate is built from', () => {
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2 })).toBeGreaterThan(274 * 0.95);
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2 })).toBeLessThan(274 * 1.05);
    // one core: the whole CPU time of the smoke run
    expect(expectedSeconds(RUN_PRESETS.smoke, { cores: 1 })).toBeGreaterThan(10.7 * 0.9);
    expect(expectedSeconds(RUN_PRESETS.smoke, { cores: 1 })).toBeLessThan(10.7 * 1.1);
    // quick --arch cnn: 1,183.6 s with 2 workers on 2 cores (npm run bench, 2026-12-02)
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, arch: 'cnn' })).toBeGreaterThan(1183.6 * 0.95);
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, arch: 'cnn' })).toBeLessThan(1183.6 * 1.05);
  });

  it('share the work among the workers the machine can run, never more than the models', () => {
    const two = expectedSeconds(RUN_PRESETS.quick, { cores: 2 });
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, workers: 1 })).toBeCloseTo(2 * two, 6);
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, workers: 8 })).toBeCloseTo(two, 6);
    const one = { models: 1, sparsities: [0], quantize: [], epochs: 1 };
    expect(expectedSeconds(one, { cores: 16 })).toBeCloseTo(expectedSeconds(one, { cores: 1 }), 6);
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, arch: 'cnn' })).toBeGreaterThan(4 * two);
    expect(expectedSeconds(RUN_PRESETS.quick, { cores: 2, trainImages: 6000 })).toBeLessThan(two / 5);
    // ratio 10 over 10 classes keeps 24,516 of Fashion-MNIST's 60,000 (the long-tail run measured in docs/science.md)
    const epochsWork = (p: typeof RUN_PRESETS.quick) => expectedSeconds(p, { cores: 1 }) - expectedSeconds({ ...p, epochs: 0 }, { cores: 1 });
    expect(epochsWork(RUN_PRESETS.longtail) / epochsWork(RUN_PRESETS.quick)).toBeCloseTo(24516 / 60000, 3);
  });

  it('start a new user on the preset that shows the method in under a minute, and say each time in words', () => {
    expect(DEFAULT_PRESET).toBe('smoke');
    expect(formatExpected(expectedSeconds(RUN_PRESETS.smoke, { cores: 2 }))).toBe('under a minute');
    expect(formatExpected(expectedSeconds(RUN_PRESETS.quick, { cores: 2 }))).toBe('about 5 min');
    expect(formatExpected(expectedSeconds(RUN_PRESETS.paper, { cores: 2 }))).toBe('about 1.6 h');
  });
});
