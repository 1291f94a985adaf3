import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx, readIdxFile } from '../../src-main/core/datasets/idx.js';
import { readMaybeGzip } from '../../src-main/core/datasets/read-file.js';
import { idxBuffer, syntheticImages, tempDir } from '../helpers/data.js';

describe('IDX parsing', () => {
  it('reads dimensions and data of an image file', () => {
    const data = syntheticImages(3, 4);
    const parsed = parseIdx(idxBuffer([3, 4, 4], data), 'x.idx');
    expect(parsed.dims).toEqual([3, 4, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('refuses a wrong magic number', () => {
    const buffer = idxBuffer([2], new Uint8Array([1, 2]));
    buffer[0] = 0x12;
    expect(() => parseIdx(buffer, 'f.idx')).toThrow(/f\.idx: wrong magic number 0x12000801/);
  });

  it('refuses data types other than unsigned bytes', () => {
    expect(() => parseIdx(idxBuffer([2], new Uint8Array(8), 0x0d), 'f.idx')).toThrow(/data type 0xd is not supported/);
  });

  it('refuses truncated data and trailing bytes', () => {
    const full = idxBuffer([4, 2, 2], new Uint8Array(16));
    expect(() => parseIdx(full.subarray(0, full.length - 3), 'f.idx')).toThrow(/truncated: header declares 4 x 2 x 2 = 16 bytes of data, file holds 13/);
    expect(() => parseIdx(Buffer.concat([full, Buffer.alloc(1)]), 'f.idx')).toThrow(/has trailing bytes/);
  });

  it('refuses a header declaring 10^9 images without allocating for them', () => {
    const huge = idxBuffer([1_000_000_000, 28, 28], new Uint8Array(784));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => parseIdx(huge, 'huge.idx')).toThrow(/header declares 1000000000 x 28 x 28 = 784000000000 bytes of data, file holds 784/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10_000_000);
  });

  it('refuses files shorter than a header', () => {
    expect(() => parseIdx(Buffer.from([0, 0]), 'f.idx')).toThrow(/too short/);
    expect(() => parseIdx(Buffer.from([0, 0, 8, 3, 0, 0]), 'f.idx')).toThrow(/truncated IDX header/);
  });
});

describe('gzip reading', () => {
  const dir = tempDir();
  const payload = idxBuffer([5], new Uint8Array([0, 1, 2, 3, 4]));

  it('reads gzipped and raw files alike', () => {
    fs.writeFileSync(path.join(dir, 'a.gz'), zlib.gzipSync(payload));
    fs.writeFileSync(path.join(dir, 'a.idx'), payload);
    expect(readIdxFile(path.join(dir, 'a.gz')).dims).toEqual([5]);
    expect(readIdxFile(path.join(dir, 'a.idx')).dims).toEqual([5]);
  });

  it('names a truncated gzip stream', () => {
    const gz = zlib.gzipSync(syntheticImages(50, 28));
    const file = path.join(dir, 'trunc.gz');
    fs.writeFileSync(file, gz.subarray(0, gz.length >> 1));
    expect(() => readMaybeGzip(file)).toThrow(/trunc\.gz: truncated gzip data/);
  });

  it('names corrupt gzip data', () => {
    const gz = zlib.gzipSync(syntheticImages(50, 28));
    gz[gz.length - 6] = (gz[gz.length - 6] ?? 0) ^ 0xff; // flips CRC bits
    const file = path.join(dir, 'corrupt.gz');
    fs.writeFileSync(file, gz);
    expect(() => readMaybeGzip(file)).toThrow(/corrupt\.gz: corrupt gzip data/);
  });

  it('caps decompression (gzip bomb)', () => {
    const file = path.join(dir, 'bomb.gz');
    fs.writeFileSync(file, zlib.gzipSync(Buffer.alloc(4 << 20)));
    expect(() => readMaybeGzip(file, 1 << 20)).toThrow(/decompresses to more than 1048576 bytes/);
  });

  it('refuses a .gz name that holds no gzip data', () => {
    const file = path.join(dir, 'plain.gz');
    fs.writeFileSync(file, payload);
    expect(() => readMaybeGzip(file)).toThrow(/plain\.gz: not gzip data \(wrong magic number\)/);
  });
});
