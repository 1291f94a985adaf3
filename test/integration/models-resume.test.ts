/**
 * Issue 12: nothing of an import is written until every model has run, so one killed
 * with SIGKILL during inference leaves the database byte-identical (run it again). One
 * interrupted with SIGINT (Ctrl+C) keeps its finished models whole and resumes
 * (--resume) to the same predictions as an uninterrupted import.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { FASHION_MNIST_DIR, dbSnapshot, requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { FASHION_INPUT, MODEL_FIXTURES, queryAll, readPredictions, writeManifest } from '../helpers/models.js';

const model = (file: string, variant: string, seed: number): object => ({
  file: path.join(MODEL_FIXTURES, file),
  variant,
  method: variant === 'dense' ? 'dense' : 'magnitude',
  target_sparsity: variant === 'dense' ? 0 : 0.9,
  seed,
});

async function newDatabase(dir: string, name: string): Promise<string> {
  const db = path.join(dir, name);
  const added = await runCli([
    '--db', db, 'datasets', 'add', 'idx', '--name', 'fm-test',
    '--images', path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'),
    '--labels', path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'),
  ]);
  expect(added.code).toBe(0);
  return db;
}

/** Starts an import and sends it `signal` as soon as its first model has finished. */
function importStoppedAfterFirstModel(db: string, manifest: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', db, 'models', 'import', '--dataset', 'fm-test', '--manifest', manifest, '--workers', '1', '--batch-size', '16'], {
      cwd: ROOT,
      env: { ...process.env, PIE_AUDIT_DB: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/top-1/.test(stderr) && child.exitCode === null && !child.killed) child.kill(signal);
    });
    child.on('error', reject);
    child.on('close', (code, got) => resolve({ code, signal: got, stderr }));
  });
}

describe.runIf(runsOnFashionMnist)('models import interrupted', () => {
  it('kill -9 after a finished model leaves the database byte-identical; Ctrl+C keeps it and resumes to the predictions of an uninterrupted run', async () => {
    requireFashionMnist();
    const dir = tempDir();
    const manifest = writeManifest(dir, 'population.json', {
      input: FASHION_INPUT,
      output: 'logits',
      models: [model('cnn-dense.onnx', 'dense', 1), model('mlp-dense.onnx', 'dense', 2), model('cnn-magnitude-0.9.onnx', 'magnitude-0.9', 1), model('mlp-magnitude-0.9.onnx', 'magnitude-0.9', 2)],
    });
    const killed = await newDatabase(dir, 'killed.sqlite');
    const before = dbSnapshot(killed);
    const kill = await importStoppedAfterFirstModel(killed, manifest, 'SIGKILL');
    expect(kill.signal).toBe('SIGKILL');
    expect(dbSnapshot(killed)).toBe(before);
    expect((await runCli(['--db', killed, 'models', 'import', '--resume'])).stderr).toMatch(/nothing to resume/);

    const run = await importStoppedAfterFirstModel(killed, manifest, 'SIGINT');
    expect(run.stderr).toMatch(/interrupted: stopping; finished models are kept/);
    expect(run.code).toBe(130);
    const statuses = queryAll<{ status: string }>(killed, 'SELECT status FROM models ORDER BY id').map((r) => r.status);
    expect(statuses.filter((s) => s === 'done').length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s !== 'done').length).toBeGreaterThanOrEqual(1);
    // whole models only: a model is done with all 10,000 predictions, or has none
    const counts = queryAll<{ status: string; n: number }>(killed, 'SELECT m.status, (SELECT count(*) FROM predictions p WHERE p.model_id = m.id) AS n FROM models m');
    for (const c of counts) expect(c.n).toBe(c.status === 'done' ? 10_000 : 0);

    const resumed = await runCli(['--db', killed, 'models', 'import', '--resume']);
    expect(resumed.stderr).not.toMatch(/failed/);
    expect(resumed.code).toBe(0);

    const clean = await newDatabase(dir, 'clean.sqlite');
    const uninterrupted = await runCli(['--db', clean, 'models', 'import', '--dataset', 'fm-test', '--manifest', manifest, '--workers', '2', '--batch-size', '16']);
    expect(uninterrupted.code).toBe(0);
    const after = readPredictions(killed, 1);
    expect(after).toHaveLength(40_000);
    expect(after).toEqual(readPredictions(clean, 1));
    const summary = (db: string): unknown[] => queryAll(db, 'SELECT variant, seed, status, measured_sparsity, top1 FROM models ORDER BY id');
    expect(summary(killed)).toEqual(summary(clean));
  }, 300_000);
});
