import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { UserError, errorMessage } from '../errors.js';
import { sha256 } from './checksum.js';
import type { IndexedClass } from './class-index.js';
import type { FileImage } from './types.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);
export const THUMBNAIL_SIZE = 96;
/** Images are decoded in groups this size: enough to keep both cores busy, bounded memory. */
const CONCURRENCY = 8;

export interface FolderDataset {
  classes: string[];
  files: FileImage[];
  fingerprint: string;
}

function visible(name: string): boolean {
  return !name.startsWith('.');
}

/**
 * A folder with one sub-folder per class (sorted by name: label 0 is the first), each
 * holding PNG or JPEG files. Every image is decoded (so unreadable ones are found
 * before anything is written), hashed, and thumbnailed.
 */
export async function readImageFolder(dir: string, classIndex?: { file: string; classes: IndexedClass[] }): Promise<FolderDataset> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${dir}: cannot read folder (${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : errorMessage(error)})`);
  }
  const folders = entries.filter((e) => e.isDirectory() && visible(e.name)).map((e) => e.name).sort();
  if (folders.length === 0) throw new UserError(`${dir}: no class sub-folders (expected one sub-folder of images per class)`);
  if (folders.length > 256) throw new UserError(`${dir}: ${folders.length} class folders; at most 256 classes are supported`);
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
    const images = fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile() && visible(e.name) && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
    if (images.length === 0) throw new UserError(`${folder}: class folder holds no PNG or JPEG images`);
    for (const image of images) pending.push({ label, file: path.join(folder, image) });
  });

  const files: FileImage[] = [];
  for (let i = 0; i < pending.length; i += CONCURRENCY) {
    files.push(...(await Promise.all(pending.slice(i, i + CONCURRENCY).map((p) => readImage(p.file, p.label)))));
  }
  const labelled = files.map((f) => `${path.relative(dir, f.path)}:${f.contentHash}`);
  // a class index changes the labels: it is part of what the data is
  if (classIndex) labelled.push(...classIndex.classes.map((c, label) => `${label}:${c.folder}:${c.name}`));
  const fingerprint = sha256(Buffer.from(labelled.join('\n')));
  return { classes, files, fingerprint };
}

async function readImage(file: string, label: number): Promise<FileImage> {
  try {
    const bytes = fs.readFileSync(file);
    const image = sharp(bytes, { failOn: 'error', limitInputPixels: 100_000_000 });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new Error('no image size');
    const thumbnail = await image
      .clone()
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
    return { label, path: path.resolve(file), contentHash: sha256(bytes), width: meta.width, height: meta.height, thumbnail };
  } catch (error) {
    throw new UserError(`${file}: unreadable image (${errorMessage(error)})`);
  }
}
