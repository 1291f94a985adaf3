import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { CIFAR10_CLASSES } from './known.js';
import { sha256 } from './checksum.js';
import type { PixelSplit, Split } from './types.js';

/** The binary version of CIFAR-10: records of 1 label byte and 3,072 pixel bytes (R, G, B planes of 32 x 32). */
const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;
const TRAIN_FILES = [1, 2, 3, 4, 5].map((n) => `data_batch_${n}.bin`);
const TEST_FILES = ['test_batch.bin'];

export interface Cifar10 {
  classes: string[];
  splits: PixelSplit[];
  fingerprint: string;
}

/** Finds the batches in dir or in its cifar-10-batches-bin sub-folder (as the archive unpacks). */
export function locateCifar10(dir: string): string {
  for (const candidate of [dir, path.join(dir, 'cifar-10-batches-bin')]) {
    if (fs.existsSync(path.join(candidate, 'test_batch.bin'))) return candidate;
  }
  throw new UserError(`${dir}: no CIFAR-10 binary batches here (expected data_batch_1.bin ... data_batch_5.bin and test_batch.bin)`);
}

export function readCifar10(dir: string): Cifar10 {
  const folder = locateCifar10(dir);
  const hashes: string[] = [];
  const readSplit = (split: Split, files: string[]): PixelSplit => {
    const buffers = files.map((name) => {
      const file = path.join(folder, name);
      if (!fs.existsSync(file)) throw new UserError(`${file}: missing CIFAR-10 batch`);
      const data = fs.readFileSync(file);
      if (data.length === 0 || data.length % RECORD !== 0) {
        throw new UserError(`${file}: ${data.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records (truncated or not a CIFAR-10 binary batch)`);
      }
      hashes.push(sha256(data));
      return { file, data };
    });
    const count = buffers.reduce((n, b) => n + b.data.length / RECORD, 0);
    const pixels = new Uint8Array(count * 3 * PLANE);
    const labels = new Uint8Array(count);
    let i = 0;
    for (const { file, data } of buffers) {
      for (let offset = 0; offset < data.length; offset += RECORD, i++) {
        const label = data[offset] ?? 0;
        if (label >= CIFAR10_CLASSES.length) {
          throw new UserError(`${file}: label ${label} of record ${offset / RECORD} is out of range (10 classes: 0..9)`);
        }
        labels[i] = label;
        // planar RGB -> interleaved (channels last), the layout every other dataset uses
        const base = i * 3 * PLANE;
        for (let p = 0; p < PLANE; p++) {
          pixels[base + 3 * p] = data[offset + 1 + p] ?? 0;
          pixels[base + 3 * p + 1] = data[offset + 1 + PLANE + p] ?? 0;
          pixels[base + 3 * p + 2] = data[offset + 1 + 2 * PLANE + p] ?? 0;
        }
      }
    }
    return { split, count, pixels, labels };
  };
  const splits = [readSplit('train', TRAIN_FILES), readSplit('test', TEST_FILES)];
  return { classes: readClassNames(folder), splits, fingerprint: sha256(Buffer.from(hashes.join(''))) };
}

function readClassNames(folder: string): string[] {
  const meta = path.join(folder, 'batches.meta.txt');
  if (!fs.existsSync(meta)) return CIFAR10_CLASSES;
  const names = fs
    .readFileSync(meta, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length === CIFAR10_CLASSES.length ? names : CIFAR10_CLASSES;
}

export const CIFAR10_SIDE = SIDE;
