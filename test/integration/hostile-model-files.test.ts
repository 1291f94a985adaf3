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
import { describe, expect, it } from 'vitest';
import { onnxZeroCount } from '../../src-main/core/models/onnx-weights.js';
import { tempDir } from '../helpers/data.js';
import { MODEL_FIXTURES } from '../helpers/models.js';

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
