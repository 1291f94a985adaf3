/**
 * The export behind the API's export.file: the same tables, rows and formats as
 * `pie-audit export` (DESIGN.md section 5; free-audit labels through the CLI's
 * auditLabelRows), written to a file that appears only when complete (writeRows
 * writes beside it, then renames).
 */
import type { Db } from '../db/database.js';
import { CLASS_IMPACT_COLUMNS, PIE_COLUMNS, classImpactRows, pieRows } from '../export/analysis-tables.js';
import { MODEL_COLUMNS, PREDICTION_COLUMNS, modelRows, resolveExperiment } from '../export/tables.js';
import { writeRows, type ExportFormat, type Row } from '../export/writers.js';
import { LABEL_COLUMNS, auditLabelRows, studyLabelRows } from '../export/label-tables.js';
import { getStudy } from '../study/store.js';
import { evalPredictionRows, evalRunPairs } from '../sql/eval-sets.js';

export type ExportTable = 'labels' | 'pies' | 'class-impact' | 'predictions' | 'models' | 'study';

export interface ExportRequest {
  experimentId?: number;
  /** table 'study': the study (default: the newest) */
  studyId?: number;
  table: ExportTable;
  format: ExportFormat;
}

/** A file name to offer: pie-audit-<dataset>-e<id>-<table>.<format>, safe on every OS. */
export function exportFileName(db: Db, request: ExportRequest): string {
  if (request.table === 'study') {
    const study = getStudy(db, request.studyId);
    const safe = study.dataset.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
    return `pie-audit-${safe}-study${study.id}.${request.format}`;
  }
  const experimentId = resolveExperiment(db, request.experimentId);
  const dataset = (db.prepare('SELECT coalesce(d.name, e.name) FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?').pluck().get(experimentId) as string | undefined) ?? 'experiment';
  const safe = dataset.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
  return `pie-audit-${safe}-e${experimentId}-${request.table}.${request.format}`;
}

/**
 * writeRows awaits the file stream between rows, and a better-sqlite3 connection with
 * an open iterator refuses every other statement: the app's other calls (a label
 * being saved) would fail meanwhile. So every table is read in synchronous pieces:
 * small ones whole, predictions one model at a time (one key range each), with the
 * columns and order of predictionRows.
 */
function* predictionPages(db: Db, experimentId: number): Iterable<Row> {
  const models = db.prepare("SELECT id FROM models WHERE experiment_id = ? AND status = 'done' ORDER BY id").pluck().all(experimentId) as number[];
  const page = db.prepare(
    `SELECT p.model_id, m.variant, m.target_sparsity, m.seed, p.image_index, ei.true_label, p.predicted_label,
            p.predicted_probability, p.true_label_probability, 'clean' AS eval_set
     FROM models m
     JOIN predictions p ON p.model_id = m.id
     JOIN experiment_images ei ON ei.experiment_id = m.experiment_id AND ei.image_index = p.image_index
     WHERE m.id = ?
     ORDER BY p.image_index`,
  );
  for (const id of models) yield* page.all(id) as Row[];
  for (const { set, modelId } of evalRunPairs(db, experimentId)) yield* evalPredictionRows(db, set, modelId) as Row[];
}

export async function writeExport(db: Db, request: ExportRequest, out: string): Promise<{ rows: number; experimentId: number }> {
  if (request.table === 'study') {
    // is_pie stays empty while the study is blind (studyLabelRows).
    const study = getStudy(db, request.studyId);
    return { rows: await writeRows(out, request.format, LABEL_COLUMNS, studyLabelRows(db, study.id)), experimentId: study.experimentId };
  }
  const experimentId = resolveExperiment(db, request.experimentId);
  const { format } = request;
  let rows: number;
  switch (request.table) {
    case 'labels':
      rows = await writeRows(out, format, LABEL_COLUMNS, auditLabelRows(db, experimentId));
      break;
    case 'pies':
      rows = await writeRows(out, format, PIE_COLUMNS, [...pieRows(db, experimentId)]);
      break;
    case 'class-impact':
      rows = await writeRows(out, format, CLASS_IMPACT_COLUMNS, classImpactRows(db, experimentId));
      break;
    case 'predictions':
      rows = await writeRows(out, format, PREDICTION_COLUMNS, predictionPages(db, experimentId));
      break;
    case 'models':
      rows = await writeRows(out, format, MODEL_COLUMNS, [...modelRows(db, experimentId)]);
      break;
  }
  return { rows, experimentId };
}
