/** Data access for the label schema (label_categories) and the renaming of a category inside labels. */
import type { Db, ReadableDb } from '../db/database.js';

export interface CategoryRow {
  name: string;
  description: string;
  key: string | null;
  position: number;
}

export function selectCategories(db: ReadableDb): CategoryRow[] {
  return db.prepare('SELECT name, description, key, position FROM label_categories ORDER BY position, id').all() as CategoryRow[];
}

/** Category names in schema order. */
export function selectCategoryNames(db: ReadableDb): string[] {
  return db.prepare('SELECT name FROM label_categories ORDER BY position, id').pluck().all() as string[];
}

export function categoryExists(db: ReadableDb, name: string): boolean {
  return db.prepare('SELECT 1 FROM label_categories WHERE name = ?').get(name) !== undefined;
}

/** The category other than `except` that has this key, if any. */
export function categoryWithKey(db: ReadableDb, key: string, except: string): string | undefined {
  return db.prepare('SELECT name FROM label_categories WHERE key = ? AND name <> ?').pluck().get(key, except) as string | undefined;
}

export function maxCategoryPosition(db: ReadableDb): number | null {
  return db.prepare('SELECT max(position) FROM label_categories').pluck().get() as number | null;
}

export function insertCategory(db: Db, row: CategoryRow): void {
  db.prepare('INSERT INTO label_categories (name, description, key, position) VALUES (?, ?, ?, ?)').run(row.name, row.description, row.key, row.position);
}

/** Renames the category and every label that carries it, in one transaction; returns the labels changed. */
export function renameCategoryEverywhere(db: Db, from: string, to: string): number {
  return db.transaction(() => {
    db.prepare('UPDATE label_categories SET name = ? WHERE name = ?').run(to, from);
    return db
      .prepare(
        `UPDATE labels SET categories = (SELECT json_group_array(CASE WHEN value = ? THEN ? ELSE value END) FROM json_each(labels.categories))
         WHERE EXISTS (SELECT 1 FROM json_each(labels.categories) WHERE value = ?)`,
      )
      .run(from, to, from).changes;
  })();
}

/** Sets the description, and the key when it is not null. */
export function updateCategoryDescription(db: Db, name: string, description: string, key: string | null): void {
  db.prepare('UPDATE label_categories SET description = ?, key = coalesce(?, key) WHERE name = ?').run(description, key, name);
}

/** Positions 1..n in the given order, in one transaction. */
export function updateCategoryPositions(db: Db, order: readonly string[]): void {
  db.transaction(() => {
    const update = db.prepare('UPDATE label_categories SET position = ? WHERE name = ?');
    order.forEach((name, i) => update.run(i + 1, name));
  })();
}
