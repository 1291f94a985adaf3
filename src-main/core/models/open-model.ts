import { selectBackend } from '../training/backend.js';
import { UserError } from '../errors.js';
import type { LoadedModel } from './loaded-model.js';
import type { ManifestModel } from './manifest.js';
import { onnxZeroCount } from './onnx-weights.js';
import { openOnnxModel } from './onnx-model.js';
import { inputMismatch } from './loaded-model.js';
import { checkModelFileShape } from './model-file.js';
import type { InputSpec } from './manifest.js';
import { openTfjsModel, tfjsZeroCount } from './tfjs-model.js';
import { sparsityOf } from './weight-zeros.js';

let tfjsBackend: string | undefined;

/** The runtime a format runs on here (ONNX Runtime's CPU provider, or the TF.js backend that loaded). */
export async function runtimeFor(format: ManifestModel['format']): Promise<string> {
  if (format === 'onnx') return 'onnxruntime-cpu';
  tfjsBackend ??= `tfjs-${(await selectBackend()).name}`;
  return tfjsBackend;
}

/** Opens a model file and checks its input against the manifest's (one line naming the file on a mismatch). */
export async function openModel(m: Pick<ManifestModel, 'file' | 'format' | 'inputName' | 'outputName'>, input: InputSpec): Promise<LoadedModel> {
  checkModelFileShape(m.file, m.format);
  await runtimeFor(m.format);
  const model = m.format === 'onnx' ? await openOnnxModel(m.file, m) : await openTfjsModel(m.file, m);
  const mismatch = inputMismatch(model.inputShape, input);
  if (mismatch) {
    await model.dispose();
    throw new UserError(`${m.file}: input '${model.inputName}' does not match the manifest: ${mismatch}`);
  }
  return model;
}

/** Measured sparsity read from the file's weights (rank >= 2 tensors). */
export async function measuredSparsityOf(m: Pick<ManifestModel, 'file' | 'format'>): Promise<number> {
  return sparsityOf(m.format === 'onnx' ? onnxZeroCount(m.file) : await tfjsZeroCount(m.file));
}
