import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { experimentAttributes, replaceDatasetAttributes } from '../../src-main/core/sql/image-attributes.js';
import { databaseBefore, migrationNamed, seedInitialSchema } from '../helpers/migrations.js';

describe('migration image_attributes', () => {
  it('adds per-image attributes to a database with data, tied to its images', () => {
    const { file, raw } = databaseBefore('image_attributes');
    seedInitialSchema(raw);
    expect(raw.pragma('user_version', { simple: true })).toBe(migrationNamed('image_attributes').version - 1);
    raw.close();

    const db = openDatabase(file);
    expect(experimentAttributes(db, 1).size).toBe(0);
    replaceDatasetAttributes(db, 1, [
      { imageId: 10, attribute: 'colour', value: 'red' },
      { imageId: 11, attribute: 'colour', value: 'red' },
    ]);
    expect([...(experimentAttributes(db, 1).get('colour') ?? [])]).toEqual([['red', [0, 1]]]);
    expect(() => db.prepare("INSERT INTO image_attributes (image_id, attribute, value) VALUES (99, 'colour', 'red')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
