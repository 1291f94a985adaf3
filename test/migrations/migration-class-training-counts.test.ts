import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { classCounts, saveClassCounts, saveTrainImages, trainImageIds } from '../../src-main/core/sql/class-counts.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration class_training_counts', () => {
  it('adds class counts and kept training images to a database with data; older experiments have none', () => {
    const { file, raw } = databaseBefore('class_training_counts');
    seedInitialSchema(raw);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrationNamed('class_training_counts').version - 1);
    raw.close();

    const db = openDatabase(file);
    expect(classCounts(db, 1).size).toBe(0);
    expect(trainImageIds(db, 1)).toBeUndefined();
    saveClassCounts(db, 1, [7, 3]);
    saveTrainImages(db, 1, [10, 11]);
    expect([...classCounts(db, 1)]).toEqual([
      [0, 7],
      [1, 3],
    ]);
    expect([...(trainImageIds(db, 1) ?? [])].sort()).toEqual([10, 11]);
    expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).toBe(4);
    db.close();
  });
});
