/**
 * Free-audit labels: one annotator's judgement of one image of an experiment, outside
 * any study (labels.study_id IS NULL). Every write is one transaction, and the
 * database runs WAL with synchronous=FULL, so a label is on disk when the call returns.
 *
 * Stored form, shared with the study's labels (src-main/core/study): a row means the
 * image is labeled; `categories` is a JSON array of category names from
 * label_categories in schema order, and [] means `none` (a typical, clean image).
 * Through this API `none` is spelled ['none'], and [] means "no label": setting it
 * deletes the row (undo back to unlabeled does this). A note needs a label.
 */
import os from 'node:os';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { categoryNames } from '../schema/categories.js';

export const NONE = 'none';
export const MAX_NOTE_LENGTH = 4000;
/** As the study's annotator names: 1-100 characters, no control characters. */
const ANNOTATOR_PATTERN = /^[^\p{Cc}]{1,100}$/u;


export interface StoredLabel {
  imageIndex: number;
  categories: string[];
  note: string;
  labeledAt: string;
}

export function checkAnnotatorName(name: string): string {
  const trimmed = name.trim();
  if (!ANNOTATOR_PATTERN.test(trimmed)) {
    throw new UserError(`annotator name '${name.slice(0, 40).replace(/\p{Cc}/gu, '?')}' is not allowed (1-100 printable characters)`);
  }
  return trimmed;
}

/** The OS user's name, when it makes a valid annotator name; 'annotator' otherwise. */
export function osAnnotator(): string {
  let name = '';
  try {
    name = os.userInfo().username;
  } catch {
    name = process.env.USER ?? process.env.USERNAME ?? '';
  }
  return ANNOTATOR_PATTERN.test(name) ? name : 'annotator';
}

export function getSetting(db: Db, key: string): unknown {
  const value = db.prepare('SELECT value FROM app_settings WHERE key = ?').pluck().get(key) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as unknown);
}

export function setSetting(db: Db, key: string, value: unknown): void {
  db.prepare('INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}

/** The annotator labels are saved under: the app setting, else the OS user. */
export function currentAnnotator(db: Db): string {
  const stored = getSetting(db, 'annotator');
  return typeof stored === 'string' && ANNOTATOR_PATTERN.test(stored) ? stored : osAnnotator();
}

export function setCurrentAnnotator(db: Db, name: string): string {
  const checked = checkAnnotatorName(name);
  setSetting(db, 'annotator', checked);
  return checked;
}

/** The annotator's id (name already checked); with create, made when missing. */
export function annotatorId(db: Db, name: string, create: true): number;
export function annotatorId(db: Db, name: string, create: boolean): number | undefined;
export function annotatorId(db: Db, name: string, create: boolean): number | undefined {
  const found = db.prepare('SELECT id FROM annotators WHERE name = ?').pluck().get(name) as number | undefined;
  if (found !== undefined || !create) return found;
  return Number(db.prepare('INSERT INTO annotators (name, created_at) VALUES (?, ?)').run(name, nowIso()).lastInsertRowid);
}

function checkExperiment(db: Db, experimentId: number): number {
  const images = db.prepare('SELECT count(*) FROM experiment_images WHERE experiment_id = ?').pluck().get(experimentId) as number;
  if (images === 0) {
    const exists = db.prepare('SELECT 1 FROM experiments WHERE id = ?').get(experimentId);
    throw new UserError(exists ? `experiment ${experimentId} has no images` : `no experiment ${experimentId}`);
  }
  return images;
}

/**
 * Puts categories in schema order and checks them: known names only, no repeats,
 * and 'none' only alone.
 */
export function normalizeCategories(db: Db, categories: readonly string[]): string[] {
  const schema = categoryNames(db);
  const wanted = new Set(categories);
  if (wanted.size !== categories.length) throw new UserError('a category is listed twice');
  if (wanted.has(NONE)) {
    if (wanted.size > 1) throw new UserError(`'${NONE}' (a typical, clean image) cannot be combined with other categories`);
    return [NONE];
  }
  for (const name of wanted) {
    if (!schema.includes(name)) throw new UserError(`unknown label category '${name.slice(0, 80)}' (the schema has: ${schema.join(', ')})`);
  }
  return schema.filter((name) => wanted.has(name));
}

/** Stored JSON to API categories: [] (the stored `none`) becomes ['none']. */
function parseCategories(text: string): string[] {
  let names: string[] = [];
  try {
    const value = JSON.parse(text) as unknown;
    names = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    names = [];
  }
  return names.length === 0 ? [NONE] : names;
}

function storedCategories(categories: string[]): string {
  return JSON.stringify(categories.length === 1 && categories[0] === NONE ? [] : categories);
}

/** Every free-audit label of one annotator on one experiment, by image index. */
export function listLabels(db: Db, experimentId: number, annotator: string): StoredLabel[] {
  checkExperiment(db, experimentId);
  const id = annotatorId(db, checkAnnotatorName(annotator), false);
  if (id === undefined) return [];
  const rows = db
    .prepare(
      `SELECT image_index, categories, note, labeled_at FROM labels
       WHERE ifnull(study_id, 0) = 0 AND annotator_id = ? AND experiment_id = ? ORDER BY image_index`,
    )
    .raw()
    .all(id, experimentId) as [number, string, string, string][];
  return rows.map(([imageIndex, categories, note, labeledAt]) => ({ imageIndex, categories: parseCategories(categories), note, labeledAt }));
}

export function getLabel(db: Db, experimentId: number, annotator: string, imageIndex: number): StoredLabel | null {
  const id = annotatorId(db, checkAnnotatorName(annotator), false);
  if (id === undefined) return null;
  const row = db
    .prepare('SELECT categories, note, labeled_at FROM labels WHERE ifnull(study_id, 0) = 0 AND annotator_id = ? AND experiment_id = ? AND image_index = ?')
    .raw()
    .get(id, experimentId, imageIndex) as [string, string, string] | undefined;
  return row ? { imageIndex, categories: parseCategories(row[0]), note: row[1], labeledAt: row[2] } : null;
}

export interface SetLabelInput {
  experimentId: number;
  annotator: string;
  imageIndex: number;
  categories: readonly string[];
  /** Left as stored when undefined. */
  note?: string;
}

/**
 * Saves one label in one transaction and returns what is stored (null: the image has
 * no label any more: categories [] deletes it). Durable when this returns (WAL, synchronous=FULL).
 */
export function setLabel(db: Db, input: SetLabelInput): StoredLabel | null {
  const annotator = checkAnnotatorName(input.annotator);
  if (input.note !== undefined && input.note.length > MAX_NOTE_LENGTH) throw new UserError(`a note can hold at most ${MAX_NOTE_LENGTH} characters`);
  return db.transaction((): StoredLabel | null => {
    const images = checkExperiment(db, input.experimentId);
    if (!Number.isInteger(input.imageIndex) || input.imageIndex < 0 || input.imageIndex >= images) {
      throw new UserError(`image ${input.imageIndex} is not in experiment ${input.experimentId} (it has images 0..${images - 1})`);
    }
    const categories = normalizeCategories(db, input.categories);
    const id = annotatorId(db, annotator, true);
    const where = 'ifnull(study_id, 0) = 0 AND annotator_id = ? AND experiment_id = ? AND image_index = ?';
    const existing = db.prepare(`SELECT id, note FROM labels WHERE ${where}`).get(id, input.experimentId, input.imageIndex) as { id: number; note: string } | undefined;
    const note = input.note ?? existing?.note ?? '';
    if (categories.length === 0) {
      if (input.note !== undefined && input.note.trim() !== '') throw new UserError(`a note needs a label: choose a category, or '${NONE}'`);
      if (existing) db.prepare('DELETE FROM labels WHERE id = ?').run(existing.id);
      return null;
    }
    const labeledAt = nowIso();
    if (existing) {
      db.prepare('UPDATE labels SET categories = ?, note = ?, labeled_at = ? WHERE id = ?').run(storedCategories(categories), note, labeledAt, existing.id);
    } else {
      db.prepare('INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, note, labeled_at) VALUES (NULL, ?, ?, ?, ?, ?, ?)').run(
        id,
        input.experimentId,
        input.imageIndex,
        storedCategories(categories),
        note,
        labeledAt,
      );
    }
    return { imageIndex: input.imageIndex, categories, note, labeledAt };
  }).immediate();
}
