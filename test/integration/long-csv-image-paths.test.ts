/**
 * Issue 12, point 4: a long CSV may name a folder dataset's images by their path relative
 * to the dataset's folder (column `image`) instead of PIE Audit's image_index, so
 * predictions made elsewhere attach to the right images whatever order they come in.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';
import { queryAll } from '../helpers/models.js';

const CLASSES = ['cat', 'dog'];
const FILES = ['cat/a.png', 'cat/b.jpg', 'cat/c.png', 'dog/a.png', 'dog/d.png', 'dog/e.jpg'];

describe('long-csv with an image column', () => {
  const dir = tempDir();
  const folder = path.join(dir, 'pets');
  const db = path.join(dir, 'db.sqlite');

  beforeAll(async () => {
    for (const [i, rel] of FILES.entries()) {
      fs.mkdirSync(path.join(folder, path.dirname(rel)), { recursive: true });
      const image = sharp({ create: { width: 20 + i, height: 16, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } } });
      await (rel.endsWith('.jpg') ? image.jpeg() : image.png()).toFile(path.join(folder, rel));
    }
    expect((await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'pets', '--from', folder])).code).toBe(0);
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'digits', '--images', path.join('/usr/share/datasets/fashion-mnist', 't10k-images-idx3-ubyte.gz'), '--labels', path.join('/usr/share/datasets/fashion-mnist', 't10k-labels-idx1-ubyte.gz')])).code).toBe(0);
  }, 60_000);

  /** Rows in reverse order, paths written Windows-style for one model: the predicted label is the file's position. */
  function csv(paths: string[] = FILES): string {
    const lines = ['model_id,variant,target_sparsity,seed,image,true_label,predicted_label,predicted_probability'];
    for (const [m, variant, seed] of [['d1', 'dense', 1], ['d2', 'dense', 2], ['p1', 'magnitude-0.9', 1]] as const) {
      for (const [k, rel] of [...paths.entries()].reverse()) {
        const written = m === 'd2' ? rel.replace('/', '\\') : m === 'p1' ? `./${rel}` : rel;
        lines.push(`${m},${variant},${variant === 'dense' ? 0 : 0.9},${seed},"${written}",${CLASSES.indexOf(rel.split('/')[0] ?? '')},${k % 2},0.${5 + (k % 4)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  it('attaches every prediction to the image its path names', async () => {
    const file = path.join(dir, 'predictions.csv');
    fs.writeFileSync(file, csv());
    const result = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'pets', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = queryAll<{ seed: number; variant: string; path: string; predicted_label: number; predicted_probability: number; label: number; true_label: number }>(
      db,
      `SELECT m.seed, m.variant, i.path, i.label, e.true_label, p.predicted_label, p.predicted_probability FROM predictions p
       JOIN models m ON m.id = p.model_id JOIN experiment_images e ON e.experiment_id = m.experiment_id AND e.image_index = p.image_index
       JOIN images i ON i.id = e.image_id`,
    );
    expect(rows).toHaveLength(3 * FILES.length);
    for (const r of rows) {
      const k = FILES.indexOf(path.relative(folder, r.path).split(path.sep).join('/'));
      expect(k).toBeGreaterThanOrEqual(0);
      expect(r.predicted_label).toBe(k % 2);
      expect(r.predicted_probability).toBeCloseTo(0.5 + (k % 4) / 10, 12);
      expect(r.true_label).toBe(r.label);
    }
  }, 60_000);

  it.each([
    ['a path not in the dataset', 'pets', () => csv(FILES.map((f) => (f === 'dog/d.png' ? 'dog/zebra.png' : f))), /unknown\.csv: line \d+: image 'dog\/zebra\.png' is not a test image of the dataset/],
    ['paths on a dataset that is not a folder', 'digits', () => csv(), /unknown\.csv: line 1: column image names images by path: --dataset must name a folder dataset/],
  ])('refuses %s, in one line, changing nothing', async (_what, dataset, content, expected) => {
    const file = path.join(dir, 'unknown.csv');
    fs.writeFileSync(file, content());
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', dataset, file]);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(dbSnapshot(db)).toBe(before);
  }, 60_000);
});
