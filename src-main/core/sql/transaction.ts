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

/**
 * Runs fn in one write transaction that stays open across its awaits (an import storing
 * rows while a worker thread still reads them): committed when fn resolves, rolled back
 * whole when it rejects. Nothing else may use the connection meanwhile, and other
 * connections' writes wait until it ends.
 */
export async function inLongTransaction<T>(db: WritableDb, fn: () => Promise<T>): Promise<T> {
  // IMMEDIATE: the write lock now (waiting out another writer by the busy timeout); a
  // deferred transaction that reads first cannot take it later once another connection
  // has written meanwhile (SQLITE_BUSY at once, whatever the timeout).
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
