import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { refuseNonUtf8Text } from '../import/text-encoding.js';
import { UserError, errorMessage } from '../errors.js';
import { parseCsvText } from '../import/csv-text.js';
import { MAX_NOTE_LENGTH, NONE, normalizeCategories, toStored } from '../labels/store.js';
import { annotatorLabel } from '../sql/labels.js';
import { studyItemRows } from '../sql/studies.js';
import { inTransaction } from '../sql/transaction.js';
import { setStudyLabel } from './labels.js';
import { listStudies, type StudyRow } from './store.js';

const REQUIRED = ['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'categories', 'labeled_at'] as const;
const MAX_FILE_BYTES = 64 << 20;

export interface ImportSummary {
  files: number;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** rows older than the label already stored for the same annotator and image */
  older: number;
  studyId: number;
}

type Record = { [key: string]: unknown };

/** A label file's records, each with where it stands: its line (CSV, JSONL) or its place in the array (JSON). */
function readRecords(file: string): { record: Record; line: number }[] {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > MAX_FILE_BYTES) throw new UserError(`${file}: too large for a label file (${stat.size} bytes)`);
    refuseNonUtf8Text(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  if (text.trim() === '') throw new UserError(`${file}: empty file`);
  const ext = path.extname(file).toLowerCase();
  try {
    if (ext === '.json') {
      const data = JSON.parse(text) as unknown;
      if (!Array.isArray(data)) throw new UserError(`${file}: expected a JSON array of labels`);
      return (data as Record[]).map((record, i) => ({ record, line: i + 1 }));
    }
    if (ext === '.jsonl') {
      const lines = text.split(/\r?\n/).map((l, i) => ({ l, line: i + 1 }));
      return lines.filter(({ l }) => l.trim() !== '').map(({ l, line }) => ({ record: JSON.parse(l) as Record, line }));
    }
    const [header, ...rows] = parseCsvText(text);
    const names = header?.fields ?? [];
    return rows.map(({ fields, line }) => ({ record: Object.fromEntries(names.map((name, c) => [name, fields[c]])), line }));
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${file}: not a label file (${errorMessage(error).slice(0, 160)})`);
  }
}

/** A label file's categories cell ('a;b', 'none'; an empty cell is none) as a list. */
function splitCategories(cell: string): string[] {
  const names = cell.split(';').map((c) => c.trim()).filter((c) => c !== '');
  return names.length === 0 ? [NONE] : names;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * study import-labels: other annotators' exports, matched to a local study by its
 * fingerprint (or id) and to its images by dataset and image index, never by row
 * order. All files are checked first and written in one transaction; the newer label
 * wins for an annotator and image, so importing the same file twice changes nothing.
 */
export function importStudyLabels(db: Db, files: string[]): ImportSummary {
  if (files.length === 0) throw new UserError('no label files given');
  const studies = listStudies(db);
  const pending: { file: string; line: number; study: StudyRow; record: Record }[] = [];
  let target: StudyRow | undefined;
  for (const file of files) {
    const records = readRecords(file);
    if (records.length === 0) throw new UserError(`${file}: no labels in it`);
    const missing = REQUIRED.filter((c) => !(c in (records[0]?.record ?? {})));
    if (missing.length) throw new UserError(`${file}: missing columns ${missing.join(', ')} (expected the columns of pie-audit export study)`);
    records.forEach(({ record, line }) => {
      const where = `${file}:${line}`;
      const fingerprint = text(record.study_fingerprint);
      const study = fingerprint ? studies.find((s) => s.fingerprint === fingerprint) : studies.find((s) => String(s.id) === text(record.study_id));
      if (!study) throw new UserError(`${where}: no matching study here (${fingerprint ? `fingerprint ${fingerprint.slice(0, 12)}...` : `study ${text(record.study_id)}`}); create the same study first`);
      if (target && study.id !== target.id) throw new UserError(`${where}: labels of two different studies in one import`);
      target = study;
      if (text(record.dataset) !== study.dataset) throw new UserError(`${where}: dataset '${text(record.dataset).slice(0, 60)}' differs from the study's '${study.dataset}'`);
      pending.push({ file, line, study, record });
    });
  }
  if (!target) throw new UserError('no labels to import');
  const study = target;
  const items = new Map(studyItemRows(db, study.id).map((item) => [item.imageIndex, item.trueLabel]));
  const scope = { experimentId: study.experimentId, studyId: study.id };
  const summary: ImportSummary = { files: files.length, rows: pending.length, inserted: 0, updated: 0, unchanged: 0, older: 0, studyId: study.id };
  // Validate every row before writing any.
  const rows = pending.map(({ file, line, record }) => {
    const where = `${file}:${line}`;
    const imageIndex = Number(text(record.image_index));
    if (!Number.isInteger(imageIndex) || imageIndex < 0) throw new UserError(`${where}: image_index '${text(record.image_index).slice(0, 40)}' is not a non-negative integer`);
    const trueLabel = items.get(imageIndex);
    if (trueLabel === undefined) throw new UserError(`${where}: image ${imageIndex} is not in study ${study.id}`);
    if (text(record.true_label) !== String(trueLabel)) throw new UserError(`${where}: true_label ${text(record.true_label).slice(0, 20)} of image ${imageIndex} differs from the study's ${trueLabel}`);
    const labeledAt = text(record.labeled_at);
    if (Number.isNaN(Date.parse(labeledAt))) throw new UserError(`${where}: labeled_at '${labeledAt.slice(0, 40)}' is not an ISO 8601 time`);
    let categories: string[];
    try {
      categories = normalizeCategories(db, splitCategories(text(record.categories)), 'category');
    } catch (error) {
      throw new UserError(`${where}: ${errorMessage(error)}`);
    }
    const annotator = text(record.annotator).trim();
    if (annotator === '') throw new UserError(`${where}: no annotator`);
    const note = text(record.note);
    if (note.length > MAX_NOTE_LENGTH) throw new UserError(`${where}: a note can hold at most ${MAX_NOTE_LENGTH} characters`);
    return { annotator, imageIndex, categories, note, labeledAt: new Date(labeledAt).toISOString() };
  });
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.annotator}\u0000${r.imageIndex}`;
    if (seen.has(key)) throw new UserError(`two labels by ${r.annotator} for image ${r.imageIndex} in this import`);
    seen.add(key);
  }
  inTransaction(db, () => {
    for (const r of rows) {
      const stored = annotatorLabel(db, scope, r.annotator, r.imageIndex);
      if (stored) {
        if (JSON.stringify(stored.categories) === JSON.stringify(toStored(r.categories)) && stored.note === r.note && stored.labeledAt === r.labeledAt) {
          summary.unchanged++;
          continue;
        }
        if (Date.parse(stored.labeledAt) >= Date.parse(r.labeledAt)) {
          summary.older++;
          continue;
        }
        summary.updated++;
      } else summary.inserted++;
      setStudyLabel(db, { studyId: study.id, annotator: r.annotator, imageIndex: r.imageIndex, categories: r.categories, note: r.note, labeledAt: r.labeledAt });
    }
  });
  return summary;
}
