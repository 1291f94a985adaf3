/**
 * Transactions for code outside the data-access modules: what runs in `fn` (writes
 * through core/sql functions, and the test-only stop points the crash tests kill at)
 * is committed together or not at all.
 */
import type { WritableDb } from './handles.js';

/** Runs fn in one transaction (BEGIN DEFERRED; nested calls become savepoints). */
export function inTransaction<T>(db: WritableDb, fn: () => T): T {
  return db.transaction(fn)();
}
