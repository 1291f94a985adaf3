import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, idxBuffer, tempDir, writeLearnableMnistFolder } from '../helpers/data.js';

/**
 * pie-audit evaluate and train --long-tail on a small learnable dataset: a real
 * trained population, the real tfjs backend and the real database.
 */
describe('evaluate and long-tail training', () => {
  const dir = tempDir();
  const source = path.join(dir, 'toy');
  const db = path.join(dir, 'evaluate.db');

  async function ok(args: string[]): Promise<string> {
    const result = await runCli(['--db', db, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  function query<T>(sql: string, ...params: unknown[]): T[] {
    const handle = new Database(db, { readonly: true });
    try {
      return handle.prepare(sql).all(...params) as T[];
    } finally {
      handle.close();
    }
  }

  /** An IDX test split of 10 classes named as given, side x side, labels 0..9 cycling. */
  async function addIdx(name: string, side: number, classes: string[]): Promise<void> {
    const n = 30;
    const pixels = Uint8Array.from({ length: n * side * side }, (_, i) => (i * 37) % 256);
    fs.writeFileSync(path.join(dir, `${name}-images`), idxBuffer([n, side, side], pixels));
    fs.writeFileSync(path.join(dir, `${name}-labels`), idxBuffer([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
    await ok(['datasets', 'add', 'idx', '--name', name, '--images', path.join(dir, `${name}-images`), '--labels', path.join(dir, `${name}-labels`), '--classes', classes.join(',')]);
  }

  beforeAll(async () => {
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 600, 120);
    await ok(['datasets', 'add', 'mnist', '--name', 'toy', '--from', source]);
    await ok(['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--quantize', 'int8', '--epochs', '1', '--workers', '1']);
  }, 240_000);

  it('identity evaluation reproduces the clean predictions exactly; a rerun resumes with nothing left to do', async () => {
    await ok(['evaluate', '--corruptions', 'identity,shot_noise', '--severities', '1,5']);
    const differing = query<{ n: number }>(
      `SELECT count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id
       JOIN predictions p ON p.model_id = e.model_id AND p.image_index = e.image_index
       WHERE s.corruption = 'identity' AND (p.predicted_label <> e.predicted_label OR p.predicted_probability <> e.predicted_probability
         OR p.true_label_probability IS NOT e.true_label_probability)`,
    );
    expect(differing[0]?.n).toBe(0);
    const counts = query<{ name: string; n: number }>('SELECT s.name, count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id GROUP BY s.name ORDER BY s.name');
    expect(counts).toEqual(['identity:1', 'identity:5', 'shot_noise:1', 'shot_noise:5'].map((name) => ({ name, n: 6 * 120 })));
    const before = dbSnapshot(db);
    const again = await ok(['evaluate', '--corruptions', 'identity,shot_noise', '--severities', '1,5']);
    expect(again).toMatch(/0 model runs .*\(24 already done\)/);
    expect(dbSnapshot(db)).toBe(before);
  }, 240_000);

  it("evaluate --on another dataset with the same classes, resized to the models' input", async () => {
    await addIdx('toy-small', 14, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await ok(['evaluate', '--experiment', '1', '--on', 'toy-small']);
    const rows = query<{ n: number; kind: string }>("SELECT count(*) AS n, s.kind FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id WHERE s.name = 'toy-small'");
    expect(rows[0]).toEqual({ n: 6 * 30, kind: 'dataset' });
  }, 240_000);

  it('refuses bad input with one line naming it, and changes nothing', async () => {
    await addIdx('other-classes', 28, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    const cases: [string[], RegExp][] = [
      [['evaluate', '--corruptions', 'shot_noise,frost'], /unknown corruption 'frost'/],
      [['evaluate', '--corruptions', 'rotate', '--severities', '1,6'], /--severities: '6' is not a severity/],
      [['evaluate', '--on', 'other-classes', '--experiment', '1'], /--on other-classes: its classes \(a, b, .*\) are not the experiment's/],
      [['evaluate', '--on', 'nothing-here', '--experiment', '1'], /nothing-here/],
      [['evaluate', '--experiment', '1'], /give --corruptions all\|NAME,\.\.\. or --on DATASET/],
      [['evaluate', '--experiment', '99', '--corruptions', 'all'], /no experiment 99/],
      [['train', '--dataset', 'toy', '--preset', 'smoke', '--long-tail', '0.5'], /--long-tail must be a ratio of at least 1/],
      [['train', '--dataset', 'toy', '--preset', 'smoke', '--long-tail', '10', '--tail-order', '0,1,2'], /--tail-order must name each of the 10 classes once/],
      [['train', '--dataset', 'toy', '--preset', 'smoke', '--long-tail', '10', '--tail-order', '0,1,2,3,4,5,6,7,8,8'], /--tail-order must name each of the 10 classes once/],
      [['train', '--dataset', 'toy', '--preset', 'smoke', '--long-tail', '10', '--tail-order', '0,1,2,3,4,5,6,7,8,cat'], /--tail-order: 'cat' is not a class/],
    ];
    for (const [args, reason] of cases) {
      const before = dbSnapshot(db);
      const result = await runCli(['--db', db, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(reason);
      expect(dbSnapshot(db), args.join(' ')).toBe(before);
    }
  }, 240_000);

  it('refuses an experiment with no finished models', async () => {
    const copy = path.join(dir, 'unfinished.db');
    fs.copyFileSync(db, copy);
    const handle = new Database(copy);
    handle.prepare("UPDATE models SET status = 'pending'").run();
    handle.close();
    const before = dbSnapshot(copy);
    const result = await runCli(['--db', copy, 'evaluate', '--experiment', '1', '--corruptions', 'rotate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/experiment 1 has no finished models to evaluate/);
    expect(dbSnapshot(copy)).toBe(before);
  }, 60_000);

  it('a long-tail run keeps floor(n * ratio^(-r/(C-1))) training images of the class of rank r, and stores them', async () => {
    const order = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7];
    await ok(['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--long-tail', '10', '--tail-order', order.join(','), '--workers', '1']);
    const experiment = query<{ id: number }>('SELECT max(id) AS id FROM experiments')[0]?.id;
    const available = query<{ label: number; n: number }>("SELECT label, count(*) AS n FROM images WHERE dataset_id = 1 AND split = 'train' GROUP BY label");
    const n = Math.min(...available.map((r) => r.n));
    const counts = new Map(query<{ class: number; train_count: number }>('SELECT class, train_count FROM experiment_class_counts WHERE experiment_id = ?', experiment).map((r) => [r.class, r.train_count]));
    order.forEach((c, rank) => expect(counts.get(c), `class ${c}`).toBe(Math.floor(n * 10 ** (-rank / 9))));
    const kept = query<{ label: number; n: number }>(
      'SELECT i.label, count(*) AS n FROM experiment_train_images t JOIN images i ON i.id = t.image_id WHERE t.experiment_id = ? GROUP BY i.label',
      experiment,
    );
    for (const r of kept) expect(r.n).toBe(counts.get(r.label));
    // The first run (the whole training split) stored its counts too: the split's own per-class counts.
    const stored = query<{ class: number; train_count: number }>('SELECT class, train_count FROM experiment_class_counts WHERE experiment_id = 1 ORDER BY class');
    expect(stored.map((r) => r.train_count)).toEqual([...available].sort((a, b) => a.label - b.label).map((r) => r.n));
    const report = JSON.parse(await ok(['report', '--json', '--experiment', String(experiment)])) as { variants: { variant: string; longtail: Record<string, number | null> | null }[] };
    expect(report.variants[0]?.longtail).toBeNull();
    expect(typeof report.variants[1]?.longtail?.spearman_rho).toBe('number');
  }, 240_000);
});
