/**
 * `pie-audit study items`: a study's images in presentation order as a file, never the
 * PIE flag (safe while blind). The app has no such method; its settings are checked
 * against StudyItemsFileSchema, built from the contract's study id and file formats.
 */
import { z } from 'zod';
import { StudyId } from '../api/contract/common.js';
import { StudyFileFormat } from '../api/contract/studies.js';
import { classNamer } from '../export/class-names.js';
import { writeRows } from '../export/writers.js';
import type { ReadableDb } from '../sql/handles.js';
import { getStudy, studyItems } from './store.js';

export const StudyItemsFileSchema = z.object({ studyId: StudyId.optional(), format: StudyFileFormat }).strict();
export type StudyItemsFileRequest = z.output<typeof StudyItemsFileSchema>;

const COLUMNS = ['study_id', 'position', 'dataset', 'image_index', 'true_label', 'true_class_name'] as const;

/** Writes the study's items (default: the newest study) to `out`; the number of rows written. */
export async function writeStudyItems(db: ReadableDb, request: StudyItemsFileRequest, out: string): Promise<number> {
  const study = getStudy(db, request.studyId);
  const className = classNamer(db, study.experimentId);
  const rows = studyItems(db, study.id).map((i) => ({ study_id: study.id, position: i.position, dataset: study.dataset, image_index: i.imageIndex, true_label: i.trueLabel, true_class_name: className(i.trueLabel) }));
  return writeRows(out, request.format, COLUMNS, rows);
}
