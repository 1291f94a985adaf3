/**
 * Issue 12: more than 256 classes. A folder dataset of 300 classes (one 8 x 8 colour PNG
 * each, made here) and two ONNX models with 300 outputs (a linear layer written here with
 * onnx-proto) go through `datasets add folder`, `models import` and `report`. The
 * expected predictions are computed here in float64 from the pixels and weights the test
 * made (not from anything PIE Audit decoded): labels above 255 must survive untruncated.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import { queryAll, writeManifest } from '../helpers/models.js';

const { onnx } = onnxProto;
const CLASSES = 300;
const SIDE = 8;
const INPUTS = 3 * SIDE * SIDE;

/** A small deterministic generator (mulberry32), so the fixture is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Flatten(x [N, 3, 8, 8]) . W [192, 300] + b -> logits [N, 300]. */
function linearModel(file: string, weights: Float32Array, bias: Float32Array): void {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'linear',
      node: [
        { opType: 'Flatten', input: ['image'], output: ['flat'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
        { opType: 'MatMul', input: ['flat', 'w'], output: ['scores'] },
        { opType: 'Add', input: ['scores', 'b'], output: ['logits'] },
      ],
      input: [{ name: 'image', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 3 }, { dimValue: SIDE }, { dimValue: SIDE }] } } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: CLASSES }] } } } }],
      initializer: [
        { name: 'w', dataType: FLOAT, dims: [INPUTS, CLASSES], rawData: new Uint8Array(weights.buffer.slice(0)) },
        { name: 'b', dataType: FLOAT, dims: [CLASSES], rawData: new Uint8Array(bias.buffer.slice(0)) },
      ],
    },
  });
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe('more than 256 classes', () => {
  it('a 300-class folder dataset and 300-output ONNX models: every label, probability and the report', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'classes');
    const rng = random(300);
    // image c: 8 x 8 RGB, channels last as the PNG stores them
    const images: Uint8Array[] = [];
    for (let c = 0; c < CLASSES; c++) {
      const name = `c${String(c).padStart(3, '0')}`;
      fs.mkdirSync(path.join(folder, name), { recursive: true });
      const pixels = Uint8Array.from({ length: INPUTS }, () => Math.floor(rng() * 256));
      images.push(pixels);
      await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(path.join(folder, name, `${name}.png`));
    }
    const models = [
      { file: 'dense.onnx', variant: 'dense', method: 'dense', seed: 1, zeroEvery: 0 },
      { file: 'half.onnx', variant: 'magnitude-0.5', method: 'magnitude', target_sparsity: 0.5, seed: 2, zeroEvery: 2 },
    ];
    const weightsOf = new Map<string, { w: Float32Array; b: Float32Array }>();
    for (const m of models) {
      const w = Float32Array.from({ length: INPUTS * CLASSES }, (_, k) => (m.zeroEvery && k % m.zeroEvery === 0 ? 0 : (rng() - 0.5) * 0.2));
      const b = Float32Array.from({ length: CLASSES }, () => (rng() - 0.5) * 0.1);
      weightsOf.set(m.file, { w, b });
      linearModel(path.join(dir, m.file), w, b);
    }
    const db = path.join(dir, 'db.sqlite');
    const added = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'many', '--from', folder]);
    expect(added.stderr).not.toMatch(/refus|error/i);
    expect(added.code).toBe(0);
    const manifest = writeManifest(dir, 'manifest.json', {
      input: { layout: 'nchw', channels: 3, height: SIDE, width: SIDE, scale: 1 / 255, mean: [0], std: [1] },
      output: 'logits',
      models: models.map(({ zeroEvery: _z, ...m }) => m),
    });
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'many', '--manifest', manifest, '--workers', '1']);
    expect(result.stderr).not.toMatch(/failed/);
    expect(result.code).toBe(0);

    const rows = queryAll<{ source: string; measured_sparsity: number; path: string; true_label: number; predicted_label: number; predicted_probability: number; true_label_probability: number }>(
      db,
      `SELECT m.source, m.measured_sparsity, i.path, e.true_label, p.predicted_label, p.predicted_probability, p.true_label_probability
       FROM predictions p JOIN models m ON m.id = p.model_id
       JOIN experiment_images e ON e.experiment_id = m.experiment_id AND e.image_index = p.image_index
       JOIN images i ON i.id = e.image_id ORDER BY m.id, p.image_index`,
    );
    expect(rows).toHaveLength(2 * CLASSES);
    let above255 = 0;
    for (const r of rows) {
      const c = Number(/c(\d{3})\.png$/.exec(r.path)?.[1]);
      const weights = weightsOf.get(path.basename(r.source));
      const pixels = images[c];
      if (!weights || !pixels) throw new Error(`no fixture for ${r.source} ${r.path}`);
      // nchw input from the channels-last pixels, then logits and softmax in float64
      const logits = Array.from(weights.b, Number);
      for (let ch = 0; ch < 3; ch++) {
        for (let y = 0; y < SIDE; y++) {
          for (let x = 0; x < SIDE; x++) {
            const value = Math.fround(Math.fround(pixels[(y * SIDE + x) * 3 + ch] ?? 0) * Math.fround(1 / 255));
            const row = (ch * SIDE + y) * SIDE + x;
            for (let k = 0; k < CLASSES; k++) logits[k] = (logits[k] ?? 0) + value * (weights.w[row * CLASSES + k] ?? 0);
          }
        }
      }
      const top = Math.max(...logits);
      const exp = logits.map((v) => Math.exp(v - top));
      const sum = exp.reduce((a, b) => a + b, 0);
      const best = logits.indexOf(top);
      expect(r.true_label).toBe(c);
      expect(r.predicted_label).toBe(best);
      expect(Math.abs(r.predicted_probability - (exp[best] ?? 0) / sum)).toBeLessThan(1e-5);
      expect(Math.abs(r.true_label_probability - (exp[c] ?? 0) / sum)).toBeLessThan(1e-5);
      if (r.predicted_label > 255) above255++;
    }
    expect(above255).toBeGreaterThan(0); // labels above one byte were predicted and stored
    const half = rows.find((r) => r.source.endsWith('half.onnx'));
    expect(half?.measured_sparsity).toBe(Math.ceil((INPUTS * CLASSES) / 2) / (INPUTS * CLASSES));

    const report = await runCli(['--db', db, 'report', '--json']);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as { classes?: string[]; variants: { variant: string }[] };
    expect(json.variants.map((v) => v.variant)).toEqual(['dense', 'magnitude-0.5']);
    expect(json.classes).toHaveLength(CLASSES);
    expect(json.classes?.[299]).toBe('c299');
  }, 180_000);
});
