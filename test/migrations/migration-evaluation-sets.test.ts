import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { ensureEvalSet, evalPredictedLabels, finishedModelIds, listEvalSets, saveEvalRun } from '../../src-main/core/sql/eval-sets.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration evaluation_sets', () => {
  it('adds evaluation sets beside the clean predictions of a database with data, which stay as they were', () => {
    const { file, raw } = databaseBefore('evaluation_sets');
    seedInitialSchema(raw);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrationNamed('evaluation_sets').version - 1);
    raw.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(4);
    expect(listEvalSets(db, 1)).toEqual([]);
    const set = ensureEvalSet(db, { experimentId: 1, name: 'shot_noise:5', kind: 'corruption', corruption: 'shot_noise', severity: 5, datasetId: null, images: 2 });
    saveEvalRun(db, { evalSetId: set.id, modelId: 2, top1: 0, predicted: Uint8Array.of(1, 0), predictedProbability: Float32Array.of(0.5, 0.5), trueLabelProbability: Float32Array.of(0.5, 0.5) });
    expect([...finishedModelIds(db, set.id)]).toEqual([2]);
    expect([...evalPredictedLabels(db, set.id, 2, 2)]).toEqual([1, 0]);
    expect(db.prepare('SELECT predicted_label FROM predictions WHERE model_id = 2 ORDER BY image_index').pluck().all()).toEqual([1, 1]);
    // Deleting the experiment takes its sets, runs and predictions with it.
    db.prepare('DELETE FROM labels').run();
    db.prepare('DELETE FROM experiments WHERE id = 1').run();
    expect(db.prepare('SELECT (SELECT count(*) FROM eval_sets) + (SELECT count(*) FROM eval_runs) + (SELECT count(*) FROM eval_predictions)').pluck().get()).toBe(0);
    db.close();
  });
});
