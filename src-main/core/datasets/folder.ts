import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { UserError, errorMessage } from '../errors.js';
import { sha256 } from './checksum.js';
import { MAX_CLASSES, type IndexedClass } from './class-index.js';
import type { FileImage } from './types.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
export const THUMBNAIL_SIZE = 96;
/** Images are decoded in groups this size: enough to keep both cores busy, bounded memory. */
const CONCURRENCY = 8;
/**
 * The largest image decoded: 40 megapixels (e.g. 8000 x 5000, 120 MB as RGB). The size an
 * image declares is read from its header first, so a decompression bomb (a small file
 * declaring 100,000 x 100,000) is refused before any pixel memory is allocated.
 */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** The largest image file read (files are read whole to hash them). */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;
/** Problem files named in the one-line refusal (the count of the rest follows). */
const PROBLEMS_NAMED = 3;

export interface FolderDataset {
  classes: string[];
  files: FileImage[];
  fingerprint: string;
  /** Files left out, each with the reason (today: a second copy of an image). */
  skipped: SkippedFile[];
}

export interface SkippedFile {
  file: string;
  reason: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A file name as stored: UTF-8 text, or undefined when its bytes are not valid UTF-8. */
function utf8Name(name: Buffer): string | undefined {
  try {
    return strictUtf8.decode(name);
  } catch {
    return undefined;
  }
}

/** A name that is not valid UTF-8, printable: valid parts as they are, other bytes as \xNN. */
function escapedName(name: Buffer): string {
  return name.toString('latin1').replace(/[\x80-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
}

function visible(name: Buffer): boolean {
  return name[0] !== 0x2e; // '.'
}

/** What a folder entry is once symlinks are followed, refusing links that leave the dataset. */
function entryKind(full: string, entry: fs.Dirent<Buffer>, rootReal: string): 'file' | 'directory' | 'other' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  let target: string;
  try {
    target = fs.realpathSync(full);
  } catch (error) {
    throw new FileProblem(full, `broken symlink (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  if (target !== rootReal && !target.startsWith(rootReal + path.sep)) {
    throw new FileProblem(full, `symlink leads outside the dataset folder (to ${target})`);
  }
  const stat = fs.statSync(target);
  return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
}

/** A file the import refuses, with the reason. */
class FileProblem extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

function listFolder(dir: string): fs.Dirent<Buffer>[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${dir}: cannot read folder (${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : errorMessage(error)})`);
  }
}

/**
 * Entries of `dir` of the wanted kind, by UTF-8 name (sorted). A name that is not UTF-8,
 * or a symlink leading out of the dataset, is a problem (the stored path could not name
 * the file, or the dataset would read files it does not hold).
 */
function entries(dir: string, kind: 'file' | 'directory', rootReal: string, problems: FileProblem[], wanted: (name: string) => boolean): string[] {
  const names: string[] = [];
  for (const entry of listFolder(dir)) {
    if (!visible(entry.name)) continue;
    const name = utf8Name(entry.name);
    if (name === undefined) {
      problems.push(new FileProblem(path.join(dir, escapedName(entry.name)), 'file name is not valid UTF-8; rename it'));
      continue;
    }
    if (!wanted(name)) continue;
    try {
      if (entryKind(path.join(dir, name), entry, rootReal) === kind) names.push(name);
    } catch (error) {
      if (error instanceof FileProblem) problems.push(error);
      else throw error;
    }
  }
  return names.sort();
}

function refuse(problems: FileProblem[]): never {
  const named = problems.slice(0, PROBLEMS_NAMED).map((p) => p.message);
  const more = problems.length - named.length;
  throw new UserError(`${named.join('; ')}${more > 0 ? `; and ${more} more problem file${more === 1 ? '' : 's'}` : ''} (nothing was imported)`);
}

/**
 * A folder with one sub-folder per class (sorted by name: label 0 is the first), each
 * holding PNG or JPEG files. Every image is checked and decoded before anything is
 * written, hashed, and thumbnailed. Any file that cannot be used (unreadable, empty,
 * too large, declaring too many pixels, a name that is not UTF-8, a symlink out of the
 * folder) refuses the whole import, naming the files; a second copy of an image (same
 * bytes) is skipped and reported.
 */
export async function readImageFolder(dir: string, classIndex?: { file: string; classes: IndexedClass[] }): Promise<FolderDataset> {
  listFolder(dir); // a clear message for a missing folder before anything else
  const rootReal = fs.realpathSync(dir);
  const problems: FileProblem[] = [];
  const folders = entries(dir, 'directory', rootReal, problems, () => true);
  if (problems.length > 0) refuse(problems);
  if (folders.length === 0) throw new UserError(`${dir}: no class sub-folders (expected one sub-folder of images per class)`);
  // labels are 16-bit in the analysis and in models import: ImageNet's 1,000 classes fit
  if (folders.length > MAX_CLASSES) throw new UserError(`${dir}: ${folders.length} class folders; at most ${MAX_CLASSES} classes are supported`);
  // Without a class index, label i is the i-th folder by name; with one, the index decides
  // (a listed class may have no folder: it has no images here).
  const labelOf = new Map((classIndex?.classes.map((c) => c.folder) ?? folders).map((folder, label) => [folder, label]));
  for (const folder of folders) {
    if (!labelOf.has(folder)) throw new UserError(`${path.join(dir, folder)}: class folder is not in the class index ${classIndex?.file ?? ''}`.trim());
  }
  const classes = classIndex ? classIndex.classes.map((c) => c.name) : folders;

  const pending: { label: number; file: string }[] = [];
  folders.forEach((name) => {
    const label = labelOf.get(name) ?? 0;
    const folder = path.join(dir, name);
    const images = entries(folder, 'file', rootReal, problems, (n) => IMAGE_EXTENSIONS.has(path.extname(n).toLowerCase()));
    if (images.length === 0 && problems.length === 0) throw new UserError(`${folder}: class folder holds no PNG or JPEG images`);
    for (const image of images) pending.push({ label, file: path.join(folder, image) });
  });

  const read: FileImage[] = [];
  for (let i = 0; i < pending.length; i += CONCURRENCY) {
    const group = await Promise.allSettled(pending.slice(i, i + CONCURRENCY).map((p) => readImage(p.file, p.label)));
    for (const outcome of group) {
      if (outcome.status === 'fulfilled') read.push(outcome.value);
      else if (outcome.reason instanceof FileProblem) problems.push(outcome.reason);
      else throw outcome.reason;
    }
  }
  if (problems.length > 0) refuse(problems);

  const { files, skipped } = withoutCopies(read);
  const labelled = files.map((f) => `${path.relative(dir, f.path)}:${f.contentHash}`);
  // a class index changes the labels: it is part of what the data is
  if (classIndex) labelled.push(...classIndex.classes.map((c, label) => `${label}:${c.folder}:${c.name}`));
  const fingerprint = sha256(Buffer.from(labelled.join('\n')));
  return { classes, files, fingerprint, skipped };
}

/** Keeps the first of identical files (in class and name order); the rest are skipped. */
function withoutCopies(images: FileImage[]): { files: FileImage[]; skipped: SkippedFile[] } {
  const first = new Map<string, FileImage>();
  const files: FileImage[] = [];
  const skipped: SkippedFile[] = [];
  for (const image of images) {
    const kept = first.get(image.contentHash);
    if (kept) {
      const labels = kept.label === image.label ? '' : ', in another class';
      skipped.push({ file: image.path, reason: `same content as ${kept.path}${labels}; skipped` });
    } else {
      first.set(image.contentHash, image);
      files.push(image);
    }
  }
  return { files, skipped };
}

async function readImage(file: string, label: number): Promise<FileImage> {
  let bytes: Buffer;
  try {
    const size = fs.statSync(file).size;
    if (size === 0) throw new FileProblem(file, 'empty file (0 bytes)');
    if (size > MAX_IMAGE_BYTES) throw new FileProblem(file, `${size} bytes, larger than the ${MAX_IMAGE_BYTES} bytes an image may have`);
    bytes = fs.readFileSync(file);
  } catch (error) {
    if (error instanceof FileProblem) throw error;
    throw new FileProblem(file, `cannot read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  try {
    // The header alone, without sharp's pixel limit, so an oversized image is named by its size.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no image size');
    if (meta.format !== 'png' && meta.format !== 'jpeg') throw new Error(`${meta.format} data, not PNG or JPEG`);
    if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
      throw new FileProblem(file, `declares ${meta.width} x ${meta.height} pixels, more than the ${MAX_IMAGE_PIXELS} an image may have`);
    }
    // failOn 'error' also fails truncated data; the pixel limit is sharp's own second guard.
    const thumbnail = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_IMAGE_PIXELS })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
    return { label, path: path.resolve(file), contentHash: sha256(bytes), width: meta.width, height: meta.height, thumbnail };
  } catch (error) {
    if (error instanceof FileProblem) throw error;
    throw new FileProblem(file, `unreadable image (${errorMessage(error)})`);
  }
}
