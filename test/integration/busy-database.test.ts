/**
 * A label saved while another program holds the database's write lock for longer than
 * the server's busy timeout (5 s): SQLite's busy handler gives up, the API call is tried
 * again after a short pause (ApiService), and the label is saved; the call answers 200.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nowIso, openDatabase } from '../../src-main/core/db/database.js';
import { listLabels } from '../../src-main/core/labels/store.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import { startServer, stopServer } from '../helpers/many-hands.js';

/** Another process that takes the write lock, says so, and keeps it for holdMs. */
function holdWriteLock(file: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO app_settings (key, value) VALUES ('lock-holder', '1')").run();
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', script, file, String(holdMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve) => child.stdout.once('data', () => resolve({ released })));
}

describe('a busy database', () => {
  it('saves a label after another process held the write lock past the busy timeout', async () => {
    const file = path.join(tempDir(), 'busy.db');
    const db = openDatabase(file);
    const experimentId = Number(db.prepare("INSERT INTO experiments (name, origin, created_at) VALUES ('busy', 'imported', ?)").run(nowIso()).lastInsertRowid);
    for (let i = 0; i < 10; i++) db.prepare('INSERT INTO experiment_images (experiment_id, image_index, true_label) VALUES (?, ?, 0)').run(experimentId, i);
    db.close();

    const server = await startServer(file);
    try {
      // 7 s: longer than one 5 s busy wait, shorter than the retried attempts together.
      const lock = await holdWriteLock(file, 7_000);
      const response = await fetch(`${server.origin}/api/labels.set`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ experimentId, imageIndex: 3, categories: ['noisy'], annotator: 'patient' }),
      });
      const body = (await response.json()) as unknown;
      expect(response.status, JSON.stringify(body)).toBe(200);
      await lock.released;
    } finally {
      await stopServer(server);
    }
    const check = openDatabase(file, { readonly: true });
    try {
      expect(listLabels(check, experimentId, 'patient').map((l) => [l.imageIndex, l.categories])).toEqual([[3, ['noisy']]]);
      expect(check.prepare("SELECT value FROM app_settings WHERE key = 'lock-holder'").pluck().get()).toBe('1');
    } finally {
      check.close();
    }
  });
});
