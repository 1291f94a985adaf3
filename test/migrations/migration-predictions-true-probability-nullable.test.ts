/**
 * The migration predictions_true_probability_nullable, found by its name: a database of
 * schema 1 (whose predictions declared true_label_probability NOT NULL), brought to the
 * version just before the migration, then migrated: every prediction kept, and a
 * prediction without a true-label probability can be stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { loadMigrations } from '../../src-main/core/db/migrations.js';
import { checkDatabase } from '../../src-main/core/db/check.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const NAME = 'predictions_true_probability_nullable';

describe(`migration ${NAME}`, () => {
  it('makes true_label_probability nullable in a schema-1 database and keeps every prediction', () => {
    const migrations = loadMigrations();
    const at = migrations.findIndex((m) => m.name === NAME);
    expect(at).toBeGreaterThan(0);
    const file = path.join(tempDir(), 'schema-1.db');
    fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'upgrade', 'schema-1.db'), file);

    const before = openDatabase(file, { migrations: migrations.slice(0, at) });
    expect(before.pragma('user_version', { simple: true })).toBe(at);
    const rows = before.prepare('SELECT * FROM predictions ORDER BY model_id, image_index').raw().all();
    expect(rows.length).toBeGreaterThan(0);
    const insert = 'INSERT INTO predictions (model_id, image_index, predicted_label, predicted_probability, true_label_probability) VALUES (1, 9999, 0, 0.5, NULL)';
    expect(() => before.prepare(insert).run()).toThrow(/NOT NULL constraint failed: predictions\.true_label_probability/);
    before.close();

    const after = openDatabase(file, { migrations: migrations.slice(0, at + 1) });
    expect(after.prepare('SELECT * FROM predictions ORDER BY model_id, image_index').raw().all()).toEqual(rows);
    after.prepare(insert).run();
    expect(after.prepare('SELECT true_label_probability FROM predictions WHERE image_index = 9999').pluck().get()).toBeNull();
    const sql = after.prepare("SELECT sql FROM sqlite_master WHERE name = 'predictions'").pluck().get() as string;
    expect(sql).toMatch(/PRIMARY KEY \(model_id, image_index\)\s*\) WITHOUT ROWID/);
    expect(checkDatabase(after).ok).toBe(true);
    after.close();
  });
});
