/**
 * Issue 12: `pie-audit models import` on the real command line, the real SQLite file and
 * the real ONNX Runtime / TensorFlow.js. The fixture ONNX models and their reference
 * predictions were made in PyTorch by test/fixtures/models/make_models.py.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { MODEL_FIXTURES, queryAll, readPredictions, reference, writeFashionMnistHead, writeManifest } from '../helpers/models.js';

const REF = reference();
const HEAD = REF.images;

describe.runIf(runsOnFashionMnist)('models import of ONNX models', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    requireFashionMnist();
    dir = tempDir();
    db = path.join(dir, 'db.sqlite');
    const head = writeFashionMnistHead(dir, HEAD);
    const added = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'fm', '--images', head.images, '--labels', head.labels]);
    expect(added.stderr).toBe('');
  }, 60_000);

  it.each(['mlp', 'cnn'])('stores the %s fixtures\' PyTorch predictions and their measured sparsity', async (arch) => {
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'fm', '--manifest', path.join(MODEL_FIXTURES, `${arch}.manifest.json`), '--workers', '2', '--batch-size', '37']);
    expect(result.stderr).not.toMatch(/failed|error/);
    expect(result.code).toBe(0);
    const experimentId = Number(/experiment (\d+):/.exec(result.stdout)?.[1]);
    const [experiment] = queryAll<{ origin: string; name: string }>(db, 'SELECT origin, name FROM experiments WHERE id = ?', experimentId);
    expect(experiment).toEqual({ origin: 'evaluated', name: `${arch}.manifest on fm` });
    const models = queryAll<{ id: number; variant: string; method: string; target_sparsity: number; measured_sparsity: number; seed: number; top1: number; status: string; source: string; backend: string }>(
      db,
      'SELECT * FROM models WHERE experiment_id = ? ORDER BY id',
      experimentId,
    );
    expect(models.map((m) => m.variant)).toEqual(['dense', 'magnitude-0.9']);
    const predictions = readPredictions(db, experimentId);
    for (const m of models) {
      const ref = REF.models[path.basename(m.source)];
      if (!ref) throw new Error(`no reference for ${m.source}`);
      expect(m).toMatchObject({ status: 'done', method: ref.target_sparsity > 0 ? 'magnitude' : 'dense', seed: ref.seed, backend: 'onnxruntime-cpu' });
      // measured from the file's weights: exactly the zero count the script made
      expect(m.measured_sparsity).toBe(ref.zeros / ref.weights);
      const rows = predictions.filter((p) => p.model_id === m.id);
      expect(rows.map((r) => r.image_index)).toEqual([...Array(HEAD).keys()]);
      expect(rows.map((r) => r.predicted_label)).toEqual(ref.predicted_label);
      rows.forEach((r, i) => {
        expect(Math.abs(r.predicted_probability - (ref.predicted_probability[i] ?? NaN))).toBeLessThan(1e-5);
        expect(Math.abs(r.true_label_probability - (ref.true_label_probability[i] ?? NaN))).toBeLessThan(1e-5);
      });
      expect(m.top1).toBeCloseTo(ref.predicted_label.filter((label, i) => label === REF.true_labels[i]).length / HEAD, 12);
    }
    // the same analysis as trained populations
    const report = await runCli(['--db', db, 'report', '--json', '--experiment', String(experimentId)]);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as { variants: { variant: string; models: number }[] };
    expect(json.variants.map((v) => v.variant)).toEqual(['dense', 'magnitude-0.9']);
  }, 120_000);

  it('runs a TensorFlow.js layers model saved by the test, and measures its zeros', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    // Zero every other weight of the dense kernel: 10 * 2704 / 2 exact zeros of 36 + 27040.
    const [convKernel, convBias, denseKernel, denseBias] = model.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const values = denseKernel.dataSync().slice();
    for (let i = 0; i < values.length; i += 2) values[i] = 0;
    const zeros = values.filter((v) => v === 0).length + convKernel.dataSync().filter((v) => v === 0).length;
    model.setWeights([convKernel, convBias, tf.tensor(values, denseKernel.shape), denseBias]);
    const folder = path.join(dir, 'tfjs-model');
    fs.mkdirSync(folder);
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const json = { format: artifacts.format, generatedBy: artifacts.generatedBy, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
        fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const input = { layout: 'nhwc', channels: 1, height: 28, width: 28, scale: 1 / 255, mean: [0.5], std: [0.25] };
    const manifest = writeManifest(folder, 'manifest.json', { input, output: 'probabilities', models: [{ file: 'model.json', variant: 'dense', method: 'dense', seed: 7 }] });
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'fm', '--manifest', manifest, '--workers', '1']);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.code).toBe(0);
    const experimentId = Number(/experiment (\d+):/.exec(result.stdout)?.[1]);

    // The expected outputs: the same model, in this process, on the same images.
    const pixels = queryAll<{ pixels: Buffer; label: number }>(db, "SELECT pixels, label FROM images WHERE split = 'test' AND dataset_id = (SELECT id FROM datasets WHERE name = 'fm') ORDER BY idx");
    const x = new Float32Array(HEAD * 784);
    pixels.forEach((p, i) => p.pixels.forEach((v, k) => (x[i * 784 + k] = (v / 255 - 0.5) / 0.25)));
    const probabilities = (model.predict(tf.tensor4d(x, [HEAD, 28, 28, 1])) as tf.Tensor).arraySync() as number[][];
    const rows = readPredictions(db, experimentId);
    expect(rows).toHaveLength(HEAD);
    rows.forEach((r, i) => {
      const p = probabilities[i] ?? [];
      const best = p.indexOf(Math.max(...p));
      expect(r.predicted_label).toBe(best);
      expect(Math.abs(r.predicted_probability - (p[best] ?? NaN))).toBeLessThan(1e-5);
      expect(Math.abs(r.true_label_probability - (p[pixels[i]?.label ?? 0] ?? NaN))).toBeLessThan(1e-5);
    });
    const [stored] = queryAll<{ measured_sparsity: number; backend: string }>(db, 'SELECT measured_sparsity, backend FROM models WHERE experiment_id = ?', experimentId);
    expect(stored?.measured_sparsity).toBe(zeros / (36 + 27040));
    expect(stored?.backend).toMatch(/^tfjs-/);
  }, 120_000);

  it("runs the committed TensorFlow.js graph models (the ONNX MLPs' weights) to their PyTorch predictions", async () => {
    // tfjs-graph/<variant>/model.json: a GraphDef in JSON (MatMul/BiasAdd/Relu/Softmax) written by
    // make_tfjs_graph_model.py from the ONNX MLPs' weights, so their reference is those models'
    const graphs = JSON.parse(fs.readFileSync(path.join(MODEL_FIXTURES, 'tfjs-graph', 'reference.json'), 'utf8')) as Record<string, { source: string; zeros: number; weights: number }>;
    const folder = path.join(dir, 'graph');
    fs.mkdirSync(folder);
    const input = { layout: 'flat', channels: 1, height: 28, width: 28, scale: 1 / 255, mean: [0.286], std: [0.353] };
    const manifest = writeManifest(folder, 'manifest.json', {
      input,
      output: 'probabilities',
      models: [
        { file: path.join(MODEL_FIXTURES, 'tfjs-graph', 'dense', 'model.json'), variant: 'dense', method: 'dense', seed: 1 },
        { file: path.join(MODEL_FIXTURES, 'tfjs-graph', 'magnitude-0.9', 'model.json'), variant: 'magnitude-0.9', method: 'magnitude', target_sparsity: 0.9, seed: 101 },
      ],
    });
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'fm', '--manifest', manifest, '--workers', '2']);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.stderr).toMatch(/input 'image' \[N, 784\] -> output 'probabilities'/);
    expect(result.code).toBe(0);
    const experimentId = Number(/experiment (\d+):/.exec(result.stdout)?.[1]);
    const models = queryAll<{ id: number; variant: string; measured_sparsity: number; backend: string }>(db, 'SELECT id, variant, measured_sparsity, backend FROM models WHERE experiment_id = ? ORDER BY id', experimentId);
    expect(models.map((m) => m.variant)).toEqual(['dense', 'magnitude-0.9']);
    const predictions = readPredictions(db, experimentId);
    for (const m of models) {
      const graph = graphs[m.variant];
      const ref = graph && REF.models[graph.source];
      if (!graph || !ref) throw new Error(`no reference for ${m.variant}`);
      const rows = predictions.filter((r) => r.model_id === m.id);
      expect(rows).toHaveLength(HEAD);
      expect(rows.map((r) => r.predicted_label)).toEqual(ref.predicted_label);
      rows.forEach((r, i) => {
        expect(Math.abs(r.predicted_probability - (ref.predicted_probability[i] ?? NaN))).toBeLessThan(1e-5);
        expect(Math.abs(r.true_label_probability - (ref.true_label_probability[i] ?? NaN))).toBeLessThan(1e-5);
      });
      // the script's count of the graph's zeros, which is also the ONNX file's
      expect(graph).toMatchObject({ zeros: ref.zeros, weights: ref.weights });
      expect(m.measured_sparsity).toBe(graph.zeros / graph.weights);
      expect(m.backend).toMatch(/^tfjs-/);
    }
  }, 120_000);
});

describe('models import on a colour folder dataset', () => {
  it("stores the colour fixtures' PyTorch predictions, matched by image path", async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(MODEL_FIXTURES, 'colour-reference.json'), 'utf8')) as {
      images: string[];
      true_labels: number[];
      models: Record<string, { zeros: number; weights: number; predicted_label: number[]; predicted_probability: number[]; true_label_probability: number[] }>;
    };
    const dir = tempDir();
    const db = path.join(dir, 'db.sqlite');
    const folder = path.join(MODEL_FIXTURES, 'colour');
    expect((await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'colour', '--from', folder])).code).toBe(0);
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'colour', '--manifest', path.join(MODEL_FIXTURES, 'colour.manifest.json'), '--workers', '2']);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.code).toBe(0);
    const rows = queryAll<{ source: string; measured_sparsity: number; path: string; true_label: number; predicted_label: number; predicted_probability: number; true_label_probability: number }>(
      db,
      `SELECT m.source, m.measured_sparsity, i.path, e.true_label, p.predicted_label, p.predicted_probability, p.true_label_probability
       FROM predictions p JOIN models m ON m.id = p.model_id
       JOIN experiment_images e ON e.experiment_id = m.experiment_id AND e.image_index = p.image_index
       JOIN images i ON i.id = e.image_id`,
    );
    expect(rows).toHaveLength(2 * ref.images.length);
    for (const r of rows) {
      const model = ref.models[path.basename(r.source)];
      const k = ref.images.indexOf(path.relative(folder, r.path).split(path.sep).join('/'));
      if (!model || k < 0) throw new Error(`no reference for ${r.source} ${r.path}`);
      expect(r.measured_sparsity).toBe(model.zeros / model.weights);
      expect(r.true_label).toBe(ref.true_labels[k]);
      expect(r.predicted_label).toBe(model.predicted_label[k]);
      expect(Math.abs(r.predicted_probability - (model.predicted_probability[k] ?? NaN))).toBeLessThan(1e-5);
      expect(Math.abs(r.true_label_probability - (model.true_label_probability[k] ?? NaN))).toBeLessThan(1e-5);
    }
  }, 120_000);
});
