/**
 * Issue 12: the models namespace of the API in browser mode (the real server over HTTP):
 * inspecting a manifest's models, the refusals, and the file dialog that only Electron has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIdxDataset } from '../../src-main/core/datasets/add.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { MODEL_FIXTURES, writeFashionMnistHead } from '../helpers/models.js';

describe.runIf(runsOnFashionMnist)('models API', () => {
  const dir = tempDir();
  const file = path.join(dir, 'api.db');
  let db: Db;
  let server: RunningServer;
  const { call, value } = apiClient(() => server);

  beforeAll(async () => {
    requireFashionMnist();
    db = openDatabase(file);
    const head = writeFashionMnistHead(dir, 20);
    await addIdxDataset(db, { name: 'fm', images: head.images, labels: head.labels });
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('models.inspect shows each model’s shapes and measured sparsity, writing nothing', async () => {
    const described = await value<{ variant: string; inputShape: string; outputShape: string; outputWidth: number; measuredSparsity: number }[]>('models.inspect', {
      dataset: 'fm',
      manifest: path.join(MODEL_FIXTURES, 'mlp.manifest.json'),
    });
    expect(described.map((d) => [d.variant, d.inputShape, d.outputShape, d.outputWidth])).toEqual([
      ['dense', '[batch, 1, 28, 28]', '[batch, 10]', 10],
      ['magnitude-0.9', '[batch, 1, 28, 28]', '[batch, 10]', 10],
    ]);
    expect(described[1]?.measuredSparsity).toBe(45734 / 50816);
    expect(db.prepare('SELECT count(*) FROM experiments').pluck().get()).toBe(0);
  }, 60_000);

  it.each([
    ['models.inspect', { dataset: 'fm', manifest: path.join(dir, 'none.json') }, /none\.json: cannot read manifest \(no such file\)/],
    ['models.import', { dataset: 'nope', manifest: path.join(MODEL_FIXTURES, 'mlp.manifest.json') }, /no dataset named 'nope'/],
    ['models.chooseManifest', {}, /no file dialog in browser mode/],
    ['models.chooseModelFiles', {}, /no file dialog in browser mode/],
  ])('%s refuses with a one-line reason', async (method, body, expected) => {
    const r = await call(method, body);
    expect(r.status).toBe(400);
    expect(String(r.json.error)).toMatch(expected);
    expect(String(r.json.error)).not.toContain('\n');
  }, 60_000);

  describe('models.writeManifest', () => {
    const input = { layout: 'nchw', channels: 1, height: 28, width: 28, scale: 1 / 255, mean: [0.286], std: [0.353] };
    const models = [
      { file: path.join(MODEL_FIXTURES, 'mlp-dense.onnx'), variant: 'dense', method: 'dense', target_sparsity: 0, seed: 1 },
      { file: path.join(MODEL_FIXTURES, 'mlp-magnitude-0.9.onnx'), variant: 'magnitude-0.9', method: 'magnitude', target_sparsity: 0.9, seed: 101 },
    ];

    it('writes the manifest the form describes, which then imports', async () => {
      const out = path.join(dir, 'written.json');
      const written = await value<{ written: boolean; path: string; text: string }>('models.writeManifest', { out, manifest: { input, output: 'logits', models } });
      expect(written).toMatchObject({ written: true, path: out });
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({ input, output: 'logits', models });
      expect(fs.readFileSync(out, 'utf8')).toBe(written.text);
      const described = await value<{ variant: string; measuredSparsity: number }[]>('models.inspect', { dataset: 'fm', manifest: out });
      expect(described.map((d) => [d.variant, d.measuredSparsity])).toEqual([['dense', 0], ['magnitude-0.9', 45734 / 50816]]);
    }, 60_000);

    it('writes model files inside its folder relative to it', async () => {
      const folder = path.join(dir, 'beside');
      fs.mkdirSync(folder);
      fs.copyFileSync(path.join(MODEL_FIXTURES, 'mlp-dense.onnx'), path.join(folder, 'dense.onnx'));
      const out = path.join(folder, 'manifest.json');
      await value('models.writeManifest', { out, manifest: { input, output: 'logits', models: [{ ...models[0], file: path.join(folder, 'dense.onnx') }] } });
      expect((JSON.parse(fs.readFileSync(out, 'utf8')) as { models: { file: string }[] }).models[0]?.file).toBe('dense.onnx');
    });

    it('refuses with one line per bad field and writes nothing', async () => {
      const out = path.join(dir, 'bad.json');
      const bad = {
        input: { ...input, layout: 'chw', height: 0 },
        output: 'scores',
        models: [{ ...models[0], seed: -1 }, { ...models[1], file: path.join(dir, 'gone.onnx') }],
      };
      const r = await value<{ written: boolean; problems: string[] }>('models.writeManifest', { out, manifest: bad });
      expect(r.written).toBe(false);
      const lines = r.problems;
      expect(lines).toHaveLength(5);
      for (const line of lines) expect(line).not.toContain('\n');
      expect(lines.every((l) => l.startsWith(`${out}: `))).toBe(true);
      for (const field of ['input.layout', 'input.height', 'output', 'models[0].seed', 'models[1].file: ']) expect(lines.some((l) => l.startsWith(`${out}: ${field}`))).toBe(true);
      expect(fs.existsSync(out)).toBe(false);
    });

    it('refuses a manifest without a dense model, and never replaces a file', async () => {
      const out = path.join(dir, 'no-dense.json');
      const r = await value<{ problems: string[] }>('models.writeManifest', { out, manifest: { input, output: 'logits', models: [models[1]] } });
      expect(r.problems).toEqual([expect.stringMatching(/no-dense\.json: .*no dense model/)]);
      expect(fs.existsSync(out)).toBe(false);
      const existing = path.join(dir, 'written.json');
      const before = fs.readFileSync(existing, 'utf8');
      const again = await value<{ problems: string[] }>('models.writeManifest', { out: existing, manifest: { input, output: 'probabilities', models } });
      expect(again.problems).toEqual([expect.stringMatching(/written\.json: already exists/)]);
      expect(fs.readFileSync(existing, 'utf8')).toBe(before);
    });
  });
});
