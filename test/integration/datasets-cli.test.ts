import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FASHION_MNIST_DIR, dbSnapshot, requireFashionMnist, runsOnFashionMnist, idxBuffer, syntheticImages, syntheticLabels, tempDir, writeIdxPair, writeMnistLikeFolder } from '../helpers/data.js';

/**
 * Every bad input is refused with a one-line message naming the file and the
 * problem, exit code 1, and the database byte-for-byte as it was.
 */
async function expectRefused(db: string, args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const before = dbSnapshot(db);
  const result = await runCli(['--db', db, ...args], env);
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^pie-audit: /);
  expect(lines[0]).toMatch(message);
  expect(dbSnapshot(db)).toBe(before);
}

describe('pie-audit datasets (small data made here)', () => {
  const dir = tempDir();
  const db = path.join(dir, 'test.db');

  beforeAll(async () => {
    const pair = writeIdxPair(dir, 'seed', 12, { classes: 3 });
    const result = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'seed', '--images', pair.images, '--labels', pair.labels, '--classes', 'a,b,c']);
    expect(result.code, result.stderr).toBe(0);
  });

  it('adds an IDX pair and lists it with its classes', async () => {
    const pair = writeIdxPair(dir, 'small', 30, { classes: 4, gzip: false });
    const add = await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'small', '--images', pair.images, '--labels', pair.labels]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added small: 30 images (0 train, 30 test), 4 classes, 8x8x1');
    const list = await runCli(['--db', db, 'datasets', 'list', '--json']);
    const parsed = JSON.parse(list.stdout) as { name: string; test: number; classes: string[] }[];
    expect(parsed.find((d) => d.name === 'small')).toMatchObject({ test: 30, classes: ['0', '1', '2', '3'] });
    expect(parsed.find((d) => d.name === 'seed')).toMatchObject({ test: 12, classes: ['a', 'b', 'c'] });
    const handle = new Database(db, { readonly: true });
    const row = handle.prepare("SELECT i.pixels, i.label FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = 'small' AND i.idx = 5").get() as { pixels: Buffer; label: number };
    handle.close();
    expect(row.label).toBe(5 % 4);
    expect(Array.from(row.pixels)).toEqual(Array.from(syntheticImages(30, 8).subarray(5 * 64, 6 * 64)));
  });

  it('adds an MNIST-like dataset from a folder with both splits', async () => {
    const from = path.join(dir, 'mnist');
    fs.mkdirSync(from);
    writeMnistLikeFolder(from, 50, 20);
    const add = await runCli(['--db', db, 'datasets', 'add', 'mnist', '--from', from]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added mnist: 70 images (50 train, 20 test), 10 classes, 28x28x1');
  });

  it('refuses a name that already exists', async () => {
    const pair = writeIdxPair(dir, 'again', 5);
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'seed', '--images', pair.images, '--labels', pair.labels], /a dataset named 'seed' already exists/);
  });

  it('refuses a wrong magic number', async () => {
    const pair = writeIdxPair(dir, 'magic', 5);
    const raw = idxBuffer([5, 8, 8], syntheticImages(5, 8));
    raw.writeUInt32BE(0x08080808, 0);
    fs.writeFileSync(pair.images, zlib.gzipSync(raw));
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'magic', '--images', pair.images, '--labels', pair.labels], /magic-images-idx3-ubyte\.gz: wrong magic number 0x08080808/);
  });

  it('refuses a truncated gzip file', async () => {
    const pair = writeIdxPair(dir, 'trunc', 40);
    const gz = fs.readFileSync(pair.images);
    fs.writeFileSync(pair.images, gz.subarray(0, Math.floor(gz.length / 2)));
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'trunc', '--images', pair.images, '--labels', pair.labels], /trunc-images-idx3-ubyte\.gz: truncated gzip data/);
  });

  it('refuses corrupt gzip data', async () => {
    const pair = writeIdxPair(dir, 'corrupt', 40);
    const gz = fs.readFileSync(pair.images);
    for (let i = 20; i < 60; i++) gz[i] = (gz[i] ?? 0) ^ 0x5a;
    fs.writeFileSync(pair.images, gz);
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'corrupt', '--images', pair.images, '--labels', pair.labels], /corrupt-images-idx3-ubyte\.gz: corrupt gzip data/);
  });

  it('refuses image and label counts that differ', async () => {
    const pair = writeIdxPair(dir, 'count', 10);
    fs.writeFileSync(pair.labels, zlib.gzipSync(idxBuffer([9], syntheticLabels(9, 10))));
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'count', '--images', pair.images, '--labels', pair.labels], /count-labels-idx1-ubyte\.gz: 9 labels for 10 images/);
  });

  it('refuses labels out of range of the given classes', async () => {
    const pair = writeIdxPair(dir, 'range', 10, { classes: 5 });
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'range', '--images', pair.images, '--labels', pair.labels, '--classes', 'a,b,c'], /range-labels-idx1-ubyte\.gz: label 3 of item 3 is out of range \(3 classes: 0\.\.2\)/);
  });

  it('refuses an out-of-range label in a known dataset', async () => {
    const from = path.join(dir, 'mnist-bad-label');
    fs.mkdirSync(from);
    writeMnistLikeFolder(from, 30, 10);
    const labels = syntheticLabels(10, 10);
    labels[7] = 200;
    fs.writeFileSync(path.join(from, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idxBuffer([10], labels)));
    await expectRefused(db, ['datasets', 'add', 'mnist', '--name', 'mnist-bad', '--from', from], /t10k-labels-idx1-ubyte\.gz: label 200 of item 7 is out of range \(10 classes: 0\.\.9\)/);
  });

  it('refuses a missing file and a bad name', async () => {
    const pair = writeIdxPair(dir, 'missing', 5);
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', 'missing', '--images', path.join(dir, 'nope.gz'), '--labels', pair.labels], /nope\.gz: cannot read \(no such file\)/);
    await expectRefused(db, ['datasets', 'add', 'idx', '--name', '../evil', '--images', pair.images, '--labels', pair.labels], /dataset name '\.\.\/evil' is not allowed/);
  });

  it('refuses an empty folder and a class folder without images', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await expectRefused(db, ['datasets', 'add', 'folder', '--name', 'empty', '--from', empty], /empty: no class sub-folders/);
    const noImages = path.join(dir, 'no-images');
    fs.mkdirSync(path.join(noImages, 'cat'), { recursive: true });
    fs.mkdirSync(path.join(noImages, 'dog'), { recursive: true });
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ff0000' } }).png().toFile(path.join(noImages, 'cat', 'a.png'));
    fs.writeFileSync(path.join(noImages, 'dog', 'readme.txt'), 'no images here');
    await expectRefused(db, ['datasets', 'add', 'folder', '--name', 'no-images', '--from', noImages], /no-images\/dog: class folder holds no PNG or JPEG images/);
  });

  it('refuses an unreadable image and adds nothing of the folder', async () => {
    const folder = path.join(dir, 'unreadable');
    fs.mkdirSync(path.join(folder, 'a'), { recursive: true });
    await sharp({ create: { width: 12, height: 12, channels: 3, background: '#00ff00' } }).png().toFile(path.join(folder, 'a', 'good.png'));
    fs.writeFileSync(path.join(folder, 'a', 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
    await expectRefused(db, ['datasets', 'add', 'folder', '--name', 'unreadable', '--from', folder], /unreadable\/a\/broken\.png: unreadable image/);
  });

  it('adds an image folder with thumbnails and content hashes', async () => {
    const folder = path.join(dir, 'pets');
    for (const cls of ['cat', 'dog']) fs.mkdirSync(path.join(folder, cls), { recursive: true });
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#112233' } }).jpeg().toFile(path.join(folder, 'cat', 'c1.jpg'));
    await sharp({ create: { width: 40, height: 40, channels: 3, background: '#445566' } }).png().toFile(path.join(folder, 'cat', 'c2.png'));
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#778899' } }).png().toFile(path.join(folder, 'dog', 'd1.png'));
    const add = await runCli(['--db', db, 'datasets', 'add', 'folder', '--name', 'pets', '--from', folder]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added pets: 3 images (0 train, 3 test), 2 classes');
    const handle = new Database(db, { readonly: true });
    const rows = handle
      .prepare("SELECT i.idx, i.label, i.path, i.content_hash, i.width, i.height, i.thumbnail FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = 'pets' ORDER BY i.idx")
      .all() as { idx: number; label: number; path: string; content_hash: string; width: number; height: number; thumbnail: Buffer }[];
    handle.close();
    expect(rows.map((r) => [r.label, path.basename(r.path), r.width, r.height])).toEqual([
      [0, 'c1.jpg', 300, 200],
      [0, 'c2.png', 40, 40],
      [1, 'd1.png', 64, 64],
    ]);
    const thumb = await sharp(rows[0]?.thumbnail).metadata();
    expect(thumb.format).toBe('png');
    expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBe(96);
    expect(rows[0]?.content_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('pie-audit datasets: CIFAR-10 binary batches', () => {
  const dir = tempDir();
  const db = path.join(dir, 'cifar.db');
  const RECORD = 3073;

  function batch(count: number, labelOf: (i: number) => number): Buffer {
    const buffer = Buffer.alloc(count * RECORD);
    for (let i = 0; i < count; i++) {
      buffer[i * RECORD] = labelOf(i);
      // R plane = i, G plane = 100 + i, B plane = 200 + pixel index % 50
      for (let p = 0; p < 1024; p++) {
        buffer[i * RECORD + 1 + p] = i;
        buffer[i * RECORD + 1 + 1024 + p] = 100 + i;
        buffer[i * RECORD + 1 + 2048 + p] = 200 + (p % 50);
      }
    }
    return buffer;
  }

  function writeBatches(folder: string): void {
    fs.mkdirSync(folder, { recursive: true });
    for (let n = 1; n <= 5; n++) fs.writeFileSync(path.join(folder, `data_batch_${n}.bin`), batch(3, (i) => (n + i) % 10));
    fs.writeFileSync(path.join(folder, 'test_batch.bin'), batch(4, (i) => i));
  }

  beforeAll(async () => {
    const pair = writeIdxPair(dir, 'seed', 4);
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'seed', '--images', pair.images, '--labels', pair.labels])).code).toBe(0);
  });

  it('imports both splits and interleaves the colour planes', async () => {
    const folder = path.join(dir, 'ok', 'cifar-10-batches-bin');
    writeBatches(folder);
    const add = await runCli(['--db', db, 'datasets', 'add', 'cifar10', '--from', path.dirname(folder)]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added cifar10: 19 images (15 train, 4 test), 10 classes, 32x32x3');
    const handle = new Database(db, { readonly: true });
    const row = handle.prepare("SELECT pixels, label FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.name = 'cifar10' AND split = 'test' AND idx = 2").get() as { pixels: Buffer; label: number };
    const names = handle.prepare("SELECT c.name FROM classes c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = 'cifar10' ORDER BY label").pluck().all();
    handle.close();
    expect(row.label).toBe(2);
    expect(Array.from(row.pixels.subarray(0, 6))).toEqual([2, 102, 200, 2, 102, 201]);
    expect(names[0]).toBe('airplane');
  });

  it('refuses a batch that is not whole records', async () => {
    const folder = path.join(dir, 'short');
    writeBatches(folder);
    const file = path.join(folder, 'data_batch_3.bin');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 5000));
    await expectRefused(db, ['datasets', 'add', 'cifar10', '--name', 'c2', '--from', folder], /data_batch_3\.bin: 5000 bytes is not a whole number of 3073-byte CIFAR-10 records/);
  });

  it('refuses an out-of-range label and a missing batch', async () => {
    const folder = path.join(dir, 'label');
    writeBatches(folder);
    fs.writeFileSync(path.join(folder, 'test_batch.bin'), batch(2, () => 10));
    await expectRefused(db, ['datasets', 'add', 'cifar10', '--name', 'c3', '--from', folder], /test_batch\.bin: label 10 of record 0 is out of range/);
    fs.rmSync(path.join(folder, 'data_batch_5.bin'));
    await expectRefused(db, ['datasets', 'add', 'cifar10', '--name', 'c4', '--from', folder], /data_batch_5\.bin: missing CIFAR-10 batch/);
  });
});

describe.runIf(runsOnFashionMnist)('pie-audit datasets add fashion-mnist (real data from the OS package)', () => {
  it('imports 70,000 images with class names, lists them, and refuses a second import', async () => {
    requireFashionMnist();
    const dir = tempDir();
    const db = path.join(dir, 'fm.db');
    const started = Date.now();
    const add = await runCli(['--db', db, 'datasets', 'add', 'fashion-mnist'], { PIE_AUDIT_CACHE_DIR: path.join(dir, 'cache') });
    const seconds = (Date.now() - started) / 1000;
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added fashion-mnist: 70000 images (60000 train, 10000 test), 10 classes, 28x28x1');
    const list = await runCli(['--db', db, 'datasets', 'list']);
    expect(list.stdout).toMatch(/fashion-mnist\s+fashion-mnist\s+60000\s+10000\s+10\s+28x28x1/);
    expect(list.stdout).toContain('T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot');
    const handle = new Database(db, { readonly: true });
    const source = handle.prepare('SELECT source FROM datasets').pluck().get();
    const counts = handle.prepare("SELECT label, count(*) AS n FROM images WHERE split = 'test' GROUP BY label").all() as { n: number }[];
    handle.close();
    expect(source).toBe(FASHION_MNIST_DIR);
    expect(counts.map((c) => c.n)).toEqual(Array(10).fill(1000));
    await expectRefused(db, ['datasets', 'add', 'fashion-mnist'], /a dataset named 'fashion-mnist' already exists/);
    console.log(`fashion-mnist import: ${seconds.toFixed(1)} s, database ${fs.statSync(db).size} bytes`);
  });
});
