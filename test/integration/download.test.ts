import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgress } from '../../src-main/core/datasets/download.js';
import { verifyKnownFile, sha256, md5 } from '../../src-main/core/datasets/checksum.js';
import { runCli } from '../helpers/cli.js';
import { startFileServer, type Route } from '../helpers/file-server.js';
import { FASHION_MNIST_DIR, dbSnapshot, requireFashionMnist, runsOnFashionMnist, idxBuffer, syntheticImages, syntheticLabels, tempDir, writeIdxPair } from '../helpers/data.js';

describe('downloader against a local HTTP server (small IDX files made here)', () => {
  const images = zlib.gzipSync(idxBuffer([200, 28, 28], syntheticImages(200, 28)));
  const labels = zlib.gzipSync(idxBuffer([200], syntheticLabels(200, 10)));
  // Random bytes do not compress: the cut really happens mid-body.
  const incompressible = crypto.randomBytes(200_000);
  const routes = new Map<string, Route>([
    ['images.gz', { kind: 'file', body: images }],
    ['labels.gz', { kind: 'file', body: labels }],
    ['cut.gz', { kind: 'cut', body: incompressible, sent: 5000 }],
    ['gone.gz', { kind: 'status', status: 404 }],
  ]);
  let server: Awaited<ReturnType<typeof startFileServer>>;
  const dir = tempDir();

  beforeAll(async () => {
    server = await startFileServer(routes);
  });
  afterAll(async () => server.close());

  it('downloads, reports progress and verifies by MD5 or content SHA-256', async () => {
    const progress: DownloadProgress[] = [];
    const dest = path.join(dir, 'ok', 'images.gz');
    await downloadFile(`${server.url}images.gz`, dest, {
      onProgress: (p) => progress.push(p),
      verify: (file) => verifyKnownFile(file, { name: 'images.gz', md5: md5(images) }),
    });
    expect(fs.readFileSync(dest).equals(images)).toBe(true);
    expect(progress.at(-1)).toEqual({ file: 'images.gz', received: images.length, total: images.length });
    const byContent = path.join(dir, 'ok', 'labels.gz');
    await downloadFile(`${server.url}labels.gz`, byContent, {
      verify: (file) => verifyKnownFile(file, { name: 'labels.gz', md5: '0'.repeat(32), contentSha256: sha256(zlib.gunzipSync(labels)) }),
    });
    expect(fs.existsSync(byContent)).toBe(true);
    expect(fs.existsSync(`${byContent}.part`)).toBe(false);
  });

  it('refuses a file whose checksum does not match and keeps nothing', async () => {
    const dest = path.join(dir, 'bad', 'images.gz');
    await expect(
      downloadFile(`${server.url}images.gz`, dest, { verify: (file) => verifyKnownFile(file, { name: 'images.gz', md5: 'f'.repeat(32) }) }),
    ).rejects.toThrow(/images\.gz\.part: checksum mismatch \(md5 [0-9a-f]{32}, expected f{32}\); the file is not the genuine images\.gz/);
    expect(fs.readdirSync(path.dirname(dest))).toEqual([]);
  });

  it('reports an interrupted download and keeps nothing', async () => {
    const dest = path.join(dir, 'cut', 'cut.gz');
    await expect(downloadFile(`${server.url}cut.gz`, dest)).rejects.toThrow(new RegExp(`cut\\.gz: download interrupted after 5000 of ${incompressible.length} bytes`));
    expect(fs.readdirSync(path.dirname(dest))).toEqual([]);
  });

  it('reports HTTP errors and unreachable servers', async () => {
    await expect(downloadFile(`${server.url}gone.gz`, path.join(dir, 'gone.gz'))).rejects.toThrow(/gone\.gz: download failed \(HTTP 404/);
    // Port 2 is privileged, bound by no service and not on fetch's blocked list; a port just closed
    // could be taken meanwhile by another test process.
    await expect(downloadFile('http://127.0.0.1:2/x.gz', path.join(dir, 'x.gz'))).rejects.toThrow(/x\.gz: download failed \(connect ECONNREFUSED 127\.0\.0\.1:2\)/);
  });
});

describe('pie-audit datasets add with a download', () => {
  const dir = tempDir();
  const db = path.join(dir, 'dl.db');
  let server: Awaited<ReturnType<typeof startFileServer>>;
  const routes = new Map<string, Route>();

  beforeAll(async () => {
    server = await startFileServer(routes);
    const pair = writeIdxPair(dir, 'seed', 4);
    expect((await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'seed', '--images', pair.images, '--labels', pair.labels])).code).toBe(0);
  });
  afterAll(async () => server.close());

  const env = (cache: string): NodeJS.ProcessEnv => ({ PIE_AUDIT_SYSTEM_DATASETS: 'none', PIE_AUDIT_CACHE_DIR: cache, PIE_AUDIT_MIRROR: server.url });

  it('refuses files that are not the genuine MNIST, caching nothing and changing nothing', async () => {
    const fake = writeIdxPair(dir, 'fake', 10, { side: 28 });
    for (const name of ['train-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte.gz']) routes.set(name, { kind: 'file', body: fs.readFileSync(fake.images) });
    for (const name of ['train-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) routes.set(name, { kind: 'file', body: fs.readFileSync(fake.labels) });
    const cache = path.join(dir, 'cache-fake');
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'datasets', 'add', 'mnist'], env(cache));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/train-images-idx3-ubyte\.gz\.part: checksum mismatch .*expected f68b3c2dcbeaaa9fbdd348bbdeb94873/);
    expect(dbSnapshot(db)).toBe(before);
    expect(fs.readdirSync(path.join(cache, 'mnist'))).toEqual([]);
  });

  it('refuses an interrupted download, changing nothing', async () => {
    const body = crypto.randomBytes(100_000);
    routes.set('train-images-idx3-ubyte.gz', { kind: 'cut', body, sent: 1000 });
    const cache = path.join(dir, 'cache-cut');
    const before = dbSnapshot(db);
    const result = await runCli(['--db', db, 'datasets', 'add', 'mnist'], env(cache));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`train-images-idx3-ubyte\\.gz: download interrupted after 1000 of ${body.length} bytes`));
    expect(dbSnapshot(db)).toBe(before);
    expect(fs.readdirSync(path.join(cache, 'mnist'))).toEqual([]);
  });

  it.runIf(runsOnFashionMnist)('downloads the genuine Fashion-MNIST files with progress, caches them, and imports them', async () => {
    requireFashionMnist();
    for (const name of fs.readdirSync(FASHION_MNIST_DIR)) routes.set(name, { kind: 'file', body: fs.readFileSync(path.join(FASHION_MNIST_DIR, name)) });
    const cache = path.join(dir, 'cache-fm');
    const result = await runCli(['--db', db, 'datasets', 'add', 'fashion-mnist'], env(cache));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('added fashion-mnist: 70000 images (60000 train, 10000 test), 10 classes, 28x28x1');
    expect(result.stderr).toContain('train-images-idx3-ubyte.gz: 100% of 26421856 bytes');
    expect(fs.readdirSync(path.join(cache, 'fashion-mnist')).sort()).toEqual(fs.readdirSync(FASHION_MNIST_DIR).sort());
    // A second database is served from the cache: no new requests.
    const requestsBefore = server.requests.length;
    const again = await runCli(['--db', path.join(dir, 'second.db'), 'datasets', 'add', 'fashion-mnist'], env(cache));
    expect(again.code, again.stderr).toBe(0);
    expect(server.requests.length).toBe(requestsBefore);
  });
});
