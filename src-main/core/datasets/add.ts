import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';
import { cacheFolder } from '../paths.js';
import { readCifar10, CIFAR10_SIDE } from './cifar10.js';
import { sha256, verifyKnownFile } from './checksum.js';
import { downloadFile, type DownloadProgress } from './download.js';
import { readClassIndex } from './class-index.js';
import { readImageFolder, type SkippedFile } from './folder.js';
import { checkLabels, readIdxFile } from './idx.js';
import { FASHION_MNIST, MNIST, knownFiles, type KnownFile, type KnownIdxDataset } from './known.js';
import { assertNameFree, checkDatasetName, findDataset, insertDataset } from './store.js';
import type { DatasetSummary, ParsedDataset, PixelSplit, Split } from './types.js';

export interface AddKnownOptions {
  name?: string;
  /** Folder holding the four IDX files; when absent: OS package folder, cache, download. */
  from?: string;
  /** Replaces the official base URL (a mirror, or a local server in tests). */
  mirror?: string;
  /** Replaces the OS package folders searched (tests use [] to force the download path). */
  systemFolders?: string[];
  cacheDir?: string;
  onDownload?: (progress: DownloadProgress) => void;
  onStatus?: (message: string) => void;
}

export const KNOWN_IDX: Record<'fashion-mnist' | 'mnist', KnownIdxDataset> = {
  'fashion-mnist': FASHION_MNIST,
  mnist: MNIST,
};

/** Finds the dataset's files: --from, else the OS package, else the cache, else downloads into the cache. */
async function locateKnownFiles(known: KnownIdxDataset, options: AddKnownOptions): Promise<{ folder: string; origin: string }> {
  const names = knownFiles(known);
  const has = (folder: string): boolean => names.every((f) => resolveIdxName(folder, f.name) !== undefined);
  if (options.from !== undefined) {
    if (!fs.existsSync(options.from)) throw new UserError(`${options.from}: no such folder`);
    const missing = names.filter((f) => resolveIdxName(options.from ?? '', f.name) === undefined);
    if (missing.length > 0) throw new UserError(`${options.from}: missing ${missing.map((f) => f.name).join(', ')}`);
    return { folder: options.from, origin: options.from };
  }
  for (const folder of options.systemFolders ?? known.systemFolders) {
    if (has(folder)) return { folder, origin: folder };
  }
  const cache = path.join(options.cacheDir ?? cacheFolder(), known.kind);
  const base = options.mirror ?? known.url;
  for (const file of names) {
    const dest = path.join(cache, file.name);
    if (fs.existsSync(dest)) continue;
    const url = new URL(file.name, base.endsWith('/') ? base : `${base}/`).toString();
    options.onStatus?.(`downloading ${url}`);
    await downloadFile(url, dest, { onProgress: options.onDownload, verify: (part) => verifyKnownFile(part, file) });
  }
  return { folder: cache, origin: base };
}

/** Accepts both the .gz name and the decompressed one (as some mirrors ship). */
function resolveIdxName(folder: string, gzName: string): string | undefined {
  for (const name of [gzName, gzName.replace(/\.gz$/, '')]) {
    const file = path.join(folder, name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

function readIdxSplit(split: Split, imagesFile: string, labelsFile: string, numClasses: number, expected?: { width: number; height: number }): PixelSplit & { width: number; height: number; hash: string } {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.dims.length !== 3) {
    throw new UserError(`${imagesFile}: expected an image file (3 dimensions: count x rows x columns), found ${images.dims.length}`);
  }
  if (labels.dims.length !== 1) throw new UserError(`${labelsFile}: expected a label file (1 dimension), found ${labels.dims.length}`);
  const [count = 0, height = 0, width = 0] = images.dims;
  if (labels.dims[0] !== count) throw new UserError(`${labelsFile}: ${labels.dims[0]} labels for ${count} images in ${imagesFile}`);
  if (count === 0) throw new UserError(`${imagesFile}: holds no images`);
  if (width === 0 || height === 0) throw new UserError(`${imagesFile}: images of size ${width} x ${height}`);
  if (expected && (expected.width !== width || expected.height !== height)) {
    throw new UserError(`${imagesFile}: images are ${width} x ${height}, the other split's are ${expected.width} x ${expected.height}`);
  }
  checkLabels(labels.data, numClasses, labelsFile);
  return { split, count, pixels: images.data, labels: labels.data, width, height, hash: sha256(images.data) + sha256(labels.data) };
}

export async function addKnownIdxDataset(db: Db, kind: 'fashion-mnist' | 'mnist', options: AddKnownOptions = {}): Promise<DatasetSummary> {
  const known = KNOWN_IDX[kind];
  const name = options.name ?? kind;
  checkDatasetName(name);
  assertNameFree(db, name);
  const { folder, origin } = await locateKnownFiles(known, options);
  const file = (f: KnownFile): string => resolveIdxName(folder, f.name) ?? path.join(folder, f.name);
  const train = readIdxSplit('train', file(known.train.images), file(known.train.labels), known.classes.length);
  const test = readIdxSplit('test', file(known.test.images), file(known.test.labels), known.classes.length, train);
  const parsed: ParsedDataset = {
    name,
    kind,
    source: origin,
    width: train.width,
    height: train.height,
    channels: 1,
    fingerprint: sha256(Buffer.from(train.hash + test.hash)),
    classes: known.classes,
    pixelSplits: [train, test],
    files: [],
  };
  insertDataset(db, parsed);
  return findDataset(db, name);
}

export interface AddIdxOptions {
  name: string;
  images: string;
  labels: string;
  classes?: string[];
  split?: Split;
}

/**
 * The split an IDX pair becomes, as `datasets add idx --split` gives it (the app has no
 * such method); the name and class names are checked by addIdxDataset itself.
 */
export const IdxSplitSchema = z.object({ split: z.enum(['train', 'test'], { error: 'must be train or test' }) }).strict();

/** Any IDX image/label pair, as one split (default: test, the set populations are evaluated on). */
export async function addIdxDataset(db: Db, options: AddIdxOptions): Promise<DatasetSummary> {
  checkDatasetName(options.name);
  assertNameFree(db, options.name);
  if (options.classes !== undefined) checkClassNames(options.classes);
  const limit = options.classes?.length ?? 256;
  const split = readIdxSplit(options.split ?? 'test', options.images, options.labels, limit);
  const classes = options.classes ?? inferClasses(split.labels);
  insertDataset(db, {
    name: options.name,
    kind: 'idx',
    source: path.resolve(options.images),
    width: split.width,
    height: split.height,
    channels: 1,
    fingerprint: sha256(Buffer.from(split.hash)),
    classes,
    pixelSplits: [split],
    files: [],
  });
  return findDataset(db, options.name);
}

function inferClasses(labels: Uint8Array): string[] {
  let max = 0;
  for (const label of labels) max = Math.max(max, label);
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

function checkClassNames(classes: string[]): void {
  if (classes.length === 0 || classes.some((c) => c.trim() === '')) throw new UserError('--classes: class names must not be empty');
  if (new Set(classes).size !== classes.length) throw new UserError('--classes: class names must be distinct');
}

export async function addCifar10Dataset(db: Db, options: { name?: string; from?: string; cacheDir?: string }): Promise<DatasetSummary> {
  const name = options.name ?? 'cifar10';
  checkDatasetName(name);
  assertNameFree(db, name);
  const from = options.from ?? path.join(options.cacheDir ?? cacheFolder(), 'cifar10');
  if (options.from === undefined && !fs.existsSync(from)) {
    throw new UserError(
      `CIFAR-10 not found; download the binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), unpack it, and pass its folder with --from DIR`,
    );
  }
  const cifar = readCifar10(from);
  insertDataset(db, {
    name,
    kind: 'cifar10',
    source: path.resolve(from),
    width: CIFAR10_SIDE,
    height: CIFAR10_SIDE,
    channels: 3,
    fingerprint: cifar.fingerprint,
    classes: cifar.classes,
    pixelSplits: cifar.splits,
    files: [],
  });
  return findDataset(db, name);
}

export async function addFolderDataset(
  db: Db,
  options: { name: string; from: string; classes?: string; onSkipped?: (skipped: SkippedFile) => void },
): Promise<DatasetSummary> {
  checkDatasetName(options.name);
  assertNameFree(db, options.name);
  const classIndex = options.classes === undefined ? undefined : { file: options.classes, classes: readClassIndex(options.classes) };
  const folder = await readImageFolder(options.from, classIndex);
  for (const skipped of folder.skipped) options.onSkipped?.(skipped);
  const first = folder.files[0];
  const uniform = first !== undefined && folder.files.every((f) => f.width === first.width && f.height === first.height);
  insertDataset(db, {
    name: options.name,
    kind: 'folder',
    source: path.resolve(options.from),
    width: uniform ? first.width : 0,
    height: uniform ? first.height : 0,
    channels: 3,
    fingerprint: folder.fingerprint,
    classes: folder.classes,
    pixelSplits: [],
    files: folder.files,
  });
  return findDataset(db, options.name);
}
