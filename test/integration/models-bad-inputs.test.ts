/**
 * Issue 12: every bad input of `pie-audit models import` gets one line naming the file
 * and the reason, exit 1, and leaves the database byte-identical.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { FASHION_INPUT, MODEL_FIXTURES, writeFashionMnistHead, writeManifest } from '../helpers/models.js';

const CNN = path.join(MODEL_FIXTURES, 'cnn-dense.onnx');
const CNN_PRUNED = path.join(MODEL_FIXTURES, 'cnn-magnitude-0.9.onnx');
const dense = (file: string, seed = 1): object => ({ file, variant: 'dense', method: 'dense', seed });

/** The CNN fixture with its last bias set to NaN: a real ONNX model whose every output is NaN. */
function nanModel(file: string): void {
  const { onnx } = onnxProto;
  const model = onnx.ModelProto.decode(fs.readFileSync(CNN));
  const biases = (model.graph?.initializer ?? []).filter((t) => t.dims?.length === 1);
  const last = biases.at(-1);
  if (!last?.rawData) throw new Error('fixture has no raw bias');
  const nan = new Float32Array(last.rawData.length / 4).fill(NaN);
  last.rawData = new Uint8Array(nan.buffer);
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

describe.runIf(runsOnFashionMnist)('models import refuses bad input', () => {
  // made now: the cases below name files in it
  const dir = tempDir();
  const db = path.join(dir, 'db.sqlite');
  const cases: [string, () => string[], RegExp][] = [];
  const manifestCase = (what: string, content: unknown, expected: RegExp, dataset = 'fm'): void => {
    cases.push([what, () => ['models', 'import', '--dataset', dataset, '--manifest', writeManifest(dir, `${what.replace(/\W+/g, '-')}.json`, content)], expected]);
  };
  const good = (models: object[], extra: object = {}): object => ({ input: FASHION_INPUT, output: 'logits', models, ...extra });

  beforeAll(async () => {
    requireFashionMnist();
    const head = writeFashionMnistHead(dir, 20);
    for (const args of [
      ['--name', 'fm'],
      ['--name', 'fm11', '--classes', 'a,b,c,d,e,f,g,h,i,j,k'],
      ['--name', 'trainonly', '--split', 'train'],
    ]) {
      const added = await runCli(['--db', db, 'datasets', 'add', 'idx', '--images', head.images, '--labels', head.labels, ...args]);
      expect(added.code).toBe(0);
    }
    fs.writeFileSync(path.join(dir, 'truncated.onnx'), fs.readFileSync(CNN).subarray(0, 20_000));
    fs.writeFileSync(path.join(dir, 'text.onnx'), 'this is not a model\n');
    nanModel(path.join(dir, 'nan.onnx'));
    const tfjs = path.join(dir, 'tfjs');
    fs.mkdirSync(tfjs);
    fs.writeFileSync(
      path.join(tfjs, 'model.json'),
      JSON.stringify({ format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightsManifest: [{ paths: ['gone.bin'], weights: [{ name: 'k', shape: [2, 2], dtype: 'float32' }] }] }),
    );
  }, 60_000);

  cases.push(['a manifest that is not JSON', () => ['models', 'import', '--dataset', 'fm', '--manifest', writeManifest(dir, 'not-json.json', '{"input": ')], /not-json\.json: not a JSON manifest/]);
  cases.push(['a manifest that does not exist', () => ['models', 'import', '--dataset', 'fm', '--manifest', path.join(dir, 'nowhere.json')], /nowhere\.json: cannot read manifest \(no such file\)/]);
  manifestCase('a manifest without output', { input: FASHION_INPUT, models: [dense(CNN)] }, /without-output\.json: output: /);
  manifestCase('a model without a seed', good([{ file: CNN, variant: 'dense', method: 'dense' }]), /without-a-seed\.json: models\[0\]\.seed: /);
  manifestCase('an unknown layout', good([dense(CNN)], { input: { ...FASHION_INPUT, layout: 'chw' } }), /unknown-layout\.json: input\.layout: /);
  manifestCase('an unknown method', good([{ file: CNN, variant: 'p', method: 'lottery', seed: 1 }]), /unknown-method\.json: models\[0\]\.method: /);
  manifestCase('a missing model file', good([dense(path.join(dir, 'absent.onnx'))]), /absent\.onnx: model file not found \(listed in .*missing-model-file\.json\)/);
  manifestCase('a truncated ONNX file', good([dense(path.join(dir, 'truncated.onnx'))]), /truncated\.onnx: not a readable ONNX model/);
  manifestCase('a text file named .onnx', good([dense(path.join(dir, 'text.onnx'))]), /text\.onnx: not an ONNX model \(it starts with bytes 74 68 69 73\)/);
  manifestCase('a file neither ONNX nor TF.js', good([dense(path.join(dir, 'model.pt'))]), /neither-ONNX-nor-TF-js\.json: models\[0\]\.file: '.*model\.pt' is neither an \.onnx file nor a TensorFlow\.js model\.json/);
  manifestCase('a TF.js model missing its weights', good([dense(path.join(dir, 'tfjs', 'model.json'))]), /model\.json: cannot read weight file 'gone\.bin' \(ENOENT\)/);
  manifestCase(
    'the wrong layout',
    good([dense(CNN)], { input: { ...FASHION_INPUT, layout: 'nhwc' } }),
    /cnn-dense\.onnx: input 'image' does not match the manifest: the model's input has shape \[batch, 1, 28, 28\], the manifest's nhwc input with 1 channel\(s\) of 28 x 28 gives \[N, 28, 28, 1\] \(layout nchw would fit\)/,
  );
  manifestCase('the wrong channel count', good([dense(CNN)], { input: { ...FASHION_INPUT, channels: 3 } }), /cnn-dense\.onnx: input 'image' does not match the manifest: .*gives \[N, 3, 28, 28\]/);
  manifestCase('the wrong image size', good([dense(CNN)], { input: { ...FASHION_INPUT, height: 32, width: 32 } }), /cnn-dense\.onnx: .*shape \[batch, 1, 28, 28\].*gives \[N, 1, 32, 32\]/);
  manifestCase('an output wider than the classes', good([dense(CNN)]), /cnn-dense\.onnx: output 'logits' has 10 values per image \(shape \[batch, 10\]\); the dataset has 11 classes/, 'fm11');
  cases.push(['a model that outputs NaN', () => ['models', 'import', '--dataset', 'fm', '--manifest', writeManifest(dir, 'nan.json', good([dense(CNN), { file: path.join(dir, 'nan.onnx'), variant: 'broken', method: 'other', seed: 2 }]))], /nan\.onnx: it outputs NaN \(image 0\)/]);
  manifestCase('logits declared as probabilities', good([dense(CNN)], { output: 'probabilities' }), /cnn-dense\.onnx: output 'probabilities' (holds|sums to)/);
  manifestCase('two models with the same variant and seed', good([dense(CNN), dense(CNN_PRUNED)]), /same-variant-and-seed\.json: models\[1\] and models\[0\] are both variant 'dense' with seed 1/);
  manifestCase('no dense model', good([{ file: CNN_PRUNED, variant: 'magnitude-0.9', method: 'magnitude', target_sparsity: 0.9, seed: 1 }]), /no-dense-model\.json: no dense model/);
  manifestCase('a dataset with no test split', good([dense(CNN)]), /dataset 'trainonly' has no test split/, 'trainonly');
  manifestCase('an unknown dataset', good([dense(CNN)]), /no dataset named 'nope'/, 'nope');
  cases.push(['a bad batch size', () => ['models', 'import', '--dataset', 'fm', '--manifest', path.join(MODEL_FIXTURES, 'cnn.manifest.json'), '--batch-size', '0'], /--batch-size must be a positive integer, not '0'/]);
  cases.push(['nothing to resume', () => ['models', 'import', '--resume'], /nothing to resume: every evaluated experiment is complete/]);

  // late-nan.onnx (make_late_nan_model.py) passes the 8-image probe and outputs NaN on image 14.
  // The dense CNN before it finishes first and must not be stored either. The run has begun,
  // so the models' description and progress lines come first; the refusal is the one last line.
  it('a model that outputs NaN only after the probed images', async () => {
    const manifest = writeManifest(dir, 'late-nan.json', good([dense(CNN), { file: path.join(MODEL_FIXTURES, 'late-nan.onnx'), variant: 'late', method: 'other', seed: 2 }]));
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'fm', '--workers', '1', '--batch-size', '4', '--manifest', manifest]);
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/late-nan\.onnx: it outputs NaN \(image 14\)$/);
    expect(lines.filter((l) => /outputs NaN|failed/.test(l))).toHaveLength(1);
    expect(result.stderr).toMatch(/dense seed 1: top-1/); // the first model did finish before the failure
    expect(result.code).toBe(1);
    expect(dbSnapshot(db)).toBe(before);
  }, 120_000);

  it.each(cases.map(([what, args, expected]) => ({ what, args, expected })))('$what', async ({ args, expected }) => {
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, ...args()]);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(dbSnapshot(db)).toBe(before);
  }, 60_000);
});
