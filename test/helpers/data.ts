import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export function tempDir(prefix = 'pie-audit-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** An IDX file: magic (0, 0, 0x08, rank), big-endian dims, data. */
export function idxBuffer(dims: number[], data: Uint8Array, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Deterministic small images: pixel (i, p) = (i * 31 + p * 7) mod 256. */
export function syntheticImages(count: number, side: number): Uint8Array {
  const data = new Uint8Array(count * side * side);
  for (let i = 0; i < count; i++) for (let p = 0; p < side * side; p++) data[i * side * side + p] = (i * 31 + p * 7) % 256;
  return data;
}

export function syntheticLabels(count: number, classes: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => i % classes);
}

/** Writes a gzipped IDX image/label pair and returns their paths. */
export function writeIdxPair(
  dir: string,
  prefix: string,
  count: number,
  { side = 8, classes = 10, gzip = true }: { side?: number; classes?: number; gzip?: boolean } = {},
): { images: string; labels: string } {
  const ext = gzip ? '.gz' : '';
  const images = path.join(dir, `${prefix}-images-idx3-ubyte${ext}`);
  const labels = path.join(dir, `${prefix}-labels-idx1-ubyte${ext}`);
  const img = idxBuffer([count, side, side], syntheticImages(count, side));
  const lab = idxBuffer([count], syntheticLabels(count, classes));
  fs.writeFileSync(images, gzip ? zlib.gzipSync(img) : img);
  fs.writeFileSync(labels, gzip ? zlib.gzipSync(lab) : lab);
  return { images, labels };
}

/** The four files of an MNIST-like dataset, small, under their official names. */
export function writeMnistLikeFolder(dir: string, train = 60, test = 20): void {
  writeIdxPair(dir, 'train', train, { side: 28 });
  writeIdxPair(dir, 't10k', test, { side: 28 });
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * The state of a database file as the next reader would see it: the main file's
 * bytes plus whether a WAL is left over. Equal snapshots mean nothing changed.
 */
export function dbSnapshot(file: string): string {
  const wal = `${file}-wal`;
  const walBytes = fs.existsSync(wal) ? fs.statSync(wal).size : 0;
  return `${sha256File(file)}:${walBytes}`;
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const hasFashionMnist = fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));

/**
 * Whether the tests on the real Fashion-MNIST run: where the OS copy is present, and
 * always in CI (env CI=true), where a missing copy must fail rather than skip. Each such
 * test starts with requireFashionMnist(), which says what is missing.
 */
export const runsOnFashionMnist = hasFashionMnist || process.env.CI === 'true';

export function requireFashionMnist(): void {
  if (!hasFashionMnist) throw new Error(`Fashion-MNIST is missing at ${FASHION_MNIST_DIR} (CI must provide it: these reference checks may not be skipped there)`);
}

/**
 * A small MNIST-like dataset a network can learn: class c is a bright bar in row band
 * c, over seeded noise. Written under the official IDX file names.
 */
export function writeLearnableMnistFolder(dir: string, train: number, test: number, classes = 10): void {
  let state = 12345;
  const noise = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 24) % 90;
  };
  const make = (count: number, prefix: string): void => {
    const pixels = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const c = (i * 7 + (i >> 3)) % classes;
      labels[i] = c;
      for (let p = 0; p < 784; p++) {
        const row = Math.floor(p / 28);
        const inBar = row >= 2 + 2 * c && row < 4 + 2 * c && p % 28 > 3 + (i % 5) && p % 28 < 20 + (i % 5);
        pixels[i * 784 + p] = inBar ? 160 + noise() : noise();
      }
    }
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte.gz`), zlib.gzipSync(idxBuffer([count, 28, 28], pixels)));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), zlib.gzipSync(idxBuffer([count], labels)));
  };
  make(train, 'train');
  make(test, 't10k');
}
