import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration initial', () => {
  it('turns an empty file into the schema that holds datasets, experiments, predictions and labels', () => {
    const { file, raw } = databaseBefore('initial');
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    raw.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(migrationNamed('initial').version);
    // the default label schema is seeded, in order
    expect(db.prepare('SELECT name FROM label_categories ORDER BY position').pluck().all()).toEqual([
      'atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract',
    ]);
    // no backup for a file that held no schema
    expect(fs.readdirSync(file.replace(/before\.db$/, '')).filter((f) => f.endsWith('.bak'))).toEqual([]);
    db.close();
  });

  it('holds data with its keys: one free-audit label per annotator and image, cascades from experiments', () => {
    const { file, raw } = databaseBefore('initial');
    raw.close();
    const db = openDatabase(file);
    seedInitialSchema(db);
    expect(() =>
      db.prepare("INSERT INTO labels (study_id, annotator_id, experiment_id, image_index, categories, labeled_at) VALUES (NULL, 1, 1, 0, '[]', 'x')").run(),
    ).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO classes (dataset_id, label, name) VALUES (99, 0, 'x')").run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM experiments WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(0);
    db.close();
  });
});
