import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWeights } from '../../src-main/core/training/weights-io.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

const TRAIN = 600;
const TEST = 200;

async function datasetDb(dir: string, name: string, source: string): Promise<string> {
  const db = path.join(dir, name);
  const add = await runCli(['--db', db, 'datasets', 'add', 'mnist', '--name', 'toy', '--from', source]);
  expect(add.code, add.stderr).toBe(0);
  return db;
}

interface ModelRow {
  id: number;
  variant: string;
  method: string;
  target_sparsity: number;
  measured_sparsity: number | null;
  seed: number;
  status: string;
  top1: number | null;
  backend: string | null;
  weights_path: string | null;
}

function models(db: string): ModelRow[] {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[];
  } finally {
    handle.close();
  }
}

/** Every prediction keyed by (variant, seed, image): comparable across databases. */
function predictionMap(db: string): Map<string, string> {
  const handle = new Database(db, { readonly: true });
  try {
    const rows = handle
      .prepare('SELECT m.variant, m.seed, p.image_index, p.predicted_label, p.predicted_probability, p.true_label_probability FROM predictions p JOIN models m ON m.id = p.model_id')
      .all() as { variant: string; seed: number; image_index: number; predicted_label: number; predicted_probability: number; true_label_probability: number }[];
    return new Map(rows.map((r) => [`${r.variant}/${r.seed}/${r.image_index}`, `${r.predicted_label}/${r.predicted_probability}/${r.true_label_probability}`]));
  } finally {
    handle.close();
  }
}

describe('pie-audit train (small learnable data made here, WASM backend)', () => {
  const dir = tempDir();
  const source = path.join(dir, 'toy');

  beforeAll(() => {
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, TRAIN, TEST);
  });

  it('trains dense, pruned and quantized populations and stores one prediction per model and image', async () => {
    const db = await datasetDb(dir, 'smoke.db', source);
    const result = await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--quantize', 'fp16,int8', '--epochs', '3', '--workers', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: wasm/m);
    expect(result.stdout).toMatch(/experiment 1: 8 models trained in [\d.]+ s on wasm/);
    const rows = models(db);
    expect(rows.map((r) => r.variant).sort()).toEqual(['dense', 'dense', 'fp16', 'fp16', 'int8', 'int8', 'magnitude-0.9', 'magnitude-0.9']);
    for (const r of rows) {
      expect(r.status).toBe('done');
      expect(r.backend).toBe('wasm');
      expect(r.top1 ?? 0).toBeGreaterThan(0.5); // ten classes: chance is 0.1
      expect(fs.existsSync(path.join(r.weights_path ?? '', 'model.json'))).toBe(true);
      expect(fs.existsSync(path.join(r.weights_path ?? '', 'weights.bin'))).toBe(true);
    }
    for (const r of rows.filter((m) => m.method === 'magnitude')) expect(Math.abs((r.measured_sparsity ?? 0) - 0.9)).toBeLessThanOrEqual(0.01);
    for (const r of rows.filter((m) => m.method === 'dense')) expect(r.measured_sparsity).toBe(0);
    // quantized models share the seeds of the dense models they come from
    const denseSeeds = rows.filter((m) => m.method === 'dense').map((m) => m.seed);
    expect(rows.filter((m) => m.method === 'int8').map((m) => m.seed)).toEqual(denseSeeds);

    const handle = new Database(db, { readonly: true });
    const count = handle.prepare('SELECT count(*) FROM predictions').pluck().get();
    const perModel = handle.prepare('SELECT count(*) AS n, count(DISTINCT image_index) AS d, min(image_index) AS lo, max(image_index) AS hi FROM predictions GROUP BY model_id').all();
    handle.close();
    expect(count).toBe(8 * TEST);
    for (const m of perModel) expect(m).toEqual({ n: TEST, d: TEST, lo: 0, hi: TEST - 1 });

    const modelsCsv = path.join(dir, 'models.csv');
    expect((await runCli(['--db', db, 'export', 'models', '--format', 'csv', '--out', modelsCsv])).code).toBe(0);
    const exported = parse(fs.readFileSync(modelsCsv), { columns: true }) as Record<string, string>[];
    expect(Object.keys(exported[0] ?? {})).toEqual(['model_id', 'experiment_id', 'variant', 'method', 'target_sparsity', 'measured_sparsity', 'seed', 'arch', 'backend', 'epochs', 'top1', 'status']);
    expect(exported).toHaveLength(8);
    const predictionsCsv = path.join(dir, 'predictions.csv');
    expect((await runCli(['--db', db, 'export', 'predictions', '--format', 'csv', '--out', predictionsCsv])).code).toBe(0);
    const predictions = parse(fs.readFileSync(predictionsCsv), { columns: true }) as Record<string, string>[];
    expect(predictions).toHaveLength(8 * TEST);
    expect(new Set(predictions.map((p) => `${p.model_id}/${p.image_index}`)).size).toBe(8 * TEST);
    const jsonl = path.join(dir, 'predictions.jsonl');
    expect((await runCli(['--db', db, 'export', 'predictions', '--format', 'jsonl', '--out', jsonl])).code).toBe(0);
    const first = JSON.parse(fs.readFileSync(jsonl, 'utf8').split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['model_id', 'variant', 'target_sparsity', 'seed', 'image_index', 'true_label', 'predicted_label', 'predicted_probability', 'true_label_probability']);
  });

  it('gives the same models for the same seeds, and resumes a run killed with SIGKILL to the same result', async () => {
    const flags = ['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '3', '--sparsities', '0,0.5', '--epochs', '4', '--workers', '1', '--seed', '7'];
    const reference = await datasetDb(dir, 'reference.db', source);
    const whole = await runCli(['--db', reference, ...flags]);
    expect(whole.code, whole.stderr).toBe(0);

    const killed = await datasetDb(dir, 'killed.db', source);
    const child = spawn(process.execPath, [BIN, '--db', killed, ...flags], { cwd: ROOT, stdio: 'ignore' });
    // Kill once at least one model is committed and another is still training.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        try {
          const rows = models(killed);
          if (rows.some((r) => r.status === 'done') && rows.some((r) => r.status === 'running')) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolve();
          }
        } catch {
          // the database may be mid-creation; poll again
        }
      }, 50);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('the run finished before it could be killed'));
      });
    });
    await new Promise((resolve) => child.on('exit', resolve));
    const interrupted = models(killed);
    const doneBefore = interrupted.filter((r) => r.status === 'done').map((r) => r.id);
    expect(doneBefore.length).toBeGreaterThan(0);
    expect(doneBefore.length).toBeLessThan(6);
    const handle = new Database(killed, { readonly: true });
    const partial = handle.prepare("SELECT count(*) FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.status <> 'done'").pluck().get();
    handle.close();
    expect(partial).toBe(0); // nothing half-written

    const resumed = await runCli(['--db', killed, 'train', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = models(killed);
    expect(after.every((r) => r.status === 'done')).toBe(true);
    expect(after).toHaveLength(6);

    const a = predictionMap(reference);
    const b = predictionMap(killed);
    expect(b.size).toBe(6 * TEST);
    expect(b).toEqual(a);
    const again = await runCli(['--db', killed, 'train', '--resume']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/nothing to resume/);
  });

  it('loses nothing when another process opens the database read-write during a run', async () => {
    // Regression: a raw open()/close() of the database file inside the training
    // process dropped its POSIX locks, and an outside connection closing then
    // deleted the live WAL with the run's later commits in it.
    const db = await datasetDb(dir, 'outside.db', source);
    const child = spawn(process.execPath, [BIN, '--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '8', '--epochs', '2', '--workers', '2'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let finished = false;
    void exited.then(() => (finished = true));
    let opened = 0;
    while (!finished) {
      // read-write, in another process, with another SQLite build: as a DB browser would
      await new Promise((resolve) => execFile('sqlite3', [db, 'SELECT count(*) FROM predictions'], resolve));
      opened++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await exited).toBe(0);
    expect(opened).toBeGreaterThan(3);
    const rows = models(db);
    expect(rows.filter((r) => r.status === 'done')).toHaveLength(16);
    const handle = new Database(db, { readonly: true });
    expect(handle.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(16 * TEST);
    handle.close();
  });

  it('trains a CNN population on the WASM backend: conv kernels pruned exactly and int8-quantized per output channel', async () => {
    const db = await datasetDb(dir, 'cnn.db', source);
    const result = await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--arch', 'cnn', '--backend', 'wasm', '--quantize', 'int8', '--epochs', '2', '--workers', '1']);
    expect(result.code, result.stderr).toBe(0);
    const rows = models(db);
    expect(rows.map((r) => r.variant).sort()).toEqual(['dense', 'dense', 'int8', 'int8', 'magnitude-0.9', 'magnitude-0.9']);
    for (const r of rows) expect(r).toMatchObject({ status: 'done', backend: 'wasm' });
    // Learnt something: the toy classes are far apart.
    for (const r of rows.filter((m) => m.method === 'dense')) expect(r.top1 ?? 0).toBeGreaterThan(0.5);
    const weightsOf = (r: ModelRow): Map<string, { shape: number[]; values: Float32Array }> => loadWeights(r.weights_path ?? '').params;
    for (const r of rows.filter((m) => m.method === 'magnitude')) {
      const weights = weightsOf(r);
      for (const name of ['conv1/kernel', 'conv2/kernel', 'dense1/kernel', 'dense2/kernel', 'dense3/kernel']) {
        const values = weights.get(name)?.values ?? new Float32Array();
        expect(values.filter((v) => v === 0).length, `${name} of model ${r.id}`).toBe(Math.round(0.9 * values.length));
      }
    }
    for (const q of rows.filter((m) => m.method === 'int8')) {
      const dense = rows.find((m) => m.method === 'dense' && m.seed === q.seed);
      const source = weightsOf(dense as ModelRow);
      const quantized = weightsOf(q);
      for (const name of ['conv1/kernel', 'conv2/kernel']) {
        const { shape, values: w } = source.get(name) ?? { shape: [], values: new Float32Array() };
        const got = quantized.get(name)?.values ?? new Float32Array();
        const channels = shape.at(-1) ?? 0;
        expect(shape).toHaveLength(4);
        // The expected values, computed here: scale_c = max |w| over output channel c / 127.
        const scales = Array.from({ length: channels }, (_, c) => Math.fround(Math.max(...w.filter((_, i) => i % channels === c).map(Math.abs)) / 127));
        expect(new Set(scales).size, name).toBe(channels);
        for (let i = 0; i < w.length; i++) {
          const scale = scales[i % channels] ?? 0;
          const q = Math.max(-127, Math.min(127, Math.round((w[i] ?? 0) / scale)));
          expect(got[i], `${name}[${i}]`).toBe(Math.fround(q * scale) + 0); // stored int8 has no -0
        }
      }
      expect(quantized.get('conv1/bias')?.values).toEqual(source.get('conv1/bias')?.values);
    }
  });

  it('trains the CNN on the CPU backend too', async () => {
    const db = await datasetDb(dir, 'cnn-cpu.db', source);
    const cnn = await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--arch', 'cnn', '--backend', 'cpu', '--models', '1', '--sparsities', '0', '--train-limit', '300', '--workers', '1']);
    expect(cnn.code, cnn.stderr).toBe(0);
    const rows = models(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'done', backend: 'cpu' });
  });

  it('refuses bad settings with one line and trains nothing', async () => {
    const db = await datasetDb(dir, 'bad.db', source);
    for (const [args, message] of [
      [['--dataset', 'nope'], /no dataset named 'nope'/],
      [['--dataset', 'toy', '--sparsities', '0,1.5'], /--sparsities: '1.5' is not a sparsity in \[0, 1\)/],
      [['--dataset', 'toy', '--preset', 'huge'], /--preset must be one of smoke, quick, paper/],
      [['--dataset', 'toy', '--quantize', 'int4'], /--quantize must be one of fp16, int8/],
      [['--dataset', 'toy', '--backend', 'tfjs-node'], /backend tfjs-node cannot be used here/],
      [['--dataset', 'toy', '--models', 'many'], /--models must be a non-negative integer/],
    ] as const) {
      const result = await runCli(['--db', db, 'train', ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    expect(models(db)).toHaveLength(0);
  });
});
