import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration analysis', () => {
  it('adds the stored-analysis tables to a database with data, keeping every row and writing a backup first', () => {
    const { file, raw } = databaseBefore('analysis');
    seedInitialSchema(raw);
    const before = migrationNamed('analysis').version - 1;
    expect(raw.pragma('user_version', { simple: true })).toBe(before);
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'analysis_%'").pluck().get()).toBe(0);
    raw.close();

    const db = openDatabase(file);
    for (const table of ['analysis_runs', 'analysis_images', 'analysis_classes', 'analysis_variants']) {
      expect(db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
    }
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(4);
    expect(db.prepare('SELECT categories, note FROM labels').get()).toEqual({ categories: '["noisy"]', note: 'smudged' });
    const backups = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`before.db.v${before}-`) && f.endsWith('.bak'));
    expect(backups).toHaveLength(1);

    // the new tables belong to their experiment
    db.prepare("INSERT INTO analysis_runs (experiment_id, signature, num_classes, computed_at, seconds) VALUES (1, 's', 2, 'now', 0)").run();
    db.prepare(
      `INSERT INTO analysis_images (experiment_id, variant, image_index, modal_label, modal_votes, number_observ, agreement, tie, is_pie, self_confidence, normalized_margin)
       VALUES (1, 'magnitude-0.9', 0, 1, 1, 1, 1, 0, 1, 0, -1)`,
    ).run();
    expect(() => db.prepare("INSERT INTO analysis_runs (experiment_id, signature, num_classes, computed_at, seconds) VALUES (7, 's', 2, 'now', 0)").run()).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM experiments WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) FROM analysis_images').pluck().get()).toBe(0);
    db.close();
  });
});
