/**
 * Issue 17, item 2 (model files): an ONNX model whose weights live in external data is
 * read only from its own folder. A location leading out of it ('..', an absolute path, a
 * symlink) or a byte range past the file's end is refused with a line naming the model,
 * never read. The models are the committed CNN fixture with its first weight matrix
 * moved to external data.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { onnxZeroCount } from '../../src-main/core/models/onnx-weights.js';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { FASHION_INPUT, MODEL_FIXTURES, writeFashionMnistHead, writeManifest } from '../helpers/models.js';

const { onnx } = onnxProto;

/** The CNN fixture with its first rank-2+ initializer's bytes moved to `location` (written to `dataFile`). */
function withExternalWeights(dir: string, location: string, dataFile: string, declaredLength?: number): string {
  const model = onnx.ModelProto.decode(fs.readFileSync(path.join(MODEL_FIXTURES, 'cnn-dense.onnx')));
  const tensor = (model.graph?.initializer ?? []).find((t) => (t.dims?.length ?? 0) >= 2 && t.rawData && t.rawData.length > 0);
  if (!tensor?.rawData) throw new Error('fixture has no raw weight matrix');
  fs.writeFileSync(dataFile, tensor.rawData);
  const length = declaredLength ?? tensor.rawData.length;
  tensor.rawData = new Uint8Array(0);
  tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  tensor.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(length) },
  ];
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

describe('ONNX external data', () => {
  it('reads weights kept beside the model, with the same zero count as inline', () => {
    const dir = tempDir();
    const inline = onnxZeroCount(path.join(MODEL_FIXTURES, 'cnn-dense.onnx'));
    const file = withExternalWeights(dir, 'weights.bin', path.join(dir, 'weights.bin'));
    expect(onnxZeroCount(file)).toEqual(inline);
  });

  it('refuses a location outside the model folder: parent path, absolute path, symlink', () => {
    const root = tempDir();
    const modelDir = path.join(root, 'model');
    fs.mkdirSync(modelDir);
    const secret = path.join(root, 'secret.bin');
    const viaParent = withExternalWeights(modelDir, '../secret.bin', secret);
    expect(() => onnxZeroCount(viaParent)).toThrow(/model\.onnx: tensor '.*' has its data in '\.\.\/secret\.bin', outside the model's folder; refused/);
    const viaAbsolute = withExternalWeights(modelDir, secret, secret);
    expect(() => onnxZeroCount(viaAbsolute)).toThrow(/outside the model's folder; refused/);
    fs.symlinkSync(secret, path.join(modelDir, 'link.bin'));
    const viaLink = withExternalWeights(modelDir, 'link.bin', secret);
    expect(() => onnxZeroCount(viaLink)).toThrow(/has its data in 'link\.bin', outside the model's folder; refused/);
  });

  it('refuses a missing data file and a byte range past its end', () => {
    const dir = tempDir();
    const missing = withExternalWeights(dir, 'gone.bin', path.join(dir, 'written-elsewhere.bin'));
    expect(() => onnxZeroCount(missing)).toThrow(/has its data in 'gone\.bin', which cannot be read \(ENOENT\)/);
    const huge = withExternalWeights(dir, 'weights.bin', path.join(dir, 'weights.bin'), 2 ** 40);
    expect(() => onnxZeroCount(huge)).toThrow(/declares bytes 0\.\.1099511627776 of 'weights\.bin', which holds \d+/);
  });
});

/**
 * Issue 17, item 2 (model files, continued): files that declare enormous shapes, a
 * symlink out of the manifest's folder, empty files and huge files that are not models.
 * Each is refused in one line naming the file, exit 1, database byte-identical, and
 * opening it keeps the process's peak memory low (nothing of the declared size is read
 * or allocated). The hostile models are written here with onnx-proto.
 */
describe.runIf(runsOnFashionMnist)('hostile model files through models import', () => {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const dir = tempDir();
  const db = path.join(dir, 'db.sqlite');
  const cases: { what: string; file: string; expected: RegExp; manifestDir?: string; format?: 'onnx' | 'tfjs' }[] = [];

  /** A one-node ONNX model: input x [N, inputDim] -> y [N, outputDim], with `weights` as initializers. */
  const onnxModel = (file: string, node: onnxProto.onnx.INodeProto, inputDim: number, outputDim: number, weights: onnxProto.onnx.ITensorProto[]): string => {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'hostile',
        node: [node],
        input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: inputDim }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: outputDim }] } } } }],
        initializer: weights,
      },
    });
    fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
    return file;
  };
  const matmul = { opType: 'MatMul', input: ['x', 'w'], output: ['y'] };
  /** A TF.js graph model.json (no topology worth running) whose weights manifest says `weights` and lists `paths`. */
  const tfjsModel = (folder: string, paths: string[], shape: number[]): string => {
    fs.mkdirSync(folder, { recursive: true });
    const file = path.join(folder, 'model.json');
    fs.writeFileSync(file, JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [{ paths, weights: [{ name: 'w', shape, dtype: 'float32' }] }] }));
    return file;
  };

  const H = 100_000;
  cases.push({
    what: 'an ONNX weight declared 100,000 x 100,000 floats (40 GB) holding 16 bytes',
    file: onnxModel(path.join(dir, 'enormous-weight.onnx'), matmul, H, H, [{ name: 'w', dataType: FLOAT, dims: [H, H], rawData: new Uint8Array(16) }]),
    expected: /enormous-weight\.onnx: not a readable ONNX model \(.*declares a size of 40000000000 bytes/,
  });
  cases.push({
    what: 'an ONNX weight declared 100,000 x 100,000 floats with no data',
    file: onnxModel(path.join(dir, 'enormous-empty.onnx'), matmul, H, H, [{ name: 'w', dataType: FLOAT, dims: [H, H] }]),
    expected: /enormous-empty\.onnx: not a readable ONNX model \(.*declares a size of 40000000000 bytes/,
  });
  cases.push({
    what: 'an ONNX input dimension of 2^31',
    file: onnxModel(path.join(dir, 'enormous-input.onnx'), { opType: 'ReduceMean', input: ['x'], output: ['y'], attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1] }] }, 2 ** 31, 1, []),
    expected: /enormous-input\.onnx: input 'x' does not match the manifest: the model's input has shape \[N, 2147483648\]/,
  });
  const linked = path.join(dir, 'linked');
  fs.mkdirSync(linked);
  fs.symlinkSync(path.join(MODEL_FIXTURES, 'cnn-dense.onnx'), path.join(linked, 'model.onnx'));
  cases.push({ what: 'a model file that is a symlink out of the manifest folder', file: path.join(linked, 'model.onnx'), manifestDir: linked, expected: /linked\/model\.onnx: a symlink leading outside the manifest's folder \(to .*cnn-dense\.onnx\); refused/ });
  fs.writeFileSync(path.join(dir, 'empty.onnx'), '');
  cases.push({ what: 'a 0-byte .onnx file', file: path.join(dir, 'empty.onnx'), expected: /empty\.onnx: empty file \(0 bytes\), not a model$/ });
  fs.mkdirSync(path.join(dir, 'empty-tfjs'));
  fs.writeFileSync(path.join(dir, 'empty-tfjs', 'model.json'), '');
  cases.push({ what: 'a 0-byte model.json', file: path.join(dir, 'empty-tfjs', 'model.json'), format: 'tfjs', expected: /empty-tfjs\/model\.json: empty file \(0 bytes\), not a model$/ });
  // sparse files: their size is declared, their disk blocks are not written
  fs.writeFileSync(path.join(dir, 'zeros.onnx'), '');
  fs.truncateSync(path.join(dir, 'zeros.onnx'), 2 ** 30);
  cases.push({ what: 'a 1 GiB file of zeros named .onnx', file: path.join(dir, 'zeros.onnx'), expected: /zeros\.onnx: not an ONNX model \(it starts with bytes 00 00 00 00\)$/ });
  fs.writeFileSync(path.join(dir, 'huge.onnx'), '');
  fs.truncateSync(path.join(dir, 'huge.onnx'), 3 * 2 ** 30);
  cases.push({ what: 'a 3 GiB file named .onnx', file: path.join(dir, 'huge.onnx'), expected: /huge\.onnx: 3221225472 bytes, over the 2 GiB an ONNX file can hold; not read/ });
  fs.mkdirSync(path.join(dir, 'huge-json'));
  fs.writeFileSync(path.join(dir, 'huge-json', 'model.json'), '');
  fs.truncateSync(path.join(dir, 'huge-json', 'model.json'), 2 ** 30);
  cases.push({ what: 'a 1 GiB model.json', file: path.join(dir, 'huge-json', 'model.json'), format: 'tfjs', expected: /huge-json\/model\.json: 1073741824 bytes, over the 64 MiB a TensorFlow.js model.json holds; not read/ });
  fs.writeFileSync(path.join(dir, 'secret.bin'), new Uint8Array(16));
  cases.push({ what: 'TF.js weights outside the model folder', file: tfjsModel(path.join(dir, 'tfjs-out'), ['../secret.bin'], [2, 2]), format: 'tfjs', expected: /tfjs-out\/model\.json: weight file '\.\.\/secret\.bin' is outside the model's folder; refused/ });
  const big = tfjsModel(path.join(dir, 'tfjs-big'), ['weights.bin'], [H, H]);
  fs.writeFileSync(path.join(dir, 'tfjs-big', 'weights.bin'), new Uint8Array(16));
  cases.push({ what: 'TF.js weights declared 100,000 x 100,000 holding 16 bytes', file: big, format: 'tfjs', expected: /tfjs-big\/model\.json: weight files hold 16 bytes, the manifest's weights need 40000000000/ });

  beforeAll(async () => {
    requireFashionMnist();
    const head = writeFashionMnistHead(dir, 20);
    const added = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'fm', '--images', head.images, '--labels', head.labels]);
    expect(added.code).toBe(0);
  }, 60_000);

  it.each(cases)('$what', async ({ file, expected, manifestDir, format }) => {
    const input = format === 'tfjs' ? { ...FASHION_INPUT, layout: 'flat' } : FASHION_INPUT;
    const listed = manifestDir ? path.relative(manifestDir, file) : file;
    const manifest = writeManifest(manifestDir ?? dir, `${path.basename(path.dirname(file))}-${path.basename(file)}.manifest.json`, {
      input,
      output: 'logits',
      models: [{ file: listed, variant: 'dense', method: 'dense', seed: 1 }],
    });
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'models', 'import', '--dataset', 'fm', '--manifest', manifest]);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(expected);
    expect(result.code).toBe(1);
    expect(dbSnapshot(db)).toBe(before);
  }, 60_000);

  it('opens none of them with more than 100 MB of new peak memory', async () => {
    const { openModel } = await import('../../src-main/core/models/open-model.js');
    const input = { layout: 'nchw' as const, channels: 1 as const, height: 28, width: 28, scale: 1 / 255, mean: [0], std: [1] };
    // one model loaded first, so ONNX Runtime's and TF.js's own start-up are not counted
    await (await openModel({ file: path.join(MODEL_FIXTURES, 'mlp-dense.onnx'), format: 'onnx' }, input)).dispose();
    const peakBefore = process.resourceUsage().maxRSS;
    for (const c of cases) {
      if (c.manifestDir) continue; // a symlink is refused by the import, not by opening
      await expect(openModel({ file: c.file, format: c.format ?? 'onnx' }, input)).rejects.toThrow(/./);
    }
    const grownKb = process.resourceUsage().maxRSS - peakBefore;
    expect(grownKb).toBeLessThan(100_000);
  }, 60_000);
});
