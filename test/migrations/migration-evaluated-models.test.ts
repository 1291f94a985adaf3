/**
 * The migration that lets an experiment be 'evaluated' and a model's method be 'other'
 * rebuilds the experiments and models tables: a database at the version before it, with
 * a population, predictions and labels in it, keeps all of them, and the foreign keys
 * still cascade afterwards.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { loadMigrations } from '../../src-main/core/db/migrations.js';
import { tempDir } from '../helpers/data.js';

describe('migration evaluated_models', () => {
  it('keeps every row and lets evaluated experiments and other methods in', () => {
    const all = loadMigrations();
    const at = all.findIndex((m) => m.name === 'evaluated_models');
    expect(at).toBeGreaterThan(0);
    const file = path.join(tempDir(), 'old.sqlite');
    const old = openDatabase(file, { migrations: all.slice(0, at) });
    old.exec(`
      INSERT INTO datasets (id, name, kind, source, width, height, channels, fingerprint, created_at) VALUES (1, 'd', 'idx', 's', 2, 2, 1, 'f', 't');
      INSERT INTO classes VALUES (1, 0, 'a'), (1, 1, 'b');
      INSERT INTO experiments (id, name, dataset_id, origin, config, created_at) VALUES (7, 'e', 1, 'trained', '{"preset":"smoke"}', 't');
      INSERT INTO experiment_images VALUES (7, 0, 0, NULL), (7, 1, 1, NULL);
      INSERT INTO models (id, experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch, status, top1)
        VALUES (3, 7, 'dense', 'dense', 0, 0, 1, 'mlp', 'done', 0.5), (4, 7, 'magnitude-0.9', 'magnitude', 0.9, 0.9, 2, 'mlp', 'pending', NULL);
      INSERT INTO predictions VALUES (3, 0, 0, 0.9, 0.9), (3, 1, 0, 0.6, 0.4);
      INSERT INTO annotators (id, name, created_at) VALUES (1, 'ann', 't');
      INSERT INTO labels (annotator_id, experiment_id, image_index, categories, labeled_at) VALUES (1, 7, 1, '["noisy"]', 't');
    `);
    old.close();

    const db = openDatabase(file, { migrations: all });
    expect(db.pragma('user_version', { simple: true })).toBe(all.length);
    expect(db.prepare('SELECT id, name, dataset_id, origin, config FROM experiments').all()).toEqual([{ id: 7, name: 'e', dataset_id: 1, origin: 'trained', config: '{"preset":"smoke"}' }]);
    expect(db.prepare('SELECT id, variant, method, target_sparsity, measured_sparsity, seed, status, top1 FROM models ORDER BY id').all()).toEqual([
      { id: 3, variant: 'dense', method: 'dense', target_sparsity: 0, measured_sparsity: 0, seed: 1, status: 'done', top1: 0.5 },
      { id: 4, variant: 'magnitude-0.9', method: 'magnitude', target_sparsity: 0.9, measured_sparsity: 0.9, seed: 2, status: 'pending', top1: null },
    ]);
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(2);
    expect(db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);

    db.prepare("INSERT INTO experiments (id, name, dataset_id, origin, created_at) VALUES (8, 'own', 1, 'evaluated', 't')").run();
    db.prepare("INSERT INTO models (experiment_id, variant, method, seed, arch, status) VALUES (8, 'distilled', 'other', 1, 'onnx', 'pending')").run();
    expect(() => db.prepare("INSERT INTO models (experiment_id, variant, method, seed, arch, status) VALUES (8, 'x', 'bogus', 1, 'onnx', 'pending')").run()).toThrow(/CHECK/);
    // The rebuilt tables still cascade: deleting the experiment removes its models, predictions, labels.
    db.prepare('DELETE FROM experiments WHERE id = 7').run();
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM models WHERE experiment_id = 7').pluck().get()).toBe(0);
    db.close();
  });
});
