import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Arch, InputShape } from './network.js';
import type { Normalisation } from './data.js';

/** What model.json records besides the weights. */
export interface ModelMeta {
  format: 'pie-audit-model';
  version: 1;
  arch: Arch;
  input: InputShape;
  numClasses: number;
  normalisation: Normalisation;
  method: string;
  seed: number;
  targetSparsity: number;
  backend: string;
}

/**
 * Saves weights in TensorFlow.js's format: model.json with a weightsManifest, and the
 * float32 values in weights.bin (tf.io.encodeWeights). Written to a temporary folder
 * and renamed, so a crash never leaves half a model.
 */
export async function saveWeights(dir: string, meta: ModelMeta, params: Map<string, { shape: number[]; values: Float32Array }>): Promise<void> {
  const tensors: tf.NamedTensorMap = {};
  for (const [name, p] of params) tensors[name] = tf.tensor(p.values, p.shape, 'float32');
  try {
    const { data, specs } = await tf.io.encodeWeights(tensors);
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'weights.bin'), Buffer.from(data));
    const manifest = { ...meta, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(manifest, null, 1));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

export function loadWeights(dir: string): { meta: ModelMeta; params: Map<string, { shape: number[]; values: Float32Array }> } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelMeta & { weightsManifest: tf.io.WeightsManifestConfig };
  const group = manifest.weightsManifest[0];
  if (!group) throw new Error(`${dir}: model.json has no weights`);
  const bin = fs.readFileSync(path.join(dir, group.paths[0] ?? 'weights.bin'));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const decoded = tf.io.decodeWeights(buffer, group.weights);
  const params = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const spec of group.weights) {
    const t = decoded[spec.name];
    if (!t) throw new Error(`${dir}: weight ${spec.name} missing`);
    params.set(spec.name, { shape: spec.shape, values: t.dataSync() as Float32Array });
    t.dispose();
  }
  const { weightsManifest, ...meta } = manifest;
  void weightsManifest;
  return { meta, params };
}
