import crypto from 'node:crypto';
import type { Db } from '../db/database.js';
import { StudySettingsSchema } from '../api/contract/studies.js';
import { checkRequest, optionName } from '../api/validate.js';
import { UserError } from '../errors.js';
import { ensureAnalysis } from '../analysis/analyse.js';
import { listCategories } from '../schema/categories.js';
import { variantImageFlags } from '../sql/analysis.js';
import { experimentDatasetFingerprint } from '../sql/experiments.js';
import type { ReadableDb, WritableDb } from '../sql/handles.js';
import { finishedCompressedVariants } from '../sql/models.js';
import { findStudyRow, insertStudy, listStudyRows, setStudyUnblinded, studyItemRows, type StudyItem, type StudyRow } from '../sql/studies.js';
import { sampleStudy, type Candidate } from './design.js';

export type { StudyItem, StudyRow } from '../sql/studies.js';

/** The study asked for, or the newest one. */
export function getStudy(db: ReadableDb, studyId?: number): StudyRow {
  const study = findStudyRow(db, studyId);
  if (!study) throw new UserError(studyId === undefined ? 'no studies yet (create one: pie-audit study create)' : `no study ${studyId}`);
  return study;
}

export function listStudies(db: ReadableDb): StudyRow[] {
  return listStudyRows(db);
}

/** '0.9' names the magnitude variant of that sparsity; any other text a variant by name. */
export function resolveVariant(db: ReadableDb, experimentId: number, wanted?: string): string {
  const variants = finishedCompressedVariants(db, experimentId);
  if (variants.length === 0) throw new UserError(`experiment ${experimentId} has no compressed variant to study`);
  if (wanted === undefined) {
    const magnitude = variants.filter((v) => v.method === 'magnitude').sort((a, b) => b.targetSparsity - a.targetSparsity);
    return (magnitude[0] ?? variants[0])?.variant ?? '';
  }
  const byName = variants.find((v) => v.variant === wanted);
  if (byName) return byName.variant;
  const sparsity = Number(wanted);
  const bySparsity = Number.isFinite(sparsity) ? variants.find((v) => v.method === 'magnitude' && Math.abs(v.targetSparsity - sparsity) < 1e-9) : undefined;
  if (bySparsity) return bySparsity.variant;
  throw new UserError(`no variant '${wanted}' in experiment ${experimentId} (have: ${variants.map((v) => v.variant).join(', ')})`);
}

export interface CreateStudyRequest {
  name: string;
  experimentId: number;
  variant?: string;
  nPies: number;
  nControls: number;
  seed: number;
}

/** Draws and stores a blind study with its design, so it can be reproduced. */
export function createStudy(db: Db, request: CreateStudyRequest): StudyRow {
  // The ranges of the API and the command line (StudySettingsSchema).
  checkRequest(StudySettingsSchema, { name: request.name, experimentId: request.experimentId, variant: request.variant, pies: request.nPies, controls: request.nControls, seed: request.seed }, { name: optionName });
  ensureAnalysis(db, request.experimentId);
  const variant = resolveVariant(db, request.experimentId, request.variant);
  const candidates: Candidate[] = variantImageFlags(db, request.experimentId, variant);
  const pies = candidates.filter((c) => c.isPie).length;
  if (request.nPies > pies) throw new UserError(`variant ${variant} has ${pies} PIEs; cannot draw ${request.nPies}`);
  if (request.nControls > candidates.length - pies) throw new UserError(`variant ${variant} has ${candidates.length - pies} non-PIEs; cannot draw ${request.nControls} controls`);
  const sample = sampleStudy(candidates, request.nPies, request.nControls, request.seed);
  const datasetFingerprint = experimentDatasetFingerprint(db, request.experimentId);
  const fingerprint = crypto
    .createHash('sha256')
    .update(JSON.stringify({ dataset: datasetFingerprint, variant, seed: request.seed, items: sample.items.map((i) => [i.imageIndex, i.trueLabel]) }))
    .digest('hex');
  const schema = listCategories(db).map(({ name, description, key }) => ({ name, description, key }));
  const design = { fingerprint, datasetFingerprint, strata: sample.strata, schema };
  const id = insertStudy(db, {
    name: request.name,
    experimentId: request.experimentId,
    variant,
    nPies: request.nPies,
    nControls: request.nControls,
    seed: request.seed,
    design,
    items: sample.items,
  });
  return getStudy(db, id);
}

/** What an annotator sees: position, image and true label; never the PIE flag. */
export function studyItems(db: ReadableDb, studyId: number): StudyItem[] {
  return studyItemRows(db, studyId);
}

export function unblindStudy(db: WritableDb, studyId: number): void {
  getStudy(db, studyId);
  setStudyUnblinded(db, studyId);
}
