import { UserError } from '../errors.js';
import { readMaybeGzip } from './read-file.js';

/**
 * The IDX format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, type, number of
 * dimensions), one big-endian uint32 per dimension, then the data. We read unsigned
 * bytes (type 0x08), which is what image and label files use.
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(buffer: Buffer, file: string): IdxArray {
  if (buffer.length < 4) throw new UserError(`${file}: too short to be an IDX file (${buffer.length} bytes)`);
  if (buffer[0] !== 0 || buffer[1] !== 0) {
    throw new UserError(`${file}: wrong magic number 0x${buffer.readUInt32BE(0).toString(16).padStart(8, '0')} (not an IDX file)`);
  }
  const type = buffer[2] ?? 0;
  const rank = buffer[3] ?? 0;
  if (type !== UBYTE) {
    throw new UserError(`${file}: IDX data type 0x${type.toString(16)} is not supported (expected unsigned bytes, 0x08)`);
  }
  if (rank < 1 || rank > 4) throw new UserError(`${file}: IDX file with ${rank} dimensions is not supported`);
  const headerBytes = 4 + 4 * rank;
  if (buffer.length < headerBytes) throw new UserError(`${file}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buffer.readUInt32BE(4 + 4 * i));
  // Compare the declared size with what is there; never allocate by the declared size.
  const declared = dims.reduce((a, b) => a * b, 1);
  const actual = buffer.length - headerBytes;
  if (declared !== actual) {
    const what = declared > actual ? 'truncated' : 'has trailing bytes';
    throw new UserError(`${file}: ${what}: header declares ${dims.join(' x ')} = ${declared} bytes of data, file holds ${actual}`);
  }
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + headerBytes, actual) };
}

export function readIdxFile(file: string): IdxArray {
  return parseIdx(readMaybeGzip(file), file);
}

export function checkLabels(labels: Uint8Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? 0;
    if (label >= numClasses) {
      throw new UserError(`${file}: label ${label} of item ${i} is out of range (${numClasses} classes: 0..${numClasses - 1})`);
    }
  }
}
