import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../src-main/core/api/contract.js';
import { addKnownIdxDataset } from '../../src-main/core/datasets/add.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { tfjsNodeLoads } from '../helpers/backends.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

describe('population runs through the HTTP API, with progress as server-sent events', () => {
  const dir = tempDir();
  const file = path.join(dir, 'api.db');
  let db: Db;
  let server: RunningServer;
  const events: ApiEvent[] = [];
  const waiters: (() => void)[] = [];
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
          for (const wake of waiters.splice(0)) wake();
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

  /** Waits on the event stream (not on time) for an event. */
  async function nextEvent(match: (e: ApiEvent) => boolean, what: string): Promise<ApiEvent> {
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      await new Promise<void>((resolve, reject) => {
        waiters.push(resolve);
        if (stream?.destroyed) reject(new Error(`the event stream closed before ${what}`));
      });
    }
  }

  it('refuses a second run while one is in progress, reports it running, and stops it on cancel', async () => {
    // 1000 epochs: this run ends only when cancelled, so the checks below cannot race its end.
    const r = await call('train.start', { dataset: 'toy', preset: 'smoke', models: 1, sparsities: [0], epochs: 1000 });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const experimentId = (r.json.value as { experimentId: number }).experimentId;
    const busy = await call('train.start', { dataset: 'toy', preset: 'smoke' });
    expect(busy.status).toBe(400);
    expect(busy.json.error).toMatch(/already in progress/);
    expect((await call('train.status', {})).json.value).toEqual({ running: true, experimentId });
    expect((await call('train.cancel', {})).json.value).toEqual({ cancelled: true });
    const finished = await nextEvent((e) => e.type === 'train.finished' && e.experimentId === experimentId, 'the cancelled run finished');
    expect(finished).toMatchObject({ cancelled: true, done: 0 });
    expect((await call('train.status', {})).json.value).toEqual({ running: false, experimentId: null });
  });

  it(`runs a population on the best backend that loads (${tfjsNodeLoads ? 'tfjs-node' : 'WASM'} here), streams progress, and stores every model`, async () => {
    const r = await call('train.start', { dataset: 'toy', preset: 'smoke', models: 2, epochs: 2, quantize: ['int8'] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const experimentId = (r.json.value as { experimentId: number }).experimentId;
    const finished = await nextEvent((e) => e.type === 'train.finished' && e.experimentId === experimentId, 'the run finished');
    expect(finished).toMatchObject({ type: 'train.finished', experimentId, done: 6, failed: 0, cancelled: false });
    // The API picks the best backend that loads: tfjs-node where it installs, WASM otherwise.
    expect(events.find((e) => e.type === 'train.started' && e.experimentId === experimentId)).toMatchObject({ experimentId, backend: tfjsNodeLoads ? 'tfjs-node' : 'wasm' });
    const modelIds = new Set(db.prepare('SELECT id FROM models WHERE experiment_id = ?').pluck().all(experimentId) as number[]);
    const progress = events.filter((e) => e.type === 'train.progress' && modelIds.has(e.modelId));
    expect(progress.length).toBeGreaterThan(4);
    expect(progress[0]).toMatchObject({ epochs: 2 });
    expect(events.filter((e) => e.type === 'train.model-done' && modelIds.has(e.modelId))).toHaveLength(6);
    expect((await call('train.status', {})).json.value).toEqual({ running: false, experimentId: null });
    const done = db.prepare("SELECT count(*) FROM models WHERE experiment_id = ? AND status = 'done'").pluck().get(experimentId);
    expect(done).toBe(6);
    expect(db.prepare('SELECT DISTINCT backend FROM models WHERE experiment_id = ?').pluck().all(experimentId)).toEqual([tfjsNodeLoads ? 'tfjs-node' : 'wasm']);
  });
  it('keeps the worker count with the experiment: Resume without one runs the models one at a time again', async () => {
    const r = await call('train.start', { dataset: 'toy', preset: 'smoke', models: 2, sparsities: [0], epochs: 3, workers: 1 });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const experimentId = (r.json.value as { experimentId: number }).experimentId;
    const config = JSON.parse(db.prepare('SELECT config FROM experiments WHERE id = ?').pluck().get(experimentId) as string) as { workers?: number };
    expect(config.workers).toBe(1);
    const modelIds = new Set(db.prepare('SELECT id FROM models WHERE experiment_id = ?').pluck().all(experimentId) as number[]);
    await nextEvent((e) => e.type === 'train.progress' && modelIds.has(e.modelId), 'the first progress');
    await call('train.cancel', {});
    await nextEvent((e) => e.type === 'train.finished' && e.experimentId === experimentId, 'the cancelled run finished');
    // A page reloaded after the cancel knows no worker count: it sends none.
    const from = events.length;
    const resumed = await call('train.resume', { experimentId });
    expect(resumed.status, JSON.stringify(resumed.json)).toBe(200);
    const finished = await nextEvent((e) => e.type === 'train.finished' && e.experimentId === experimentId && events.indexOf(e) >= from, 'the resumed run finished');
    expect(finished).toMatchObject({ done: 2, failed: 0, cancelled: false });
    // One worker: every progress message of one model comes before the other's first
    // (two workers interleave them, as all cores did before the count was kept).
    const order = events.slice(from).flatMap((e) => (e.type === 'train.progress' && modelIds.has(e.modelId) ? [e.modelId] : []));
    const runs = order.filter((id, i) => i === 0 || order[i - 1] !== id);
    expect(runs).toHaveLength(2);
  });
});
