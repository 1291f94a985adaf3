import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { csvRows } from '../helpers/csv-rows.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWeights } from '../../src-main/core/training/weights-io.js';
import { selectBackend } from '../../src-main/core/training/backend.js';
import { loadSplit, normalise, normalisationOf } from '../../src-main/core/training/data.js';
import { trainModel } from '../../src-main/core/training/trainer.js';
import { openDatabase } from '../../src-main/core/db/database.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tfjsNodeLoads } from '../helpers/backends.js';
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

function models(db: string, experimentId?: number): ModelRow[] {
  const handle = new Database(db, { readonly: true });
  try {
    if (experimentId !== undefined) return handle.prepare('SELECT * FROM models WHERE experiment_id = ? ORDER BY id').all(experimentId) as ModelRow[];
    return handle.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[];
  } finally {
    handle.close();
  }
}

/** Every prediction of an experiment keyed by (variant, seed, image): comparable across databases. */
function predictionMap(db: string, experimentId = 1): Map<string, string> {
  const handle = new Database(db, { readonly: true });
  try {
    const rows = handle
      .prepare('SELECT m.variant, m.seed, p.image_index, p.predicted_label, p.predicted_probability, p.true_label_probability FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.experiment_id = ?')
      .all(experimentId) as { variant: string; seed: number; image_index: number; predicted_label: number; predicted_probability: number; true_label_probability: number }[];
    return new Map(rows.map((r) => [`${r.variant}/${r.seed}/${r.image_index}`, `${r.predicted_label}/${r.predicted_probability}/${r.true_label_probability}`]));
  } finally {
    handle.close();
  }
}

/** pie-audit train in a child process that kills itself at a stop point (src-main/core/stop-points.ts). */
function trainUntilStop(args: string[], stopAt: string): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, PIE_AUDIT_TEST_STOP_AT: stopAt }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ signal, stderr }));
  });
}

/** Predictions stored for models that are not 'done': must be none after any kill. */
function orphanPredictions(db: string): number {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare("SELECT count(*) FROM predictions p JOIN models m ON m.id = p.model_id WHERE m.status <> 'done'").pluck().get() as number;
  } finally {
    handle.close();
  }
}

describe('pie-audit train (small learnable data made here; each test names the backend it asks for)', () => {
  const dir = tempDir();
  const source = path.join(dir, 'toy');

  beforeAll(() => {
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, TRAIN, TEST);
  });

  it('trains dense, pruned and quantized populations on WASM and stores one prediction per model and image', async () => {
    const db = await datasetDb(dir, 'smoke.db', source);
    const result = await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--quantize', 'fp16,int8', '--epochs', '3', '--workers', '2', '--backend', 'wasm']);
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
    const exported = csvRows(fs.readFileSync(modelsCsv));
    expect(Object.keys(exported[0] ?? {})).toEqual(['model_id', 'experiment_id', 'variant', 'method', 'target_sparsity', 'measured_sparsity', 'seed', 'arch', 'backend', 'epochs', 'top1', 'status']);
    expect(exported).toHaveLength(8);
    const predictionsCsv = path.join(dir, 'predictions.csv');
    expect((await runCli(['--db', db, 'export', 'predictions', '--format', 'csv', '--out', predictionsCsv])).code).toBe(0);
    const predictions = csvRows(fs.readFileSync(predictionsCsv));
    expect(predictions).toHaveLength(8 * TEST);
    expect(new Set(predictions.map((p) => `${p.model_id}/${p.image_index}`)).size).toBe(8 * TEST);
    const jsonl = path.join(dir, 'predictions.jsonl');
    expect((await runCli(['--db', db, 'export', 'predictions', '--format', 'jsonl', '--out', jsonl])).code).toBe(0);
    const first = JSON.parse(fs.readFileSync(jsonl, 'utf8').split('\n')[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['model_id', 'variant', 'target_sparsity', 'seed', 'image_index', 'true_label', 'predicted_label', 'predicted_probability', 'true_label_probability', 'eval_set', 'true_class_name']);
  });

  it('gives the same models for the same seeds, and resumes a run killed inside a model\'s write transaction to the same result (WASM, one worker)', async () => {
    const flags = ['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '3', '--sparsities', '0,0.5', '--epochs', '4', '--workers', '1', '--seed', '7', '--backend', 'wasm'];
    const reference = await datasetDb(dir, 'reference.db', source);
    const whole = await runCli(['--db', reference, ...flags]);
    expect(whole.code, whole.stderr).toBe(0);

    const killed = await datasetDb(dir, 'killed.db', source);
    // Dies inside the third model's transaction: its predictions are written, not committed.
    const stopped = await trainUntilStop(['--db', killed, ...flags], 'train-commit:3');
    expect(stopped.signal, stopped.stderr).toBe('SIGKILL');
    const interrupted = models(killed);
    expect(interrupted.filter((r) => r.status === 'done')).toHaveLength(2);
    expect(interrupted.filter((r) => r.status === 'running')).toHaveLength(1);
    expect(orphanPredictions(killed)).toBe(0); // nothing half-written

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

  it('resumes the run named by --experiment with two workers, rebuilding int8 models from their stored dense weights (WASM)', async () => {
    const flags = ['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--sparsities', '0', '--quantize', 'int8', '--epochs', '3', '--workers', '2', '--seed', '11', '--backend', 'wasm'];
    const reference = await datasetDb(dir, 'int8-reference.db', source);
    const whole = await runCli(['--db', reference, ...flags]);
    expect(whole.code, whole.stderr).toBe(0);

    const db = await datasetDb(dir, 'int8-killed.db', source);
    // Run 1 dies inside its second commit: one dense model is stored, at least one int8 copy is not.
    const first = await trainUntilStop(['--db', db, ...flags], 'train-commit:2');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const run1 = models(db, 1);
    const denseDone = run1.filter((r) => r.method === 'dense' && r.status === 'done');
    expect(run1.filter((r) => r.status === 'done')).toHaveLength(1);
    expect(denseDone).toHaveLength(1);
    expect(run1.find((r) => r.method === 'int8' && r.seed === denseDone[0]?.seed)?.status).not.toBe('done');
    // Run 2 (newer) dies inside its first commit: nothing of it is done.
    const second = await trainUntilStop(['--db', db, ...flags], 'train-commit:1');
    expect(second.signal, second.stderr).toBe('SIGKILL');
    expect(models(db, 2).filter((r) => r.status === 'done')).toHaveLength(0);
    expect(orphanPredictions(db)).toBe(0);

    const resumed = await runCli(['--db', db, 'train', '--resume', '--experiment', '1']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(models(db, 1).map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(models(db, 2).some((r) => r.status === 'done')).toBe(false); // the other run is left as it was
    expect(predictionMap(db, 1)).toEqual(predictionMap(reference, 1));

    const newest = await runCli(['--db', db, 'train', '--resume']);
    expect(newest.code, newest.stderr).toBe(0);
    expect(predictionMap(db, 2)).toEqual(predictionMap(reference, 1));
  }, 600_000); // four runs and two resumes: waits on their exits, which take minutes on a loaded machine

  it('loses nothing when another process opens the database read-write after each commit of a run (WASM)', async () => {
    // Regression: a raw open()/close() of the database file inside the training
    // process dropped its POSIX locks, and an outside connection closing then
    // deleted the live WAL with the run's later commits in it.
    const db = await datasetDb(dir, 'outside.db', source);
    const child = spawn(process.execPath, [BIN, '--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '8', '--epochs', '2', '--workers', '2', '--backend', 'wasm'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Each model's progress line (written after its commit) triggers one outside open,
    // read-write, in another process, with another SQLite build: as a DB browser would.
    let opens = Promise.resolve();
    let opened = 0;
    let pending = '';
    child.stderr.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const commits = lines.filter((l) => /: top-1 [\d.]+, sparsity/.test(l)).length;
      for (let i = 0; i < commits; i++) {
        opens = opens.then(() => new Promise<void>((resolve) => execFile('sqlite3', [db, 'SELECT count(*) FROM predictions'], () => resolve())).then(() => void opened++));
      }
    });
    expect(await exited).toBe(0);
    await opens;
    expect(opened).toBe(16);
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

  it('stores the CNN recipe (Adam 2e-3, cosine decay) with the experiment, and a resume trains with it (WASM, one worker)', async () => {
    const flags = ['train', '--dataset', 'toy', '--preset', 'smoke', '--arch', 'cnn', '--models', '2', '--sparsities', '0', '--epochs', '2', '--train-limit', '300', '--workers', '1', '--seed', '5', '--backend', 'wasm'];
    const reference = await datasetDb(dir, 'cnn-recipe-reference.db', source);
    const whole = await runCli(['--db', reference, ...flags]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/Adam 0\.002 with cosine decay\)/);
    const stored = (db: string): Record<string, unknown> => {
      const handle = new Database(db, { readonly: true });
      try {
        return JSON.parse(handle.prepare('SELECT config FROM experiments WHERE id = 1').pluck().get() as string) as Record<string, unknown>;
      } finally {
        handle.close();
      }
    };
    expect(stored(reference)).toMatchObject({ arch: 'cnn', learningRate: 0.002, learningRateSchedule: 'cosine' });
    // The worker trained with it: the trainer run here with the recipe gives the stored weights bit for bit.
    await selectBackend('wasm');
    const handle = openDatabase(reference, { readonly: true });
    const train = loadSplit(handle, 1, 'train', 300);
    handle.close();
    const dense = models(reference)[0];
    const expected = await trainModel(
      { arch: 'cnn', seed: dense?.seed ?? -1, epochs: 2, batchSize: 128, learningRate: 2e-3, learningRateSchedule: 'cosine', targetSparsity: 0 },
      { x: normalise(train.pixels, normalisationOf(train.pixels)), labels: train.labels, count: train.count, input: train.input, numClasses: train.numClasses },
    );
    const got = loadWeights(dense?.weights_path ?? '').params;
    for (const [name, w] of expected.weights) expect(got.get(name)?.values, name).toEqual(w.values);

    // Dies inside the second model's commit; the resume must train it with the stored recipe to match.
    const killed = await datasetDb(dir, 'cnn-recipe-killed.db', source);
    const stopped = await trainUntilStop(['--db', killed, ...flags], 'train-commit:2');
    expect(stopped.signal, stopped.stderr).toBe('SIGKILL');
    expect(models(killed).map((r) => r.status)).toEqual(['done', 'running']);
    const resumed = await runCli(['--db', killed, 'train', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(predictionMap(killed)).toEqual(predictionMap(reference));
  });

  it('refuses bad settings with one line and trains nothing', async () => {
    const db = await datasetDb(dir, 'bad.db', source);
    for (const [args, message] of [
      [['--dataset', 'nope'], /no dataset named 'nope'/],
      [['--dataset', 'toy', '--sparsities', '0,1.5'], /--sparsities: '1.5' is not a sparsity in \[0, 1\)/],
      [['--dataset', 'toy', '--preset', 'huge'], /--preset must be one of smoke, quick, paper/],
      [['--dataset', 'toy', '--quantize', 'int4'], /--quantize must be one of fp16, int8/],
      // Refused only where the optional tfjs-node does not load (its own test below runs where it does).
      ...(tfjsNodeLoads ? [] : [[['--dataset', 'toy', '--backend', 'tfjs-node'], /backend tfjs-node cannot be used here/] as const]),
      [['--dataset', 'toy', '--models', 'many'], /--models must be a non-negative integer/],
    ] as const) {
      const result = await runCli(['--db', db, 'train', ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    expect(models(db)).toHaveLength(0);
  });

  it.runIf(tfjsNodeLoads)('trains on tfjs-node when it loads here, and records that backend', async () => {
    const db = await datasetDb(dir, 'tfjs-node.db', source);
    const result = await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '1', '--sparsities', '0', '--epochs', '1', '--workers', '1', '--backend', 'tfjs-node']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: tfjs-node/m);
    expect(models(db)[0]).toMatchObject({ status: 'done', backend: 'tfjs-node' });
  });
});
