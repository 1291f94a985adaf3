/**
 * A study's statistics as a file: JSON byte for byte as `pie-audit study report --json`
 * prints it, or CSV with one row per label category (the report's per-category numbers,
 * intervals split into low and high columns). Like every export, the file appears only
 * when complete.
 */
import fs from 'node:fs';
import type { ReadableDb } from '../db/database.js';
import { studyReport, type StudyReport } from '../study/report.js';
import { getStudy } from '../study/store.js';
import { writeRows, type Row } from './writers.js';

export type StudyReportFormat = 'json' | 'csv';

export const STUDY_REPORT_COLUMNS = [
  'study_id', 'study_name', 'variant', 'blind', 'n_pies', 'n_controls', 'pies_labeled', 'controls_labeled', 'annotators',
  'category', 'pie_count', 'pie_share', 'pie_ci_low', 'pie_ci_high', 'control_count', 'control_share', 'control_ci_low', 'control_ci_high',
  'ratio', 'fisher_p', 'fleiss_kappa', 'krippendorff_alpha', 'gwet_ac1',
] as const;

/** The report's text exactly as the CLI's --json prints it (console.log adds the newline). */
export function studyReportJson(report: StudyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** One row per category, the study's own fields repeated on each (a table pandas reads whole). */
export function studyReportRows(report: StudyReport): Row[] {
  return report.categories.map((c) => ({
    study_id: report.study_id,
    study_name: report.name,
    variant: report.variant,
    blind: report.blind ? 1 : 0,
    n_pies: report.n_pies,
    n_controls: report.n_controls,
    pies_labeled: report.pies_labeled,
    controls_labeled: report.controls_labeled,
    annotators: report.annotators.join(';'),
    category: c.name,
    pie_count: c.pie_count,
    pie_share: c.pie_share,
    pie_ci_low: c.pie_ci[0],
    pie_ci_high: c.pie_ci[1],
    control_count: c.control_count,
    control_share: c.control_share,
    control_ci_low: c.control_ci[0],
    control_ci_high: c.control_ci[1],
    ratio: c.ratio,
    fisher_p: c.fisher_p,
    fleiss_kappa: c.fleiss_kappa,
    krippendorff_alpha: c.krippendorff_alpha,
    gwet_ac1: c.gwet_ac1,
  }));
}

/** A file name to offer: pie-audit-<dataset>-study<id>-report.<format>. */
export function studyReportFileName(db: ReadableDb, studyId: number, format: StudyReportFormat): string {
  const study = getStudy(db, studyId);
  const safe = study.dataset.replace(/[^\w.+-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'experiment';
  return `pie-audit-${safe}-study${study.id}-report.${format}`;
}

/** Writes the statistics of a study; resolves with the number of category rows. */
export async function writeStudyReport(db: ReadableDb, studyId: number, format: StudyReportFormat, out: string): Promise<number> {
  const report = studyReport(db, studyId);
  if (format === 'csv') return writeRows(out, 'csv', STUDY_REPORT_COLUMNS, studyReportRows(report));
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, studyReportJson(report));
    fs.renameSync(tmp, out);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  return report.categories.length;
}
