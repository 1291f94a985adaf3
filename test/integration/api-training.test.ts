import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import { addKnownIdxDataset } from '../../src-main/core/datasets/add.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

describe('population runs through the HTTP API, with progress as server-sent events', () => {
  const dir = tempDir();
  const file = path.join(dir, 'api.db');
  let db: Db;
  let server: RunningServer;
  const events: ApiEvent[] = [];
  let stream: http.ClientRequest | undefined;

  const { call } = apiClient(() => server);

  beforeAll(async () => {
    const source = path.join(dir, 'toy');
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 400, 100);
    db = openDatabase(file);
    await addKnownIdxDataset(db, 'mnist', { from: source, name: 'toy' });
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
    await new Promise<void>((resolve) => {
      stream = http.get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: { Authorization: `Bearer ${server.token}` } }, (res) => {
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const parts = buffer.split('\n\n');
          buffer = parts.pop() ?? '';
          for (const part of parts) if (part.startsWith('data: ')) events.push(JSON.parse(part.slice(6)) as ApiEvent);
        });
        resolve();
      });
    });
  });
  afterAll(async () => {
    stream?.destroy();
    await server.close();
    db.close();
  });

  it('refuses a run on an unknown dataset with the reason', async () => {
    const r = await call('train.start', { dataset: 'nope', preset: 'smoke' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/no dataset named 'nope'/);
  });

  it('runs a population, streams progress, refuses a second run meanwhile, and stores every model', async () => {
    const r = await call('train.start', { dataset: 'toy', preset: 'smoke', models: 2, epochs: 2, quantize: ['int8'] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const experimentId = (r.json.value as { experimentId: number }).experimentId;
    const busy = await call('train.start', { dataset: 'toy', preset: 'smoke' });
    expect(busy.status).toBe(400);
    expect(busy.json.error).toMatch(/already in progress/);
    expect((await call('train.status', {})).json.value).toEqual({ running: true, experimentId });
    const deadline = Date.now() + 120_000;
    while (!events.some((e) => e.type === 'train.finished') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const finished = events.find((e) => e.type === 'train.finished');
    expect(finished).toMatchObject({ type: 'train.finished', experimentId, done: 6, failed: 0, cancelled: false });
    expect(events.find((e) => e.type === 'train.started')).toMatchObject({ experimentId, backend: 'wasm' });
    const progress = events.filter((e) => e.type === 'train.progress');
    expect(progress.length).toBeGreaterThan(4);
    expect(progress[0]).toMatchObject({ epochs: 2 });
    expect(events.filter((e) => e.type === 'train.model-done')).toHaveLength(6);
    expect((await call('train.status', {})).json.value).toEqual({ running: false, experimentId: null });
    const done = db.prepare("SELECT count(*) FROM models WHERE experiment_id = ? AND status = 'done'").pluck().get(experimentId);
    expect(done).toBe(6);
  });
});
