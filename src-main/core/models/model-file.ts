/**
 * Checks made on a model file before any of it is parsed, so a hostile or broken file is
 * refused in one line without the process reading gigabytes or dying: where it really
 * is (a symlink out of the manifest's folder), how big it is, and how it starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ModelFormat } from './manifest.js';

/** One protobuf file holds at most 2 GiB: larger ONNX weights go in external data files. */
export const ONNX_MAX_BYTES = 2 ** 31;
/** A model.json holds the topology; weights are in its .bin files. */
export const MODEL_JSON_MAX_BYTES = 64 * 2 ** 20;

/**
 * The first byte of a serialized ModelProto is the tag of one of its fields (field number
 * << 3 | wire type): ir_version 0x08, producer_name 0x12, producer_version 0x1a, domain
 * 0x22, model_version 0x28, doc_string 0x32, graph 0x3a, opset_import 0x42,
 * metadata_props 0x72; training_info, functions and configuration take two bytes (0xa2,
 * 0xca, 0xd2 then 0x01). Anything else is not an ONNX model.
 */
const ONNX_FIRST_BYTES = new Set([0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca, 0xd2]);

/** True when `inner` is `outer` or lies inside it (both absolute). */
function within(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * A file named inside the manifest's folder must really be there: a symlink (of the file
 * or a folder on its way) that leads out of it is refused. Files the manifest names by an
 * absolute path or by '..' are where the user said and are not second-guessed.
 */
export function checkStaysInFolder(file: string, manifestPath: string): void {
  const folder = path.dirname(path.resolve(manifestPath));
  if (!within(folder, path.resolve(file))) return;
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return; // missing: said by the caller, with the manifest's name
  }
  if (!within(fs.realpathSync(folder), real)) {
    throw new UserError(`${file}: a symlink leading outside the manifest's folder (to ${real}); refused (copy the model into the folder, or name its real path in the manifest)`);
  }
}

function sizeOf(file: string): number {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new UserError(`${file}: not a regular file`);
    return stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read model file (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')})`);
  }
}

function firstBytes(file: string, n: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = new Uint8Array(n);
    const read = fs.readSync(fd, bytes, 0, n, 0);
    return bytes.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

/** Size and first bytes of a model file, before it is read whole. */
export function checkModelFileShape(file: string, format: ModelFormat): void {
  const size = sizeOf(file);
  if (size === 0) throw new UserError(`${file}: empty file (0 bytes), not a model`);
  if (format === 'onnx') {
    if (size > ONNX_MAX_BYTES) throw new UserError(`${file}: ${size} bytes, over the 2 GiB an ONNX file can hold; not read (export large weights as external data)`);
    const head = firstBytes(file, 4);
    if (!ONNX_FIRST_BYTES.has(head[0] ?? 0)) throw new UserError(`${file}: not an ONNX model (it starts with bytes ${hex(head)})`);
  } else {
    if (size > MODEL_JSON_MAX_BYTES) throw new UserError(`${file}: ${size} bytes, over the 64 MiB a TensorFlow.js model.json holds; not read`);
    const head = firstBytes(file, 64);
    const text = Buffer.from(head).toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (!text.startsWith('{')) throw new UserError(`${file}: not a TensorFlow.js model.json (it does not start with a JSON object)`);
  }
}
