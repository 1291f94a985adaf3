/**
 * Every export, for the API's export.file and `pie-audit export` alike (tables, columns
 * and formats as docs/exports.md documents them): written to a file that appears only when
 * complete (writeRows writes beside it, then renames).
 */
import { refreshAnalysis } from '../analysis/refresh.js';
import type { Db } from '../db/database.js';
import { CLASS_IMPACT_COLUMNS, PIE_COLUMNS, classImpactRows, pieRows } from '../export/analysis-tables.js';
import { experimentDatasetName, resolveExperiment } from '../sql/experiments.js';
import { MODEL_COLUMNS, modelExportRows } from '../sql/models.js';
import { PREDICTION_COLUMNS, predictionExportRows } from '../sql/predictions.js';
import { writeRows, type ExportFormat } from '../export/writers.js';
import { LABEL_COLUMNS, auditLabelRows, studyLabelRows } from '../export/label-tables.js';
import { SHIFT_COLUMNS, shiftRows } from '../export/shift-tables.js';
import { subgroupColumns, subgroupRows } from '../export/subgroup-table.js';
import { getStudy } from '../study/store.js';
import { resolvePositiveClass } from '../analysis/subgroup-impact.js';
import { classNamer, withTrueClassName } from '../export/class-names.js';

export type ExportTable = 'labels' | 'pies' | 'class-impact' | 'shift' | 'subgroup-impact' | 'predictions' | 'models' | 'study';

export interface ExportRequest {
  experimentId?: number;
  /** table 'study': the study (default: the newest) */
  studyId?: number;
  table: ExportTable;
  format: ExportFormat;
  /** pies and subgroup-impact: CIEs are the images at or above this quantile of cie_distance (default 0.9) */
  cieQuantile?: number;
  /** subgroup-impact: adds fpr_change and fnr_change for this class (name or label) */
  positiveClass?: string;
}

/** A file name to offer: pie-audit-<dataset>-e<id>-<table>.<format>, safe on every OS. */
export function exportFileName(db: Db, request: ExportRequest): string {
  if (request.table === 'study') {
    const study = getStudy(db, request.studyId);
    const safe = study.dataset.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
    return `pie-audit-${safe}-study${study.id}.${request.format}`;
  }
  const experimentId = resolveExperiment(db, request.experimentId);
  const dataset = experimentDatasetName(db, experimentId) ?? 'experiment';
  const safe = dataset.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
  return `pie-audit-${safe}-e${experimentId}-${request.table}.${request.format}`;
}

/**
 * Refuses, before any file or download is offered, what writeExport would refuse only
 * once under way: an unknown positive class (browser mode's download would otherwise
 * fail after the page had already started it).
 */
export function checkExportRequest(db: Db, request: ExportRequest): void {
  if (request.table === 'subgroup-impact' && request.positiveClass !== undefined) resolvePositiveClass(db, resolveExperiment(db, request.experimentId), request.positiveClass);
}

/**
 * writeRows awaits the file stream between rows, and a better-sqlite3 connection with
 * an open iterator refuses every other statement: the app's other calls (a label
 * being saved) would fail meanwhile. So every table is read in synchronous pieces:
 * small ones whole, predictions one model at a time (predictionExportRows).
 */
export async function writeExport(db: Db, request: ExportRequest, out: string): Promise<{ rows: number; experimentId: number }> {
  if (request.table === 'study') {
    // is_pie stays empty while the study is blind (studyLabelRows).
    const study = getStudy(db, request.studyId);
    return { rows: await writeRows(out, request.format, LABEL_COLUMNS, studyLabelRows(db, study.id)), experimentId: study.experimentId };
  }
  const experimentId = resolveExperiment(db, request.experimentId);
  // The analysis tables are read from the stored analysis: the explicit step for a database left stale (a no-op when current).
  if (request.table === 'pies' || request.table === 'class-impact' || request.table === 'subgroup-impact' || request.table === 'shift') refreshAnalysis(db, experimentId);
  const { format } = request;
  let rows: number;
  switch (request.table) {
    case 'labels':
      rows = await writeRows(out, format, LABEL_COLUMNS, auditLabelRows(db, experimentId));
      break;
    case 'pies':
      rows = await writeRows(out, format, PIE_COLUMNS, [...pieRows(db, experimentId, { cieQuantile: request.cieQuantile })]);
      break;
    case 'class-impact':
      rows = await writeRows(out, format, CLASS_IMPACT_COLUMNS, classImpactRows(db, experimentId));
      break;
    case 'shift':
      rows = await writeRows(out, format, SHIFT_COLUMNS, shiftRows(db, experimentId));
      break;
    case 'subgroup-impact': {
      const options = { cieQuantile: request.cieQuantile, positiveClass: request.positiveClass };
      rows = await writeRows(out, format, subgroupColumns(options), subgroupRows(db, experimentId, options));
      break;
    }
    case 'predictions':
      rows = await writeRows(out, format, PREDICTION_COLUMNS, withTrueClassName(predictionExportRows(db, experimentId), classNamer(db, experimentId)));
      break;
    case 'models':
      rows = await writeRows(out, format, MODEL_COLUMNS, modelExportRows(db, experimentId));
      break;
  }
  return { rows, experimentId };
}
