/**
 * The shift namespace over real HTTP on a real SQLite file: a population trained here
 * (smoke preset on a small learnable dataset) and evaluated under two corruptions.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src-main/core/api/contract.js';
import { corruptImage } from '../../src-main/core/corruptions/index.js';
import { addKnownIdxDataset } from '../../src-main/core/datasets/add.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { evaluateExperiment } from '../../src-main/core/evaluation/evaluate.js';
import { trainPopulation } from '../../src-main/core/population/train.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient } from '../helpers/api-client.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

describe('shift table and an image under each corruption over the HTTP API', () => {
  const dir = tempDir();
  const file = path.join(dir, 'api-shift.db');
  let db: Db;
  let server: RunningServer;
  let experimentId: number;
  const { value } = apiClient(() => server);

  beforeAll(async () => {
    const source = path.join(dir, 'toy');
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 400, 60);
    db = openDatabase(file);
    await addKnownIdxDataset(db, 'mnist', { from: source, name: 'toy' });
    experimentId = (await trainPopulation(db, file, { dataset: 'toy', preset: 'smoke', overrides: { models: 2, epochs: 1 }, workers: 1 })).experimentId;
    await evaluateExperiment(db, { experimentId, corruptions: ['rotate', 'stripe'], severities: [2, 5] });
    server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
  }, 240_000);
  afterAll(async () => {
    await server.close();
    db.close();
  });

  it('shift.get answers the report\'s shift rows with CE, and mCE per variant', async () => {
    const shift = await value<ApiResponse<'shift.get'>>('shift.get', { experimentId });
    expect(shift.rows.map((r) => `${r.eval_set}/${r.variant}`).sort()).toEqual(
      ['rotate:2', 'rotate:5', 'stripe:2', 'stripe:5'].flatMap((s) => [`${s}/dense`, `${s}/magnitude-0.9`]).sort(),
    );
    expect(shift.mce.dense).toBe(1);
    const ce = shift.rows.filter((r) => r.variant === 'magnitude-0.9' && r.ce !== null).map((r) => r.ce as number);
    expect(shift.mce['magnitude-0.9']).toBeCloseTo((ce[0]! + ce[2]!) / 2, 12);
  });

  it('image.shift answers the corrupted image the models saw and every population\'s votes on it', async () => {
    const shift = await value<ApiResponse<'image.shift'>>('image.shift', { experimentId, imageIndex: 7 });
    expect(shift.sets.map((s) => s.evalSet)).toEqual(['rotate:2', 'rotate:5', 'stripe:2', 'stripe:5']);
    const pixels = db
      .prepare('SELECT i.pixels FROM experiment_images ei JOIN images i ON i.id = ei.image_id WHERE ei.experiment_id = ? AND ei.image_index = 7')
      .pluck()
      .get(experimentId) as Buffer;
    for (const set of shift.sets) {
      const png = Buffer.from(set.png.replace(/^data:image\/png;base64,/, ''), 'base64');
      const decoded = await sharp(png).extractChannel(0).raw().toBuffer();
      expect(new Uint8Array(decoded)).toEqual(corruptImage(new Uint8Array(pixels), { width: 28, height: 28, channels: 1 }, set.corruption as 'rotate', set.severity, 7));
      const stored = db
        .prepare(
          `SELECT m.variant, p.predicted_label FROM eval_predictions p JOIN eval_sets s ON s.id = p.eval_set_id JOIN models m ON m.id = p.model_id
           WHERE s.name = ? AND p.image_index = 7`,
        )
        .raw()
        .all(set.evalSet) as [string, number][];
      for (const population of set.populations) {
        const mine = stored.filter(([v]) => v === population.variant).map(([, label]) => label);
        expect(population.models).toBe(mine.length);
        population.votes.forEach((n, c) => expect(n).toBe(mine.filter((label) => label === c).length));
      }
    }
  });
  it('evaluate.start and train.start refuse bad input with one line naming it, and change nothing', async () => {
    const { call } = apiClient(() => server);
    const counts = (): unknown => db.prepare('SELECT (SELECT count(*) FROM experiments) AS e, (SELECT count(*) FROM eval_sets) AS s, (SELECT count(*) FROM eval_runs) AS r').get();
    const before = counts();
    const cases: [string, unknown, RegExp][] = [
      ['evaluate.start', { experimentId, corruptions: ['frost'] }, /evaluate\.start: invalid corruptions\.0/],
      ['evaluate.start', { experimentId, corruptions: ['rotate'], severities: [6] }, /evaluate\.start: invalid severities\.0/],
      ['evaluate.start', { experimentId }, /choose corruptions or another dataset to evaluate on/],
      ['evaluate.start', { experimentId: 99, corruptions: ['rotate'] }, /no experiment 99/],
      ['evaluate.start', { experimentId, onDataset: 'nothing-here' }, /nothing-here/],
      ['train.start', { dataset: 'toy', preset: 'smoke', longTail: 0.5 }, /train\.start: invalid longTail/],
      ['train.start', { dataset: 'toy', preset: 'smoke', longTail: 10, tailOrder: '0,1,2' }, /Tail order must name each of the 10 classes once/],
      ['train.start', { dataset: 'toy', preset: 'smoke', longTail: 10, tailOrder: '0,1,2,3,4,5,6,7,8,cat' }, /Tail order: 'cat' is not a class of the dataset/],
      ['train.start', { dataset: 'toy', preset: 'smoke', tailOrder: '0,1,2,3,4,5,6,7,8,9' }, /Tail order: give a long-tail ratio too/],
    ];
    for (const [method, body, reason] of cases) {
      const r = await call(method, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(String(r.json.error).split('\n'), JSON.stringify(body)).toHaveLength(1);
      expect(r.json.error, JSON.stringify(body)).toMatch(reason);
    }
    expect(counts()).toEqual(before);
    expect(await value('evaluate.status', {})).toEqual({ running: false, experimentId: null });
  });

  it('evaluate.start runs the population on a new set in the background; evaluate.status follows it', async () => {
    const started = await value<ApiResponse<'evaluate.start'>>('evaluate.start', { experimentId, corruptions: ['identity'], severities: [1] });
    expect(started).toEqual({ started: true, experimentId, sets: 1, todo: 4 });
    // no deadline: wait until the run says it has stopped
    await expect.poll(async () => (await value<ApiResponse<'evaluate.status'>>('evaluate.status', {})).running, { timeout: 120_000, interval: 200 }).toBe(false);
    const runs = db.prepare("SELECT count(*) FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id WHERE s.name = 'identity:1'").pluck().get();
    expect(runs).toBe(4);
    // identity predictions equal the clean ones
    const differing = db
      .prepare(
        `SELECT count(*) FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id JOIN predictions p ON p.model_id = e.model_id AND p.image_index = e.image_index
         WHERE s.name = 'identity:1' AND (p.predicted_label <> e.predicted_label OR p.predicted_probability <> e.predicted_probability)`,
      )
      .pluck()
      .get();
    expect(differing).toBe(0);
  }, 180_000);
});
