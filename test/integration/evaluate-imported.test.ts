/**
 * `pie-audit evaluate` on a population made by `models import`: the committed ONNX
 * fixture models (made in PyTorch by test/fixtures/models/make_models.py) run again on
 * corrupted copies of the test split through ONNX Runtime, the real database and CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, requireFashionMnist, runsOnFashionMnist, tempDir } from '../helpers/data.js';
import { MODEL_FIXTURES, queryAll, reference, writeFashionMnistHead } from '../helpers/models.js';

const HEAD = reference().images;

interface ShiftRow {
  eval_set: string;
  variant: string;
  top1_mean: number;
  relative_change: number | null;
  amplification: number | null;
}

describe.runIf(runsOnFashionMnist)('evaluate an imported population', () => {
  let dir: string;
  let db: string;
  let models: string;
  let experimentId: number;

  async function ok(args: string[]): Promise<string> {
    const result = await runCli(['--db', db, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    requireFashionMnist();
    dir = tempDir();
    db = path.join(dir, 'db.sqlite');
    // The models are copied so the refusal tests can move and change them.
    models = path.join(dir, 'models');
    fs.mkdirSync(models);
    for (const file of ['mlp.manifest.json', 'mlp-dense.onnx', 'mlp-magnitude-0.9.onnx']) fs.copyFileSync(path.join(MODEL_FIXTURES, file), path.join(models, file));
    const head = writeFashionMnistHead(dir, HEAD);
    await ok(['datasets', 'add', 'idx', '--name', 'fm', '--images', head.images, '--labels', head.labels]);
    const imported = await ok(['models', 'import', '--dataset', 'fm', '--manifest', path.join(models, 'mlp.manifest.json'), '--workers', '1']);
    experimentId = Number(/experiment (\d+):/.exec(imported)?.[1]);
  }, 120_000);

  it('runs the model files on each set, stores every prediction, and the identity set equals the clean predictions exactly', async () => {
    const out = await ok(['evaluate', '--experiment', String(experimentId), '--corruptions', 'identity,shot_noise,rotate', '--severities', '1,5']);
    expect(out).toMatch(/6 evaluation sets: 12 model runs .* on onnxruntime-cpu/);
    const counts = queryAll<{ name: string; models: number; n: number }>(
      db,
      'SELECT s.name, count(DISTINCT e.model_id) AS models, count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id GROUP BY s.name ORDER BY s.name',
    );
    expect(counts).toEqual(['identity:1', 'identity:5', 'rotate:1', 'rotate:5', 'shot_noise:1', 'shot_noise:5'].map((name) => ({ name, models: 2, n: 2 * HEAD })));
    const differing = queryAll<{ n: number }>(
      db,
      `SELECT count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id
       JOIN predictions p ON p.model_id = e.model_id AND p.image_index = e.image_index
       WHERE s.corruption = 'identity' AND (p.predicted_label <> e.predicted_label OR p.predicted_probability <> e.predicted_probability
         OR p.true_label_probability IS NOT e.true_label_probability)`,
    );
    expect(differing[0]?.n).toBe(0);
    // A corruption changes what the models see: some predictions differ from the clean ones.
    const changed = queryAll<{ n: number }>(
      db,
      `SELECT count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id
       JOIN predictions p ON p.model_id = e.model_id AND p.image_index = e.image_index WHERE s.name = 'rotate:5' AND p.predicted_label <> e.predicted_label`,
    );
    expect(changed[0]?.n).toBeGreaterThan(0);
  }, 240_000);

  it("computes the shift metrics from the stored predictions (top-1 against the experiment's true labels)", async () => {
    const report = JSON.parse(await ok(['report', '--json', '--experiment', String(experimentId)])) as { shift: ShiftRow[]; variants: { variant: string; top1_mean: number; mce: number | null }[] };
    // Independent of the analysis code: accuracy per (set, variant) straight from the rows (one model per variant).
    const accuracy = queryAll<{ name: string; variant: string; top1: number }>(
      db,
      `SELECT s.name, m.variant, avg(e.predicted_label = i.true_label) AS top1 FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id
       JOIN models m ON m.id = e.model_id JOIN experiment_images i ON i.experiment_id = m.experiment_id AND i.image_index = e.image_index
       WHERE m.experiment_id = ? GROUP BY s.name, m.variant`,
      experimentId,
    );
    expect(accuracy).toHaveLength(12);
    const cleanOf = new Map(report.variants.map((v) => [v.variant, v.top1_mean]));
    for (const a of accuracy) {
      const row = report.shift.find((r) => r.eval_set === a.name && r.variant === a.variant);
      expect(row?.top1_mean, `${a.name} ${a.variant}`).toBeCloseTo(a.top1, 12);
      const dense = accuracy.find((d) => d.name === a.name && d.variant === 'dense')?.top1 ?? NaN;
      if (a.variant === 'dense') continue;
      const relative = (a.top1 - dense) / dense;
      expect(row?.relative_change).toBeCloseTo(relative, 12);
      const cleanRelative = ((cleanOf.get(a.variant) ?? NaN) - (cleanOf.get('dense') ?? NaN)) / (cleanOf.get('dense') ?? NaN);
      expect(row?.amplification).toBeCloseTo(relative - cleanRelative, 12);
    }
    expect(typeof report.variants.find((v) => v.variant === 'magnitude-0.9')?.mce).toBe('number');
  }, 120_000);

  it('refuses, in one line and changing nothing, when a model file is gone or changed', async () => {
    const file = path.join(models, 'mlp-magnitude-0.9.onnx');
    const original = fs.readFileSync(file);
    const refuse = async (reason: RegExp): Promise<void> => {
      const before = dbSnapshot(db);
      const result = await runCli(['--db', db, 'evaluate', '--experiment', String(experimentId), '--corruptions', 'brightness', '--severities', '2']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(reason);
      expect(dbSnapshot(db)).toBe(before);
    };
    try {
      fs.renameSync(file, `${file}.moved`);
      await refuse(/mlp-magnitude-0\.9\.onnx: model file not found/);
      fs.renameSync(`${file}.moved`, file);
      const changed = Buffer.from(original);
      // one byte near the end (inside the weights): same size, another model
      const at = changed.length - 10;
      changed[at] = (changed[at] ?? 0) ^ 1;
      fs.writeFileSync(file, changed);
      await refuse(/mlp-magnitude-0\.9\.onnx: the file changed since experiment \d+ was imported \(SHA-256 differs\)/);
    } finally {
      fs.writeFileSync(file, original);
    }
  }, 120_000);
});
