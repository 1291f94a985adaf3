import type { Db } from './database.js';

export interface DatabaseCheck {
  ok: boolean;
  schemaVersion: number;
  sizeBytes: number;
  /** 'ok', or SQLite's list of problems. */
  integrity: string[];
  foreignKeyViolations: number;
}

export function checkDatabase(db: Db): DatabaseCheck {
  const integrity = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
  const violations = db.prepare('PRAGMA foreign_key_check').all().length;
  const pageCount = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return {
    ok: integrity.length === 1 && integrity[0] === 'ok' && violations === 0,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    sizeBytes: pageCount * pageSize,
    integrity,
    foreignKeyViolations: violations,
  };
}
