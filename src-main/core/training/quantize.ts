import { f16round } from '@petamoriken/float16';

/**
 * Post-training weight quantization. Predictions of a quantized model are computed
 * with the de-quantized weights, so these return float32 arrays holding exactly the
 * values the quantized model represents.
 */

/** float16: every weight rounded to the nearest half-precision value. */
export function quantizeFp16(weights: Float32Array): Float32Array {
  const out = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) out[i] = f16round(weights[i] ?? 0);
  return out;
}

export interface Int8Quantized {
  /** int8 values in [-127, 127] (symmetric: no zero point). */
  values: Int8Array;
  /** One scale per output channel (the last dimension). */
  scales: Float32Array;
  dequantized: Float32Array;
}

/**
 * int8, symmetric, one scale per output channel (dynamic-range style): for a kernel
 * whose last dimension is the output channel, scale_c = max |w_.c| / 127 and
 * q = round(w / scale_c), clamped to [-127, 127].
 */
export function quantizeInt8PerChannel(weights: Float32Array, outputChannels: number): Int8Quantized {
  if (weights.length % outputChannels !== 0) throw new Error('kernel size is not a multiple of its output channels');
  const scales = new Float32Array(outputChannels);
  for (let i = 0; i < weights.length; i++) {
    const c = i % outputChannels;
    scales[c] = Math.max(scales[c] ?? 0, Math.abs(weights[i] ?? 0));
  }
  for (let c = 0; c < outputChannels; c++) scales[c] = Math.fround((scales[c] ?? 0) / 127);
  const values = new Int8Array(weights.length);
  const dequantized = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const scale = scales[i % outputChannels] ?? 0;
    const q = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round((weights[i] ?? 0) / scale)));
    values[i] = q;
    dequantized[i] = (values[i] ?? 0) * scale; // from the stored int8 (no -0)
  }
  return { values, scales, dequantized };
}
