import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { UserError, errorMessage } from '../errors.js';
import type { Dim, LoadedModel } from './loaded-model.js';

function pick(names: readonly string[], wanted: string | undefined, what: 'input' | 'output', file: string): string {
  if (wanted !== undefined) {
    if (!names.includes(wanted)) throw new UserError(`${file}: no ${what} named '${wanted}' (the model has ${names.map((n) => `'${n}'`).join(', ')})`);
    return wanted;
  }
  const first = names[0];
  if (first === undefined) throw new UserError(`${file}: the model has no ${what}`);
  if (names.length > 1) throw new UserError(`${file}: the model has ${names.length} ${what}s (${names.map((n) => `'${n}'`).join(', ')}); name one with ${what}_name in the manifest`);
  return first;
}

function shapeOf(metadata: readonly ort.InferenceSession.ValueMetadata[], name: string): { shape: Dim[]; type: string } {
  const m = metadata.find((v) => v.name === name);
  if (!m || !m.isTensor) return { shape: [], type: 'unknown' };
  return { shape: m.shape.map((d) => (typeof d === 'number' && d < 0 ? null : d)), type: m.type };
}

/**
 * An ONNX model through ONNX Runtime's CPU provider, one thread per session (population
 * parallelism comes from the workers, one model each).
 */
export async function openOnnxModel(file: string, names: { inputName?: string; outputName?: string }): Promise<LoadedModel> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read model file (${code === 'ENOENT' ? 'no such file' : errorMessage(error)})`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new UserError(`${file}: not a readable ONNX model (${errorMessage(error).slice(0, 300)})`);
  }
  const inputName = pick(session.inputNames, names.inputName, 'input', file);
  const outputName = pick(session.outputNames, names.outputName, 'output', file);
  const input = shapeOf(session.inputMetadata, inputName);
  const output = shapeOf(session.outputMetadata, outputName);
  if (input.type !== 'float32') throw new UserError(`${file}: input '${inputName}' is ${input.type}; PIE Audit feeds float32 (export the model with float32 inputs)`);
  return {
    inputName,
    outputName,
    inputShape: input.shape,
    outputShape: output.shape,
    async run(x, batch) {
      const shape = [batch, ...input.shape.slice(1).map((d) => (typeof d === 'number' ? d : -1))];
      // free sizes after the batch axis: the values decide (only the batch may be free in practice)
      const known = shape.slice(1).reduce((p, d) => (d > 0 ? p * d : p), 1);
      const resolved = shape.map((d, i) => (i > 0 && d < 0 ? x.length / batch / known : d));
      const results = await session.run({ [inputName]: new ort.Tensor('float32', x, resolved) }, [outputName]);
      const out = results[outputName];
      if (!out) throw new UserError(`${file}: output '${outputName}' missing from the results`);
      if (out.type !== 'float32') throw new UserError(`${file}: output '${outputName}' is ${out.type}; PIE Audit reads float32 outputs`);
      const width = out.dims.length === 2 ? (out.dims[1] ?? 0) : out.size / batch;
      if (out.dims[0] !== batch || !Number.isInteger(width)) throw new UserError(`${file}: output '${outputName}' has shape [${out.dims.join(', ')}] for a batch of ${batch}; expected [batch, classes]`);
      return { values: out.data as Float32Array, width };
    },
    async dispose() {
      await session.release();
    },
  };
}
