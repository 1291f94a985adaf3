import fs from 'node:fs';
import { UserError, errorMessage } from '../errors.js';

/** Labels are 16-bit where predictions are counted and stored (analysis, models import). */
export const MAX_CLASSES = 65_535;

/** One class of a class-index file: label = its position. */
export interface IndexedClass {
  /** the sub-folder that holds its images (e.g. an ImageNet synset, n01440764) */
  folder: string;
  /** the class name shown and exported (e.g. tench) */
  name: string;
}

/**
 * Reads a class-index file, which fixes the label of each class folder so labels match a
 * model's output order:
 *
 * - JSON, Keras' imagenet_class_index.json form: {"0": ["n01440764", "tench"], ...}
 *   (keys are the labels 0..C-1);
 * - text, one class per line in label order: the folder, then whitespace, then the class
 *   name (ImageNet's LOC_synset_mapping.txt form: "n01440764 tench, Tinca tinca"); a line
 *   with the folder alone names the class after it.
 */
export function readClassIndex(file: string): IndexedClass[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read class index (${code === 'ENOENT' ? 'no such file' : errorMessage(error)})`);
  }
  const classes = text.trimStart().startsWith('{') ? fromJson(file, text) : fromLines(file, text);
  if (classes.length === 0) throw new UserError(`${file}: class index lists no classes`);
  if (classes.length > MAX_CLASSES) throw new UserError(`${file}: ${classes.length} classes; at most ${MAX_CLASSES} classes are supported`);
  const seen = new Map<string, number>();
  classes.forEach((c, label) => {
    const first = seen.get(c.folder);
    if (first !== undefined) throw new UserError(`${file}: folder '${c.folder}' is listed for labels ${first} and ${label}`);
    seen.set(c.folder, label);
  });
  return classes;
}

function fromJson(file: string, text: string): IndexedClass[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not a JSON class index (${errorMessage(error)})`);
  }
  const entries = Object.entries(json as Record<string, unknown>);
  const classes: IndexedClass[] = [];
  for (const [key, value] of entries) {
    const label = Number(key);
    if (!/^\d+$/.test(key) || label >= entries.length) throw new UserError(`${file}: key '${key}' is not a label 0..${entries.length - 1}`);
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string' || value[0] === '') {
      throw new UserError(`${file}: label ${key}: expected ["folder", "class name"]`);
    }
    classes[label] = { folder: value[0], name: value[1] };
  }
  return classes;
}

function fromLines(file: string, text: string): IndexedClass[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\S+)(?:\s+(.+))?$/.exec(line);
      const folder = match?.[1] ?? line;
      if (folder.includes('/') || folder.includes('\\')) throw new UserError(`${file}: '${folder}' is not a folder name`);
      return { folder, name: match?.[2]?.trim() ?? folder };
    });
}
