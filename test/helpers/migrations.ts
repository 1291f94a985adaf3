import path from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, type Migration } from '../../src-main/core/db/migrations.js';
import { tempDir } from './data.js';

/** The migration with this name (migrations are renumbered at merge; names stay). */
export function migrationNamed(name: string): Migration {
  const found = loadMigrations().find((m) => m.name === name);
  if (!found) throw new Error(`no migration named ${name} in db/`);
  return found;
}

/**
 * A database file at the schema just before the named migration: every earlier
 * migration applied as the app applies them, user_version set to match. The caller
 * fills it with data through the returned raw handle, closes it, and migrates it with
 * openDatabase.
 */
export function databaseBefore(name: string): { file: string; raw: Database.Database } {
  const target = migrationNamed(name);
  const file = path.join(tempDir('pie-audit-migration-'), 'before.db');
  const raw = new Database(file);
  raw.pragma('foreign_keys = ON');
  for (const m of loadMigrations().filter((m) => m.version < target.version)) {
    raw.exec(m.sql);
    raw.pragma(`user_version = ${m.version}`);
  }
  return { file, raw };
}

/** Fills a schema-1 database with one dataset, an experiment of two models, predictions and labels. */
export function seedInitialSchema(raw: Database.Database): void {
  const at = '2026-01-01T00:00:00.000Z';
  raw.exec(`
    INSERT INTO datasets (id, name, kind, source, width, height, channels, fingerprint, created_at)
      VALUES (1, 'toy', 'mnist', '/data/toy', 2, 2, 1, 'abc', '${at}');
    INSERT INTO classes (dataset_id, label, name) VALUES (1, 0, 'zero'), (1, 1, 'one');
    INSERT INTO images (id, dataset_id, split, idx, label, pixels, width, height)
      VALUES (10, 1, 'test', 0, 0, x'00ff00ff', 2, 2), (11, 1, 'test', 1, 1, x'ff00ff00', 2, 2);
    INSERT INTO experiments (id, name, dataset_id, origin, config, created_at) VALUES (1, 'e1', 1, 'trained', '{"preset":"smoke"}', '${at}');
    INSERT INTO experiment_images (experiment_id, image_index, true_label, image_id) VALUES (1, 0, 0, 10), (1, 1, 1, 11);
    INSERT INTO models (id, experiment_id, variant, method, target_sparsity, seed, arch, status, top1)
      VALUES (1, 1, 'dense', 'dense', 0, 1, 'mlp', 'done', 1.0), (2, 1, 'magnitude-0.9', 'magnitude', 0.9, 1, 'mlp', 'done', 0.5);
    INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability)
      VALUES (1, 0, 0, 0.9, 0.9), (1, 1, 1, 0.8, 0.8), (2, 0, 1, 0.6, 0.4), (2, 1, 1, 0.7, 0.7);
    INSERT INTO annotators (id, name, created_at) VALUES (1, 'ada', '${at}');
    INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, note, labeled_at)
      VALUES (NULL, 1, 1, 0, '["noisy"]', 'smudged', '${at}');
  `);
}
