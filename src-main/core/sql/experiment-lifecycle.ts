import type { Db } from '../db/database.js';
import { UserError } from '../errors.js';

/**
 * Renaming and deleting experiments (population runs and imports). Deleting takes the
 * experiment's models, predictions, analysis and free-audit labels with it (the schema's
 * ON DELETE CASCADE); an experiment a study draws from is never deleted (its items and
 * labels would lose their images), and the refusal names the studies.
 */

export const MAX_EXPERIMENT_NAME = 200;

export interface DeletedExperiment {
  id: number;
  name: string;
  models: number;
  /** free-audit labels that went with it */
  labels: number;
}

function experimentName(db: Db, id: number): string {
  const name = db.prepare('SELECT name FROM experiments WHERE id = ?').pluck().get(id) as string | undefined;
  if (name === undefined) throw new UserError(`no experiment ${id}`);
  return name;
}

/** Sets the experiment's name (trimmed, 1 to 200 characters); returns the name stored. */
export function renameExperiment(db: Db, id: number, name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new UserError('experiment name: must not be empty');
  if (trimmed.length > MAX_EXPERIMENT_NAME) throw new UserError(`experiment name: at most ${MAX_EXPERIMENT_NAME} characters (got ${trimmed.length})`);
  experimentName(db, id);
  db.prepare('UPDATE experiments SET name = ? WHERE id = ?').run(trimmed, id);
  return trimmed;
}

/** The studies drawn from an experiment, as "#id name". */
export function studiesUsing(db: Db, id: number): string[] {
  return (db.prepare('SELECT id, name FROM studies WHERE experiment_id = ? ORDER BY id').all(id) as { id: number; name: string }[]).map((s) => `#${s.id} ${s.name}`);
}

/** What deleting would take: the experiment's models and free-audit labels. */
export function deletionCounts(db: Db, id: number): Omit<DeletedExperiment, 'id'> {
  const name = experimentName(db, id);
  const models = db.prepare('SELECT count(*) FROM models WHERE experiment_id = ?').pluck().get(id) as number;
  const labels = db.prepare('SELECT count(*) FROM labels WHERE experiment_id = ? AND study_id IS NULL').pluck().get(id) as number;
  return { name, models, labels };
}

/** Deletes the experiment and everything that belongs to it, in one transaction. */
export function deleteExperiment(db: Db, id: number): DeletedExperiment {
  return db.transaction((): DeletedExperiment => {
    const counts = deletionCounts(db, id);
    const studies = studiesUsing(db, id);
    if (studies.length > 0) {
      throw new UserError(`experiment ${id} is used by ${studies.length === 1 ? 'study' : 'studies'} ${studies.join(', ')}: it cannot be deleted while a study draws from it`);
    }
    db.prepare('DELETE FROM experiments WHERE id = ?').run(id);
    return { id, ...counts };
  })();
}
