/**
 * The results, grid, image, label and export API over real HTTP on a real SQLite file,
 * with a population trained here (smoke preset on a small learnable dataset).
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src-main/core/api/contract.js';
import { addKnownIdxDataset } from '../../src-main/core/datasets/add.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { trainPopulation } from '../../src-main/core/population/train.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

describe('results, PIE grid, image, labels and export over the HTTP API', () => {
  const dir = tempDir();
  const file = path.join(dir, 'api.db');
  let db: Db;
  let server: RunningServer;
  let experimentId: number;

  const { call, value, get } = apiClient(() => server);

  const finished: { tensors: number; workerPeakMemory: number }[] = [];

  beforeAll(async () => {
    const source = path.join(dir, 'toy');
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 400, 120);
    db = openDatabase(file);
    await addKnownIdxDataset(db, 'mnist', { from: source, name: 'toy' });
    const outcome = await trainPopulation(db, file, { dataset: 'toy', preset: 'smoke', overrides: { models: 2, epochs: 1, quantize: ['int8'] }, workers: 2 }, (e) => {
      if (e.type === 'model-done') finished.push({ tensors: e.tensors, workerPeakMemory: e.workerPeakMemory });
    });
    experimentId = outcome.experimentId;
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
  });
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('trained in workers that hold no tensors after each model and report their peak memory', () => {
    expect(finished).toHaveLength(6); // 2 dense, 2 pruned, 2 int8
    for (const model of finished) {
      expect(model.tensors).toBe(0);
      // the worker's heap, its normalised copy of the toy data and the WASM backend's memory
      expect(model.workerPeakMemory).toBeGreaterThan(2 ** 20);
      expect(model.workerPeakMemory).toBeLessThan(2 ** 31);
    }
  });

  it('lists experiments with their model counts, and their models', async () => {
    const list = await value<ApiResponse<'experiments.list'>>('experiments.list', {});
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: experimentId, dataset: 'toy', origin: 'trained', preset: 'custom', images: 120, models: { total: 6, done: 6, failed: 0 } });
    expect(list[0]?.variants).toEqual(['dense', 'magnitude-0.9', 'int8']);
    const models = await value<ApiResponse<'experiments.models'>>('experiments.models', { experimentId });
    expect(models).toHaveLength(6);
    expect(models.every((m) => m.status === 'done' && typeof m.top1 === 'number')).toBe(true);
    expect((await call('experiments.models', { experimentId: 999 })).json.error).toBe('no experiment 999');
  });

  it('gives the headline report and the class impact', async () => {
    const report = await value<ApiResponse<'report.get'>>('report.get', { experimentId });
    expect(report.variants.map((v) => v.variant)).toEqual(['dense', 'magnitude-0.9', 'int8']);
    expect(report.classes).toHaveLength(10);
    const newest = await value<ApiResponse<'report.get'>>('report.get', {});
    expect(newest.experiment_id).toBe(experimentId);
    const impact = await value<ApiResponse<'classes.impact'>>('classes.impact', { experimentId });
    expect(impact).toHaveLength(20);
    expect(impact[0]).toMatchObject({ variant: 'magnitude-0.9', class: 0, className: report.classes[0] });
  });

  it('serves every image of a variant as columns, the PIE flag matching the modal labels', async () => {
    const pies = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId });
    expect(pies.variant).toBe('int8');
    expect(pies.variants).toEqual(['magnitude-0.9', 'int8']);
    const sparse = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId, variant: 'magnitude-0.9' });
    expect(sparse.count).toBe(120);
    for (const key of ['imageIndex', 'imageId', 'trueLabel', 'isPie', 'modal', 'denseModal', 'votes', 'selfConfidence'] as const) expect(sparse[key]).toHaveLength(120);
    let pies_ = 0;
    for (let i = 0; i < 120; i++) {
      expect(sparse.isPie[i]).toBe(sparse.modal[i] !== sparse.denseModal[i] ? 1 : 0);
      pies_ += sparse.isPie[i] ?? 0;
    }
    expect(sparse.pies).toBe(pies_);
    expect(sparse.imageId.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    const bad = await call('pies.list', { experimentId, variant: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/no variant 'nope'/);
  });

  it('details one image: the vote histogram of every population and its scores', async () => {
    const detail = await value<ApiResponse<'image.detail'>>('image.detail', { experimentId, imageIndex: 7 });
    expect(detail.images).toBe(120);
    expect(detail.populations.map((p) => p.variant)).toEqual(['dense', 'magnitude-0.9', 'int8']);
    for (const p of detail.populations) {
      expect(p.votes).toHaveLength(10);
      expect(p.votes.reduce((a, b) => a + b, 0)).toBe(2);
      expect(p.models).toBe(2);
      expect(p.votes[p.modal ?? -1]).toBe(Math.max(...p.votes));
    }
    const stored = db.prepare("SELECT self_confidence FROM analysis_images WHERE experiment_id = ? AND variant = 'dense' AND image_index = 7").pluck().get(experimentId);
    expect(detail.populations[0]?.selfConfidence).toBe(stored);
    expect(detail.populations[0]?.isPie).toBeNull();
    expect((await call('image.detail', { experimentId, imageIndex: 120 })).status).toBe(400);
  });

  it('renders thumbnails and full images as PNG by id only', async () => {
    const pies = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId });
    const id = pies.imageId[0] as number;
    const thumb = await get(`/image/${id}.png?size=thumb`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    const thumbPng = Buffer.from(await thumb.arrayBuffer());
    const thumbMeta = await sharp(thumbPng).metadata();
    expect([thumbMeta.width, thumbMeta.height, thumbMeta.channels]).toEqual([28, 28, 1]);
    // Pixel for pixel the stored image.
    const stored = db.prepare('SELECT pixels FROM images WHERE id = ?').pluck().get(id) as Buffer;
    expect(Buffer.compare(await sharp(thumbPng).extractChannel(0).raw().toBuffer(), stored)).toBe(0);
    const full = await get(`/image/${id}.png?size=full`);
    const fullPng = Buffer.from(await full.arrayBuffer());
    const fullMeta = await sharp(fullPng).metadata();
    expect([fullMeta.width, fullMeta.height]).toEqual([280, 280]);
    // Nearest neighbour: every source pixel becomes a 10 x 10 block of the same value.
    const big = await sharp(fullPng).extractChannel(0).raw().toBuffer();
    for (const [x, y] of [[0, 0], [13, 7], [27, 27]] as const) expect(big[(10 * y + 5) * 280 + 10 * x + 5]).toBe(stored[28 * y + x]);
    expect((await get('/image/99999999.png')).status).toBe(404);
    for (const bad of ['/image/../api.db', '/image/1.png?size=huge', '/image/abc.png', '/image/%2e%2e%2fapi.db', '/image/1.png/../../api.db']) {
      const response = await get(bad);
      expect([400, 404], bad).toContain(response.status);
      expect(response.headers.get('content-type'), bad).toMatch(/^application\/json/);
    }
    const anonymous = await fetch(`http://127.0.0.1:${server.port}/image/${id}.png`);
    expect(anonymous.status).toBe(401);
  });

  it('serves the grid its thumbnails in strips: each square of the strip is that image, by id only', async () => {
    const pies = await value<ApiResponse<'pies.list'>>('pies.list', { experimentId });
    const ids = Array.from(pies.imageId.slice(0, 5));
    expect(ids).toHaveLength(5);
    const missing = 99_999_999;
    const strip = await get(`/image/strip.png?ids=${[...ids.slice(0, 2), missing, ...ids.slice(2)].join(',')}`);
    expect(strip.status).toBe(200);
    expect(strip.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await strip.arrayBuffer());
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height]).toEqual([28, 28 * 6]);
    const pixels = await sharp(png).extractChannel(0).raw().toBuffer();
    const tile = (k: number): Buffer => pixels.subarray(k * 28 * 28, (k + 1) * 28 * 28);
    const stored = db.prepare('SELECT pixels FROM images WHERE id = ?').pluck();
    for (const [k, id] of [ids[0], ids[1], undefined, ids[2], ids[3], ids[4]].entries()) {
      if (id === undefined) expect(tile(k).every((v) => v === 0), 'a missing id leaves its square empty').toBe(true);
      else expect(Buffer.compare(tile(k), stored.get(id) as Buffer), `square ${k} is image ${id}`).toBe(0);
    }
    expect((await get(`/image/strip.png?ids=${missing}`)).status).toBe(404);
    const tooMany = Array.from({ length: 257 }, (_, i) => i + 1).join(',');
    for (const bad of ['/image/strip.png', '/image/strip.png?ids=', '/image/strip.png?ids=1,,2', '/image/strip.png?ids=1;2', '/image/strip.png?ids=-1', `/image/strip.png?ids=${tooMany}`, '/image/strip.png?ids=../api.db']) {
      const response = await get(bad);
      expect(response.status, bad).toBe(400);
      expect(response.headers.get('content-type'), bad).toMatch(/^application\/json/);
    }
    expect((await fetch(`http://127.0.0.1:${server.port}/image/strip.png?ids=${ids[0]}`)).status).toBe(401);
  });

  it('saves labels as they are made, undoes to no label, and refuses bad ones', async () => {
    const schema = await value<ApiResponse<'schema.get'>>('schema.get', {});
    expect(schema.map((c) => c.name)).toEqual(['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract']);
    const annotator = await value<ApiResponse<'annotator.get'>>('annotator.get', {});
    expect(annotator.name).toBe(annotator.osUser);
    expect((await value<ApiResponse<'annotator.set'>>('annotator.set', { name: 'Ada' })).name).toBe('Ada');

    const first = await value<ApiResponse<'labels.set'>>('labels.set', { experimentId, imageIndex: 3, categories: ['mislabeled', 'atypical'] });
    expect(first).toMatchObject({ annotator: 'Ada', labeled: 1, label: { imageIndex: 3, categories: ['atypical', 'mislabeled'], note: '' } });
    expect(Number.isNaN(Date.parse(first.label?.labeledAt ?? ''))).toBe(false);
    await value('labels.set', { experimentId, imageIndex: 4, categories: ['none'], note: 'clean' });
    // A note alone keeps the categories.
    const noted = await value<ApiResponse<'labels.set'>>('labels.set', { experimentId, imageIndex: 3, categories: ['atypical', 'mislabeled'], note: 'looks like a 7' });
    expect(noted.label?.note).toBe('looks like a 7');
    // Durable at once: another connection sees it. `none` is stored as [] (as study labels are).
    const other = openDatabase(file, { readonly: true });
    expect(other.prepare('SELECT categories FROM labels WHERE image_index = 3 AND study_id IS NULL').pluck().get()).toBe('["atypical","mislabeled"]');
    expect(other.prepare('SELECT categories FROM labels WHERE image_index = 4 AND study_id IS NULL').pluck().get()).toBe('[]');
    other.close();

    const listed = await value<ApiResponse<'labels.list'>>('labels.list', { experimentId });
    expect(listed.annotator).toBe('Ada');
    expect(listed.images).toBe(120);
    expect(listed.labels.map((l) => [l.imageIndex, l.categories])).toEqual([
      [3, ['atypical', 'mislabeled']],
      [4, ['none']],
    ]);
    // Undo to "never labeled": no category and no note deletes the label.
    const undone = await value<ApiResponse<'labels.set'>>('labels.set', { experimentId, imageIndex: 4, categories: [], note: '' });
    expect(undone.label).toBeNull();
    expect(undone.labeled).toBe(1);
    expect((await value<ApiResponse<'labels.get'>>('labels.get', { experimentId, imageIndex: 4 })).label).toBeNull();
    // Someone else's labels are their own.
    expect((await value<ApiResponse<'labels.list'>>('labels.list', { experimentId, annotator: 'Grace' })).labels).toEqual([]);

    for (const [body, reason] of [
      [{ experimentId, imageIndex: 3, categories: ['sparkly'] }, /unknown label category 'sparkly'/],
      [{ experimentId, imageIndex: 3, categories: ['none', 'noisy'] }, /cannot be combined/],
      [{ experimentId, imageIndex: 500, categories: ['noisy'] }, /image 500 is not in experiment/],
      [{ experimentId: 77, imageIndex: 1, categories: ['noisy'] }, /no experiment 77/],
      [{ experimentId, imageIndex: 3, categories: ['noisy'], annotator: 'a\u0007b' }, /annotator name/],
      [{ experimentId, imageIndex: -1, categories: [] }, /invalid imageIndex/],
      [{ experimentId, imageIndex: 9, categories: [], note: 'just a note' }, /a note needs a label/],
    ] as const) {
      const r = await call('labels.set', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(String(r.json.error)).toMatch(reason);
      expect(String(r.json.error)).not.toContain('\n');
    }
  });

  it('exports every table as a download with the contract columns', async () => {
    const offer = await value<ApiResponse<'export.file'>>('export.file', { experimentId, table: 'labels', format: 'csv' });
    expect(offer).toEqual({ outcome: 'download', url: `/download/export?table=labels&format=csv&experimentId=${experimentId}`, fileName: `pie-audit-toy-e${experimentId}-labels.csv` });
    if (offer.outcome !== 'download') return;
    const response = await get(offer.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`attachment; filename="pie-audit-toy-e${experimentId}-labels.csv"`);
    const rows = csvRows(await response.text());
    expect(rows).toEqual([
      {
        study_id: '',
        annotator: 'Ada',
        dataset: 'toy',
        image_index: '3',
        true_label: expect.any(String),
        is_pie: expect.stringMatching(/^[01]$/),
        categories: 'atypical;mislabeled',
        note: 'looks like a 7',
        labeled_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        study_fingerprint: '',
        true_class_name: expect.any(String),
      },
    ]);
    const pies = await get('/download/export?table=pies&format=jsonl');
    expect(pies.status).toBe(200);
    const lines = (await pies.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(240);
    expect(Object.keys(lines[0] ?? {}).slice(0, 12)).toEqual(['pruning_fraction', 'variant', 'image_index', 'true_class_label', 'variant_modal_label', 'variant_number_observ', 'baseline_modal_label', 'baseline_number_observ', 'variant_agreement', 'baseline_agreement', 'tie', 'is_pie']);
    const predictions = await get(`/download/export?table=predictions&format=json&experimentId=${experimentId}`);
    expect((JSON.parse(await predictions.text()) as unknown[]).length).toBe(6 * 120);
    for (const table of ['class-impact', 'models']) expect((await get(`/download/export?table=${table}&format=csv`)).status).toBe(200);
    const bad = await get('/download/export?table=secrets&format=csv');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/invalid table/);
    expect((await get('/download/export?table=models&format=csv&experimentId=42')).status).toBe(400);
  });

  it('reports no run in progress', async () => {
    expect(await value('train.status', {})).toEqual({ running: false, experimentId: null });
  });
});
