import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { cieDistancesMissing, cieThresholds, storeCieDistances } from '../../src-main/core/sql/cie-distances.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration cie_distances', () => {
  it('adds the distance table to a database with data and a stored analysis, which the next analysis sees as missing distances', () => {
    const { file, raw } = databaseBefore('cie_distances');
    seedInitialSchema(raw);
    raw.prepare("INSERT INTO analysis_runs (experiment_id, signature, num_classes, computed_at, seconds) VALUES (1, 'sig', 2, 'then', 1)").run();
    raw
      .prepare(
        `INSERT INTO analysis_variants (experiment_id, variant, method, target_sparsity, models, top1_mean, top1_std, position)
         VALUES (1, 'magnitude-0.9', 'magnitude', 0.9, 1, 0.5, 0, 1)`,
      )
      .run();
    expect(raw.pragma('user_version', { simple: true })).toBe(migrationNamed('cie_distances').version - 1);
    raw.close();

    const db = openDatabase(file);
    expect(db.prepare('SELECT signature FROM analysis_runs').pluck().get()).toBe('sig'); // kept
    expect(cieDistancesMissing(db, 1)).toBe(true);
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(4);
    storeCieDistances(db, 1, 'magnitude-0.9', Float64Array.from([0, 0.8]));
    expect([...cieThresholds(db, 1, 0.9)]).toEqual([['magnitude-0.9', 0.8]]);
    expect(cieDistancesMissing(db, 1)).toBe(false);
    db.close();
  });
});
