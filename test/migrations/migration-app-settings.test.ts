import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { currentAnnotator, osAnnotator, setCurrentAnnotator } from '../../src-main/core/labels/store.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration app_settings', () => {
  it('adds the settings table to a database with data and analysis; the annotator falls back to the OS user until set', () => {
    const { file, raw } = databaseBefore('app_settings');
    seedInitialSchema(raw);
    raw.prepare("INSERT INTO analysis_runs (experiment_id, signature, num_classes, computed_at, seconds) VALUES (1, 'sig', 2, 'then', 0.5)").run();
    expect(raw.pragma('user_version', { simple: true })).toBe(migrationNamed('app_settings').version - 1);
    raw.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT count(*) FROM app_settings').pluck().get()).toBe(0);
    expect(db.prepare('SELECT signature FROM analysis_runs WHERE experiment_id = 1').pluck().get()).toBe('sig');
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(4);
    expect(currentAnnotator(db)).toBe(osAnnotator());
    setCurrentAnnotator(db, 'grace');
    expect(currentAnnotator(db)).toBe('grace');
    expect(db.prepare("SELECT value FROM app_settings WHERE key = 'annotator'").pluck().get()).toBe('"grace"');
    db.close();
  });
});
