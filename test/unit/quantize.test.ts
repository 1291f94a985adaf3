import { describe, expect, it } from 'vitest';
import { quantizeFp16, quantizeInt8PerChannel } from '../../src-main/core/training/quantize.js';
import { Random } from '../../src-main/core/random.js';

describe('post-training quantization', () => {
  const weights = new Random(11).glorotUniform(784 * 30, 784, 30);

  it('int8: symmetric per-output-channel scales, error at most half a step', () => {
    const q = quantizeInt8PerChannel(weights, 30);
    expect(q.scales).toHaveLength(30);
    for (let c = 0; c < 30; c++) {
      let max = 0;
      for (let i = c; i < weights.length; i += 30) max = Math.max(max, Math.abs(weights[i] ?? 0));
      expect(q.scales[c]).toBeCloseTo(max / 127, 7);
    }
    for (let i = 0; i < weights.length; i++) {
      const scale = q.scales[i % 30] ?? 0;
      const v = q.values[i] ?? 0;
      expect(Math.abs(v)).toBeLessThanOrEqual(127);
      expect(q.dequantized[i]).toBe(Math.fround(v * scale));
      expect(Math.abs((weights[i] ?? 0) - (q.dequantized[i] ?? 0))).toBeLessThanOrEqual(scale / 2 + 1e-7);
    }
    // the largest weight of each channel maps to +-127
    expect(Math.max(...Array.from(q.values, Math.abs))).toBe(127);
  });

  it('int8: an all-zero channel stays zero', () => {
    const w = Float32Array.from([0, 1, 0, -2, 0, 3]);
    const q = quantizeInt8PerChannel(w, 2);
    expect(Array.from(q.dequantized.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0]);
  });

  it('fp16: relative error at most 2^-11 for normal values, exact on representable ones', () => {
    const h = quantizeFp16(weights);
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] ?? 0;
      if (Math.abs(w) < 2 ** -14) continue; // subnormal in fp16
      expect(Math.abs((h[i] ?? 0) - w) / Math.abs(w)).toBeLessThanOrEqual(2 ** -11);
    }
    expect(Array.from(quantizeFp16(Float32Array.from([0.5, -2, 1024, 0])))).toEqual([0.5, -2, 1024, 0]);
    // 1 + 2^-12 is halfway below the next fp16 value: rounds to even (1)
    expect(quantizeFp16(Float32Array.from([1 + 2 ** -12]))[0]).toBe(1);
  });
});
