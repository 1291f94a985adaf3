/**
 * Issue 12, point 4: `datasets add folder --classes FILE` (the ImageNet validation
 * layout): a class-index file fixes each class folder's label and name, so labels match a
 * model's output order rather than the folders' alphabetical order.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, tempDir } from '../helpers/data.js';
import { queryAll } from '../helpers/models.js';

describe('folder datasets with a class index', () => {
  const dir = tempDir();
  const folder = path.join(dir, 'val');
  const db = path.join(dir, 'db.sqlite');

  beforeAll(async () => {
    // synset-style folders; colour images of their own sizes
    for (const [synset, count] of [['n01440764', 2], ['n02102040', 3]] as const) {
      fs.mkdirSync(path.join(folder, synset), { recursive: true });
      for (let i = 0; i < count; i++) {
        await sharp({ create: { width: 30 + 7 * i, height: 24, channels: 3, background: { r: 200, g: 30 * i, b: synset === 'n01440764' ? 10 : 140 } } }).jpeg().toFile(path.join(folder, synset, `ILSVRC2012_val_${synset}_${i}.JPEG`));
      }
    }
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ 0: ['n02102040', 'English springer'], 1: ['n09999999', 'no images here'], 2: ['n01440764', 'tench'] }));
    fs.writeFileSync(path.join(dir, 'synsets.txt'), 'n02102040 English springer\nn01440764 tench, Tinca tinca\n');
    fs.writeFileSync(path.join(dir, 'partial.txt'), 'n02102040 English springer\n');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"0": ["n02102040"]}');
  }, 60_000);

  it.each([
    ['index.json', ['English springer', 'no images here', 'tench'], { n02102040: 0, n01440764: 2 }],
    ['synsets.txt', ['English springer', 'tench, Tinca tinca'], { n02102040: 0, n01440764: 1 }],
  ])('%s gives each folder its label and name', async (index, names, labels) => {
    const name = index.replace('.', '-');
    const result = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', name, '--from', folder, '--classes', path.join(dir, index)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const classes = queryAll<{ name: string }>(db, 'SELECT c.name FROM classes c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = ? ORDER BY c.label', name);
    expect(classes.map((c) => c.name)).toEqual(names);
    const images = queryAll<{ path: string; label: number; width: number }>(db, "SELECT i.path, i.label, i.width FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = ? AND i.split = 'test'", name);
    expect(images).toHaveLength(5);
    for (const image of images) expect(image.label).toBe(labels[path.basename(path.dirname(image.path)) as keyof typeof labels]);
    // colour images keep their own sizes
    expect(new Set(images.map((i) => i.width))).toEqual(new Set([30, 37, 44]));
  }, 60_000);

  it.each([
    ['a folder the index does not list', 'partial.txt', /val\/n01440764: class folder is not in the class index .*partial\.txt/],
    ['an index entry without a name', 'broken.json', /broken\.json: label 0: expected \["folder", "class name"\]/],
    ['a missing index', 'absent.json', /absent\.json: cannot read class index \(no such file\)/],
  ])('refuses %s in one line, changing nothing', async (_what, index, expected) => {
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'bad', '--from', folder, '--classes', path.join(dir, index)]);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(dbSnapshot(db)).toBe(before);
  }, 60_000);
});
