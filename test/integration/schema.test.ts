import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { addCategory, describeCategory, listCategories, renameCategory, reorderCategories } from '../../src-main/core/schema/categories.js';
import { setStudyLabel, studyLabels } from '../../src-main/core/study/labels.js';
import { studyReport } from '../../src-main/core/study/report.js';
import { createStudy, studyItems } from '../../src-main/core/study/store.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

describe('editing the label schema keeps every label', () => {
  it('adds, renames, describes and reorders categories; labels follow a rename', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'schema.db');
    expect((await runCli(['--db', file, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv')])).code).toBe(0);
    const db = openDatabase(file);
    try {
      expect(listCategories(db).map((c) => [c.key, c.name])).toEqual([['1', 'atypical'], ['2', 'noisy'], ['3', 'mislabeled'], ['4', 'multiple-objects'], ['5', 'fine-grained'], ['6', 'abstract']]);
      const study = createStudy(db, { name: 's', experimentId: 1, nPies: 4, nControls: 4, seed: 3 });
      const items = studyItems(db, study.id);
      for (const [i, item] of items.entries()) setStudyLabel(db, { studyId: study.id, annotator: 'ann', imageIndex: item.imageIndex, categories: i % 2 ? ['noisy', 'atypical'] : ['noisy'] });
      const before = studyReport(db, study.id).categories.find((c) => c.name === 'noisy');

      expect(renameCategory(db, 'noisy', 'low-quality')).toBe(items.length);
      expect(studyLabels(db, study.id).every((l) => l.categories.includes('low-quality') && !l.categories.includes('noisy'))).toBe(true);
      const after = studyReport(db, study.id).categories.find((c) => c.name === 'low-quality');
      expect({ ...after, name: 'noisy' }).toEqual(before);

      addCategory(db, 'occluded', 'The object is partly hidden', '7');
      expect(() => addCategory(db, 'occluded')).toThrow(/already exists/);
      expect(() => addCategory(db, 'none')).toThrow(/reserved/);
      expect(() => addCategory(db, 'Bad Name')).toThrow(/not allowed/);
      expect(() => addCategory(db, 'other', '', '1')).toThrow(/key '1' is already used by 'atypical'/);
      describeCategory(db, 'occluded', 'Partly hidden by another object');
      const order = ['mislabeled', 'atypical', 'low-quality', 'occluded', 'multiple-objects', 'fine-grained', 'abstract'];
      expect(reorderCategories(db, order).map((c) => c.name)).toEqual(order);
      expect(() => reorderCategories(db, order.slice(1))).toThrow(/every category exactly once/);
      expect(studyLabels(db, study.id)).toHaveLength(items.length);
      expect(listCategories(db).find((c) => c.name === 'occluded')?.description).toBe('Partly hidden by another object');
    } finally {
      db.close();
    }
    const listed = await runCli(['--db', file, 'schema', 'list']);
    expect(listed.stdout).toMatch(/7\s+occluded\s+Partly hidden/);
    const refused = await runCli(['--db', file, 'schema', 'rename', 'nope', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no category 'nope'/);
  });
});
