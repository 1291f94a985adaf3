import crypto from 'node:crypto';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { UserError } from '../errors.js';
import { ensureAnalysis } from '../analysis/analyse.js';
import { sampleStudy, type Candidate } from './design.js';

export interface StudyRow {
  id: number;
  name: string;
  experimentId: number;
  variant: string;
  nPies: number;
  nControls: number;
  seed: number;
  blind: boolean;
  fingerprint: string;
  /** The dataset name, or the experiment's name for a labels-only import. */
  dataset: string;
  createdAt: string;
}

export interface StudyItem {
  position: number;
  imageIndex: number;
  trueLabel: number;
  imageId: number | null;
}

interface RawStudy {
  id: number;
  name: string;
  experiment_id: number;
  variant: string;
  n_pies: number;
  n_controls: number;
  seed: number;
  blind: number;
  design: string;
  created_at: string;
  dataset: string;
}

function toStudy(r: RawStudy): StudyRow {
  const design = JSON.parse(r.design) as { fingerprint?: string };
  return {
    id: r.id,
    name: r.name,
    experimentId: r.experiment_id,
    variant: r.variant,
    nPies: r.n_pies,
    nControls: r.n_controls,
    seed: r.seed,
    blind: r.blind === 1,
    fingerprint: design.fingerprint ?? '',
    dataset: r.dataset,
    createdAt: r.created_at,
  };
}

const STUDY_SELECT = `SELECT s.*, coalesce(d.name, e.name) AS dataset FROM studies s
  JOIN experiments e ON e.id = s.experiment_id LEFT JOIN datasets d ON d.id = e.dataset_id`;

export function listStudies(db: Db): StudyRow[] {
  return (db.prepare(`${STUDY_SELECT} ORDER BY s.id`).all() as RawStudy[]).map(toStudy);
}

/** The study asked for, or the newest one. */
export function getStudy(db: Db, studyId?: number): StudyRow {
  const row = (
    studyId === undefined ? db.prepare(`${STUDY_SELECT} ORDER BY s.id DESC LIMIT 1`).get() : db.prepare(`${STUDY_SELECT} WHERE s.id = ?`).get(studyId)
  ) as RawStudy | undefined;
  if (!row) throw new UserError(studyId === undefined ? 'no studies yet (create one: pie-audit study create)' : `no study ${studyId}`);
  return toStudy(row);
}

/** '0.9' names the magnitude variant of that sparsity; any other text a variant by name. */
export function resolveVariant(db: Db, experimentId: number, wanted?: string): string {
  const variants = db.prepare("SELECT DISTINCT variant, method, target_sparsity FROM models WHERE experiment_id = ? AND status = 'done' AND variant <> 'dense'").all(experimentId) as {
    variant: string;
    method: string;
    target_sparsity: number;
  }[];
  if (variants.length === 0) throw new UserError(`experiment ${experimentId} has no compressed variant to study`);
  if (wanted === undefined) {
    const magnitude = variants.filter((v) => v.method === 'magnitude').sort((a, b) => b.target_sparsity - a.target_sparsity);
    return (magnitude[0] ?? variants[0])?.variant ?? '';
  }
  const byName = variants.find((v) => v.variant === wanted);
  if (byName) return byName.variant;
  const sparsity = Number(wanted);
  const bySparsity = Number.isFinite(sparsity) ? variants.find((v) => v.method === 'magnitude' && Math.abs(v.target_sparsity - sparsity) < 1e-9) : undefined;
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
  if (request.name.trim() === '' || request.name.length > 200) throw new UserError('a study needs a name (1-200 characters)');
  if (!Number.isInteger(request.nPies) || request.nPies < 1) throw new UserError('--pies must be a positive integer');
  if (!Number.isInteger(request.nControls) || request.nControls < 0) throw new UserError('--controls must be a non-negative integer');
  ensureAnalysis(db, request.experimentId);
  const variant = resolveVariant(db, request.experimentId, request.variant);
  const candidates = (
    db
      .prepare(
        `SELECT a.image_index, ei.true_label, a.is_pie FROM analysis_images a
         JOIN experiment_images ei ON ei.experiment_id = a.experiment_id AND ei.image_index = a.image_index
         WHERE a.experiment_id = ? AND a.variant = ? ORDER BY a.image_index`,
      )
      .all(request.experimentId, variant) as { image_index: number; true_label: number; is_pie: number }[]
  ).map((r): Candidate => ({ imageIndex: r.image_index, trueLabel: r.true_label, isPie: r.is_pie === 1 }));
  const pies = candidates.filter((c) => c.isPie).length;
  if (request.nPies > pies) throw new UserError(`variant ${variant} has ${pies} PIEs; cannot draw ${request.nPies}`);
  if (request.nControls > candidates.length - pies) throw new UserError(`variant ${variant} has ${candidates.length - pies} non-PIEs; cannot draw ${request.nControls} controls`);
  const sample = sampleStudy(candidates, request.nPies, request.nControls, request.seed);
  const datasetFingerprint = db.prepare('SELECT d.fingerprint FROM experiments e LEFT JOIN datasets d ON d.id = e.dataset_id WHERE e.id = ?').pluck().get(request.experimentId) as string | null;
  const fingerprint = crypto
    .createHash('sha256')
    .update(JSON.stringify({ dataset: datasetFingerprint, variant, seed: request.seed, items: sample.items.map((i) => [i.imageIndex, i.trueLabel]) }))
    .digest('hex');
  const schema = db.prepare('SELECT name, description, key FROM label_categories ORDER BY position').all();
  const design = { fingerprint, datasetFingerprint, strata: sample.strata, schema };
  const id = db.transaction(() => {
    const studyId = Number(
      db
        .prepare('INSERT INTO studies (name, experiment_id, variant, n_pies, n_controls, seed, design, blind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)')
        .run(request.name, request.experimentId, variant, request.nPies, request.nControls, request.seed, JSON.stringify(design), nowIso()).lastInsertRowid,
    );
    const insert = db.prepare('INSERT INTO study_items (study_id, position, image_index, is_pie) VALUES (?, ?, ?, ?)');
    sample.items.forEach((item, position) => insert.run(studyId, position, item.imageIndex, item.isPie ? 1 : 0));
    return studyId;
  })();
  return getStudy(db, id);
}

/** What an annotator sees: position, image and true label; never the PIE flag. */
export function studyItems(db: Db, studyId: number): StudyItem[] {
  return (
    db
      .prepare(
        `SELECT si.position, si.image_index, ei.true_label, ei.image_id FROM study_items si
         JOIN studies s ON s.id = si.study_id
         JOIN experiment_images ei ON ei.experiment_id = s.experiment_id AND ei.image_index = si.image_index
         WHERE si.study_id = ? ORDER BY si.position`,
      )
      .all(studyId) as { position: number; image_index: number; true_label: number; image_id: number | null }[]
  ).map((r) => ({ position: r.position, imageIndex: r.image_index, trueLabel: r.true_label, imageId: r.image_id }));
}

export function unblindStudy(db: Db, studyId: number): void {
  getStudy(db, studyId);
  db.prepare('UPDATE studies SET blind = 0 WHERE id = ?').run(studyId);
}
