/**
 * The human study behind the API's study.* methods. What an annotator gets here is the
 * image, its true label and their own label: never the PIE flag and never a model
 * output (those stay in study_items.is_pie and the analysis tables), so a blind study
 * stays blind on screen. The report carries is_pie only after unblinding (studyReport).
 */
import { classNames } from '../analysis/report.js';
import type { Db } from '../db/database.js';
import { annotatorStudyLabels, removeStudyLabel, setStudyLabel, studyProgress, type StudyLabel } from '../study/labels.js';
import { createStudy, getStudy, listStudies, studyItems, unblindStudy, type StudyRow } from '../study/store.js';
import type { ApiRequest, ApiResponse, LabelDto, StudySummaryDto } from './contract.js';

function summary(db: Db, study: StudyRow): StudySummaryDto {
  const total = db.prepare('SELECT count(*) FROM study_items WHERE study_id = ?').pluck().get(study.id) as number;
  return { ...study, total, progress: studyProgress(db, study.id) };
}

/** Study labels store `none` as []; the API spells it ['none'] (as labels.* do). */
function toLabel(label: StudyLabel): LabelDto {
  return { imageIndex: label.imageIndex, categories: label.categories.length ? label.categories : ['none'], note: label.note, labeledAt: label.labeledAt };
}

export function listStudySummaries(db: Db): StudySummaryDto[] {
  return listStudies(db).map((s) => summary(db, s));
}

export function createStudySummary(db: Db, request: ApiRequest<'study.create'>): StudySummaryDto {
  const created = createStudy(db, {
    name: request.name.trim(),
    experimentId: request.experimentId,
    variant: request.variant,
    nPies: request.pies,
    nControls: request.controls,
    seed: request.seed,
  });
  return summary(db, created);
}

export function studyItemsFor(db: Db, studyId: number, annotator: string): ApiResponse<'study.items'> {
  const study = getStudy(db, studyId);
  const classes = classNames(db, study.experimentId);
  const labels = annotatorStudyLabels(db, study.id, annotator);
  const items = studyItems(db, study.id).map((item) => {
    const label = labels.get(item.imageIndex);
    return {
      position: item.position,
      imageIndex: item.imageIndex,
      imageId: item.imageId,
      trueLabel: item.trueLabel,
      className: classes[item.trueLabel] ?? String(item.trueLabel),
      label: label ? toLabel(label) : null,
    };
  });
  return { studyId: study.id, name: study.name, blind: study.blind, annotator: annotator.trim(), total: items.length, labeled: labels.size, items };
}

export function setStudyLabelApi(db: Db, request: ApiRequest<'study.label'>): ApiResponse<'study.label'> {
  const annotator = request.annotator.trim();
  let label: LabelDto | null = null;
  if (request.categories.length === 0) {
    removeStudyLabel(db, request.studyId, annotator, request.imageIndex);
  } else {
    const note = request.note ?? annotatorStudyLabels(db, request.studyId, annotator).get(request.imageIndex)?.note ?? '';
    label = toLabel(setStudyLabel(db, { studyId: request.studyId, annotator, imageIndex: request.imageIndex, categories: request.categories, note }));
  }
  const progress = studyProgress(db, request.studyId);
  const total = db.prepare('SELECT count(*) FROM study_items WHERE study_id = ?').pluck().get(request.studyId) as number;
  return { annotator, label, labeled: progress.find((p) => p.annotator === annotator)?.labeled ?? 0, total };
}

export function unblindStudySummary(db: Db, studyId: number): StudySummaryDto {
  unblindStudy(db, studyId);
  return summary(db, getStudy(db, studyId));
}
