/**
 * Labels, free-audit and study alike: one annotator's judgement of one image, saved by
 * one writer under one set of rules (annotator names, categories, note length). A free-
 * audit label belongs to an experiment (study_id NULL); a study label to a study.
 * Every write is one transaction, and the database runs WAL with synchronous=FULL, so
 * a label is on disk when the call returns.
 *
 * Through this module `none` (a typical, clean image) is spelled ['none'] and [] means
 * "no label": saving it deletes the row (undo back to unlabeled does this). Stored, a
 * `none` label is [] (see core/sql/labels.ts). A note needs a label.
 */
import os from 'node:os';
import { MAX_NOTE_LENGTH } from '../api/contract/common.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { categoryNames } from '../schema/categories.js';
import { requireExperimentImages } from '../sql/experiments.js';
import type { ReadableDb, WritableDb } from '../sql/handles.js';
import { annotatorId, annotatorLabel, annotatorLabels, deleteLabel, inWriteTransaction, upsertLabel, type LabelRow, type LabelScope } from '../sql/labels.js';
import { getSetting, setSetting } from '../sql/settings.js';
import { studyHasImage } from '../sql/studies.js';

export { MAX_NOTE_LENGTH };
export const NONE = 'none';
/** 1-100 characters, no control characters. */
const ANNOTATOR_PATTERN = /^[^\p{Cc}]{1,100}$/u;

export interface StoredLabel {
  imageIndex: number;
  /** category names in schema order, or ['none'] */
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

/** The annotator labels are saved under: the app setting, else the OS user. */
export function currentAnnotator(db: ReadableDb): string {
  const stored = getSetting(db, 'annotator');
  return typeof stored === 'string' && ANNOTATOR_PATTERN.test(stored) ? stored : osAnnotator();
}

export function setCurrentAnnotator(db: WritableDb, name: string): string {
  const checked = checkAnnotatorName(name);
  setSetting(db, 'annotator', checked);
  return checked;
}

/**
 * Puts categories in schema order and checks them: known names only, no repeats, and
 * 'none' only alone. [] stays [] (no label). `unknownWording` names a category in the
 * refusal ('label category' in the audit, 'category' in studies and label files).
 */
export function normalizeCategories(db: ReadableDb, categories: readonly string[], unknownWording = 'label category'): string[] {
  const schema = categoryNames(db);
  const wanted = new Set(categories);
  if (wanted.size !== categories.length) throw new UserError('a category is listed twice');
  if (wanted.has(NONE)) {
    if (wanted.size > 1) throw new UserError(`'${NONE}' cannot be combined with other categories (a typical, clean image has none)`);
    return [NONE];
  }
  for (const name of wanted) {
    if (!schema.includes(name)) throw new UserError(`unknown ${unknownWording} '${name.slice(0, 80)}' (the schema has: ${schema.join(', ')}, or ${NONE})`);
  }
  return schema.filter((name) => wanted.has(name));
}

/** Stored categories ([] is `none`) in this module's spelling. */
export function fromStored(categories: readonly string[]): string[] {
  return categories.length === 0 ? [NONE] : [...categories];
}

/** This module's categories in stored form. */
export function toStored(categories: readonly string[]): string[] {
  return categories.length === 1 && categories[0] === NONE ? [] : [...categories];
}

function toStoredLabel(row: LabelRow): StoredLabel {
  return { imageIndex: row.imageIndex, categories: fromStored(row.categories), note: row.note, labeledAt: row.labeledAt };
}

const auditScope = (experimentId: number): LabelScope => ({ experimentId, studyId: null });

/** Every free-audit label of one annotator on one experiment, by image index. */
export function listLabels(db: ReadableDb, experimentId: number, annotator: string): StoredLabel[] {
  requireExperimentImages(db, experimentId);
  return annotatorLabels(db, auditScope(experimentId), checkAnnotatorName(annotator)).map(toStoredLabel);
}

export function getLabel(db: ReadableDb, experimentId: number, annotator: string, imageIndex: number): StoredLabel | null {
  const row = annotatorLabel(db, auditScope(experimentId), checkAnnotatorName(annotator), imageIndex);
  return row ? toStoredLabel(row) : null;
}

export interface SaveLabelInput {
  scope: LabelScope;
  annotator: string;
  imageIndex: number;
  /** [] removes the label; ['none'] marks a typical, clean image */
  categories: readonly string[];
  /** Left as stored when undefined. */
  note?: string;
  /** When the label was made (label imports keep the original time); now by default. */
  labeledAt?: string;
  /** How a refused category is named (see normalizeCategories). */
  unknownWording?: string;
}

/** Refuses an image outside the scope: beyond the experiment's images, or not drawn for the study. */
function checkImageInScope(db: ReadableDb, scope: LabelScope, imageIndex: number): void {
  if (scope.studyId !== null) {
    if (!studyHasImage(db, scope.studyId, imageIndex)) throw new UserError(`image ${imageIndex} is not in study ${scope.studyId}`);
    return;
  }
  const images = requireExperimentImages(db, scope.experimentId);
  if (!Number.isInteger(imageIndex) || imageIndex < 0 || imageIndex >= images) {
    throw new UserError(`image ${imageIndex} is not in experiment ${scope.experimentId} (it has images 0..${images - 1})`);
  }
}

/**
 * The one label writer: saves one label in one transaction and returns what is
 * stored (null: the image has no label any more). Durable when this returns.
 */
export function saveLabel(db: WritableDb, input: SaveLabelInput): StoredLabel | null {
  const annotator = checkAnnotatorName(input.annotator);
  if (input.note !== undefined && input.note.length > MAX_NOTE_LENGTH) throw new UserError(`a note can hold at most ${MAX_NOTE_LENGTH} characters`);
  return inWriteTransaction(db, (): StoredLabel | null => {
    checkImageInScope(db, input.scope, input.imageIndex);
    const categories = normalizeCategories(db, input.categories, input.unknownWording);
    const existing = annotatorLabel(db, input.scope, annotator, input.imageIndex);
    if (categories.length === 0) {
      if (input.note !== undefined && input.note.trim() !== '') throw new UserError(`a note needs a label: choose a category, or '${NONE}'`);
      if (existing) deleteLabel(db, input.scope, annotatorId(db, annotator, true), input.imageIndex);
      return null;
    }
    const note = input.note ?? existing?.note ?? '';
    const labeledAt = input.labeledAt ?? nowIso();
    upsertLabel(db, input.scope, annotatorId(db, annotator, true), input.imageIndex, toStored(categories), note, labeledAt);
    return { imageIndex: input.imageIndex, categories, note, labeledAt };
  });
}

export interface SetLabelInput {
  experimentId: number;
  annotator: string;
  imageIndex: number;
  categories: readonly string[];
  /** Left as stored when undefined. */
  note?: string;
}

/** A free-audit label (see saveLabel). */
export function setLabel(db: WritableDb, input: SetLabelInput): StoredLabel | null {
  const { experimentId, ...rest } = input;
  return saveLabel(db, { ...rest, scope: auditScope(experimentId) });
}
