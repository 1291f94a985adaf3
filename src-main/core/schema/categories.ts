import type { Db, ReadableDb } from '../db/database.js';
import { type CategoryRow, categoryExists, categoryWithKey, insertCategory, maxCategoryPosition, renameCategoryEverywhere, selectCategories, selectCategoryNames, updateCategoryDescription, updateCategoryPositions } from '../sql/label-categories.js';
import { UserError } from '../errors.js';

/** The project's label schema: categories in display order, each with a description and a key. */
export type Category = CategoryRow;

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const RESERVED = new Set(['none']);

function checkName(name: string): void {
  if (!NAME.test(name)) throw new UserError(`category name '${name.slice(0, 50)}' is not allowed (1-40 lower-case letters, digits and '-', e.g. 'low-contrast')`);
  if (RESERVED.has(name)) throw new UserError(`'${name}' is reserved: it marks a typical, clean image`);
}

function checkKey(db: Db, key: string | null, except?: string): void {
  if (key === null) return;
  if (!/^[1-9a-z]$/.test(key) || ['j', 'k', '0'].includes(key)) throw new UserError(`key '${key.slice(0, 5)}' is not allowed (one of 1-9 or a-z, not j or k: they move between images)`);
  const taken = categoryWithKey(db, key, except ?? '');
  if (taken) throw new UserError(`key '${key}' is already used by '${taken}'`);
}

export function listCategories(db: ReadableDb): Category[] {
  return selectCategories(db);
}

/** Category names in schema order. */
export function categoryNames(db: ReadableDb): string[] {
  return selectCategoryNames(db);
}

function require(db: Db, name: string): void {
  if (!categoryExists(db, name)) throw new UserError(`no category '${name.slice(0, 50)}' (have: ${listCategories(db).map((c) => c.name).join(', ')})`);
}

export function addCategory(db: Db, name: string, description = '', key: string | null = null): Category {
  checkName(name);
  if (categoryExists(db, name)) throw new UserError(`category '${name}' already exists`);
  checkKey(db, key);
  const position = (maxCategoryPosition(db) ?? 0) + 1;
  insertCategory(db, { name, description: description.slice(0, 500), key, position });
  return { name, description, key, position };
}

/** Renames a category and every label that carries it, in one transaction: no label is lost. */
export function renameCategory(db: Db, from: string, to: string): number {
  require(db, from);
  checkName(to);
  if (from === to) return 0;
  if (categoryExists(db, to)) throw new UserError(`category '${to}' already exists`);
  return renameCategoryEverywhere(db, from, to);
}

export function describeCategory(db: Db, name: string, description: string, key?: string | null): void {
  require(db, name);
  if (key !== undefined) checkKey(db, key, name);
  updateCategoryDescription(db, name, description.slice(0, 500), key ?? null);
}

/** Puts the categories in the given order (every category named once); keys 1..n follow the order for those that have digit keys. */
export function reorderCategories(db: Db, order: string[]): Category[] {
  const current = listCategories(db).map((c) => c.name);
  if (order.length !== current.length || new Set(order).size !== order.length || order.some((n) => !current.includes(n))) {
    throw new UserError(`give every category exactly once (have: ${current.join(', ')})`);
  }
  updateCategoryPositions(db, order);
  return listCategories(db);
}
