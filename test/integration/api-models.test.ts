/**
 * Issue 12: the models namespace of the API in browser mode (the real server over HTTP):
 * inspecting a manifest's models, the refusals, and the file dialog that only Electron has.
 */
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
  ])('%s refuses with a one-line reason', async (method, body, expected) => {
    const r = await call(method, body);
    expect(r.status).toBe(400);
    expect(String(r.json.error)).toMatch(expected);
    expect(String(r.json.error)).not.toContain('\n');
  }, 60_000);
});
