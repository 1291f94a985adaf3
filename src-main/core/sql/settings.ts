/** app_settings: small key/value settings of the app (values are JSON text). */
import type { ReadableDb, WritableDb } from './handles.js';

export function getSetting(db: ReadableDb, key: string): unknown {
  const value = db.prepare('SELECT value FROM app_settings WHERE key = ?').pluck().get(key) as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as unknown);
}

export function setSetting(db: WritableDb, key: string, value: unknown): void {
  db.prepare('INSERT INTO app_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}
