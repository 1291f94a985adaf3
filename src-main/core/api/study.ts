/**
 * The human study behind the API's study.* methods. What an annotator gets here is the
 * image, its true label and their own label: never the PIE flag and never a model
 * output (those stay in study_items.is_pie and the analysis tables), so a blind study
 * stays blind on screen. The report carries is_pie only after unblinding (studyReport).
 */
import { classNames } from '../analysis/report.js';
import type { Db } from '../db/database.js';
import { fromStored } from '../labels/store.js';
import { studyItemCount } from '../sql/studies.js';
import { annotatorStudyLabels, setStudyLabel, studyProgress, type StudyLabel } from '../study/labels.js';
import { createStudy, getStudy, listStudies, studyItems, unblindStudy, type StudyRow } from '../study/store.js';
import type { ApiRequest, ApiResponse, LabelDto, StudySummaryDto } from './contract.js';

function summary(db: Db, study: StudyRow): StudySummaryDto {
  return { ...study, total: studyItemCount(db, study.id), progress: studyProgress(db, study.id) };
}

/** Study labels store `none` as []; the API spells it ['none'] (as labels.* do). */
function toLabel(label: StudyLabel): LabelDto {
  return { imageIndex: label.imageIndex, categories: fromStored(label.categories), note: label.note, labeledAt: label.labeledAt };
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
  const label = setStudyLabel(db, { studyId: request.studyId, annotator, imageIndex: request.imageIndex, categories: request.categories, note: request.note });
  const progress = studyProgress(db, request.studyId);
  return { annotator, label, labeled: progress.find((p) => p.annotator === annotator)?.labeled ?? 0, total: studyItemCount(db, request.studyId) };
}

export function unblindStudySummary(db: Db, studyId: number): StudySummaryDto {
  unblindStudy(db, studyId);
  return summary(db, getStudy(db, studyId));
}
