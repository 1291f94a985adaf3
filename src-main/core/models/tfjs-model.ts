import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError, errorMessage } from '../errors.js';
import type { Dim, LoadedModel } from './loaded-model.js';
import { addCounts, countNumbers, type ZeroCount } from './weight-zeros.js';

interface DiskModel {
  artifacts: tf.io.ModelArtifacts;
  graph: boolean;
}

/** A TensorFlow.js model.json and the weight files it lists, read from disk. */
async function readDiskModel(file: string): Promise<DiskModel> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as tf.io.ModelJSON;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'cannot read model file (no such file)' : `not a TensorFlow.js model.json (${errorMessage(error)})`}`);
  }
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`${file}: not a TensorFlow.js model.json (needs modelTopology and weightsManifest)`);
  }
  const folder = fs.realpathSync(path.dirname(path.resolve(file)));
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = manifest.flatMap((group) => group.weights);
    // Sizes first: weights that declare more than their files hold (say a 100,000 x
    // 100,000 kernel) are refused before anything is read or allocated.
    const files = manifest.flatMap((group) => group.paths).map((p) => weightFile(file, folder, p));
    const held = files.reduce((n, f) => n + f.size, 0);
    const needed = specs.reduce((n, s) => n + tf.util.sizeFromShape(s.shape) * bytesPer(s), 0);
    if (held !== needed) throw new UserError(`${file}: weight files hold ${held} bytes, the manifest's weights need ${needed} (truncated or wrong files)`);
    const all = Buffer.concat(files.map((f) => fs.readFileSync(f.real)));
    return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
  });
  const topology = json.modelTopology as { node?: unknown };
  return { artifacts, graph: json.format === 'graph-model' || Array.isArray(topology.node) };
}

/** A weight file of a model.json: only from the model's own folder (not by '..', an absolute path or a symlink). */
function weightFile(modelFile: string, folder: string, listed: string): { real: string; size: number } {
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(folder, listed));
  } catch (error) {
    throw new UserError(`${modelFile}: cannot read weight file '${listed}' (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  if (!real.startsWith(folder + path.sep)) throw new UserError(`${modelFile}: weight file '${listed}' is outside the model's folder; refused`);
  return { real, size: fs.statSync(real).size };
}

function bytesPer(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return spec.dtype === 'string' ? 0 : 4;
}

/** Exact zeros over the model's weights of rank >= 2 (decoded, as the model uses them). */
export async function tfjsZeroCount(file: string): Promise<ZeroCount> {
  const { artifacts } = await readDiskModel(file);
  const weights = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  let count: ZeroCount = { zeros: 0, total: 0 };
  for (const t of Object.values(weights)) {
    if (t.rank >= 2 && t.dtype !== 'string') count = addCounts(count, countNumbers(t.dataSync() as Float32Array | Int32Array));
    t.dispose();
  }
  return count;
}

function shapeOf(shape: readonly (number | null)[] | undefined): Dim[] {
  return (shape ?? []).map((d) => (d === -1 ? null : d));
}

/** A TensorFlow.js layers or graph model from disk, on the backend already set. */
export async function openTfjsModel(file: string, names: { inputName?: string; outputName?: string }): Promise<LoadedModel> {
  const disk = await readDiskModel(file);
  const handler = tf.io.fromMemory(disk.artifacts);
  let model: tf.LayersModel | tf.GraphModel;
  try {
    model = disk.graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  } catch (error) {
    throw new UserError(`${file}: not a loadable TensorFlow.js model (${errorMessage(error).slice(0, 300)})`);
  }
  const inputs = model.inputs.map((i) => ({ name: i.name, shape: shapeOf(i.shape) }));
  const outputs = model.outputs.map((o) => ({ name: o.name, shape: shapeOf(o.shape) }));
  const choose = <T extends { name: string }>(list: T[], wanted: string | undefined, what: string): T => {
    const found = wanted === undefined ? (list.length === 1 ? list[0] : undefined) : list.find((x) => x.name === wanted);
    if (!found) {
      const have = list.map((x) => `'${x.name}'`).join(', ');
      throw new UserError(wanted === undefined ? `${file}: the model has ${list.length} ${what}s (${have}); name one with ${what}_name in the manifest` : `${file}: no ${what} named '${wanted}' (the model has ${have})`);
    }
    return found;
  };
  const input = choose(inputs, names.inputName, 'input');
  const output = choose(outputs, names.outputName, 'output');
  return {
    inputName: input.name,
    outputName: output.name,
    inputShape: input.shape,
    outputShape: output.shape,
    async run(x, batch) {
      const shape = [batch, ...input.shape.slice(1).map((d) => (typeof d === 'number' ? d : -1))];
      const values = tf.tidy(() => {
        const t = tf.tensor(x, shape.some((d) => d < 0) ? [batch, x.length / batch] : shape, 'float32');
        const y =
          model instanceof tf.GraphModel
            ? (model.execute({ [input.name]: t }, output.name) as tf.Tensor)
            : (() => {
                const all = model.predict(t);
                return Array.isArray(all) ? (all[outputs.indexOf(output)] as tf.Tensor) : all;
              })();
        return y.reshape([batch, -1]);
      });
      const width = values.shape[1] ?? 0;
      const data = (await values.data()) as Float32Array;
      values.dispose();
      return { values: data, width };
    },
    async dispose() {
      model.dispose();
    },
  };
}
