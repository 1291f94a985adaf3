import type { InputSpec } from './manifest.js';

/** A dimension as a model declares it: a size, or a name / null for a free (batch) axis. */
export type Dim = number | string | null;

/** A model file opened for inference, whatever its format. */
export interface LoadedModel {
  inputName: string;
  outputName: string;
  inputShape: Dim[];
  outputShape: Dim[];
  /** Runs a batch laid out as the manifest says; returns batch x width outputs and the width. */
  run(x: Float32Array, batch: number): Promise<{ values: Float32Array; width: number }>;
  dispose(): Promise<void>;
}

export function formatShape(shape: Dim[]): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : (d ?? 'N'))).join(', ')}]`;
}

/** The input shape the manifest's layout gives, batch first. */
export function expectedInputShape(input: InputSpec): Dim[] {
  const { channels: c, height: h, width: w } = input;
  if (input.layout === 'nchw') return ['N', c, h, w];
  if (input.layout === 'nhwc') return ['N', h, w, c];
  return ['N', h * w * c];
}

/**
 * Compares the model's declared input with the manifest's: same rank, and every fixed
 * size after the batch axis equal. A free (named, null or negative) size accepts any.
 * Returns the reason when they differ.
 */
export function inputMismatch(declared: Dim[], input: InputSpec): string | undefined {
  const expected = expectedInputShape(input);
  const fixed = (d: Dim): d is number => typeof d === 'number' && d >= 0;
  const differs = declared.length !== expected.length || declared.slice(1).some((d, i) => fixed(d) && d !== expected[i + 1]);
  if (!differs) return undefined;
  const hint = guessLayout(declared, input);
  return `the model's input has shape ${formatShape(declared)}, the manifest's ${input.layout} input with ${input.channels} channel(s) of ${input.height} x ${input.width} gives ${formatShape(expected)}${hint ? ` (${hint})` : ''}`;
}

function guessLayout(declared: Dim[], input: InputSpec): string | undefined {
  for (const layout of ['nchw', 'nhwc', 'flat'] as const) {
    if (layout === input.layout) continue;
    const other = expectedInputShape({ ...input, layout });
    if (other.length === declared.length && declared.slice(1).every((d, i) => typeof d !== 'number' || d < 0 || d === other[i + 1])) return `layout ${layout} would fit`;
  }
  return undefined;
}
