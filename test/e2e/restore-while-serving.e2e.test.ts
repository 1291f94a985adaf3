/**
 * `pie-audit db restore` while `pie-audit serve` holds the same database and labels keep
 * arriving over HTTP: every acknowledged label is in the content saved before the
 * restore or in the restored database (none falls between), the server notices the
 * replaced database and the page says so, and a restore killed half-way (a test stop
 * point inside its transaction) leaves the old content, intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { BIN, ROOT, cliEnv, runCli } from './support.ts';

let e2e: E2eSession;
let page: Page;
let backup: string;

/** labels.set over HTTP as the renderer sends it; the status and the answer. */
async function setLabel(imageIndex: number, categories: string[], annotator: string): Promise<{ status: number; body: string }> {
  const { origin } = e2e.server;
  const token = new URL(e2e.server.url).searchParams.get('token') ?? '';
  const response = await fetch(`${origin}/api/labels.set`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ experimentId: 1, imageIndex, categories, annotator }),
  });
  return { status: response.status, body: await response.text() };
}

function labelsOf(file: string, annotator: string): Map<number, string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT l.image_index, l.categories FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE a.name = ? AND l.study_id IS NULL').all(annotator) as { image_index: number; categories: string }[];
    return new Map(rows.map((r) => [r.image_index, r.categories]));
  } finally {
    db.close();
  }
}

/** `pie-audit db restore`, with extra environment (the test stop point); its exit and output. */
function restore(from: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--db', e2e.db, 'db', 'restore', from], { cwd: ROOT, env: { ...cliEnv(e2e.dir), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'served',
    prepare: async ({ dir, cli }) => {
      backup = path.join(dir, 'backup.db');
      await importFixturePopulation(cli);
      await cli(['db', 'backup', backup]);
    },
  });
  page = e2e.page;
}, 120_000);

afterAll(() => e2e?.close());

describe('db restore while browser mode serves the database', () => {
  it('loses no acknowledged label: each is in the saved previous content or in the restored database', async () => {
    await page.goto(e2e.server.url);
    await page.goto(`${e2e.server.origin}/#/audit/1`);
    await page.getByTestId('audit-image-index').waitFor({ timeout: 30_000 });

    // A writer labels images 0, 1, 2, ... one after another before, during and after the restore.
    const acknowledged: number[] = [];
    const refused: string[] = [];
    let writing = true;
    let next = 0;
    const writer = (async () => {
      while (writing) {
        const image = next++ % 240;
        const answer = await setLabel(image, ['noisy'], 'writer');
        if (answer.status === 200) acknowledged.push(image);
        else refused.push(answer.body);
      }
    })();
    await expect.poll(() => acknowledged.length, { timeout: 60_000 }).toBeGreaterThan(20);
    const restored = await restore(backup);
    const ackedBeforeEnd = acknowledged.length;
    await expect.poll(() => acknowledged.length, { timeout: 60_000 }).toBeGreaterThan(ackedBeforeEnd + 5);
    writing = false;
    await writer;

    expect(restored.code, restored.stderr).toBe(0);
    const saved = /previous content saved to (\S+)/.exec(restored.stdout)?.[1] ?? '';
    expect(fs.existsSync(saved), restored.stdout).toBe(true);
    const before = labelsOf(saved, 'writer');
    const after = labelsOf(e2e.db, 'writer');
    // The backup had no labels: what the restored database holds came after the restore.
    const lost = acknowledged.filter((image) => !before.has(image) && !after.has(image));
    expect(lost).toEqual([]);
    expect(before.size).toBeGreaterThan(0);
    expect(after.size).toBeGreaterThan(0);
    // A label refused while the restore held the lock says why, and nothing else went wrong.
    for (const body of refused) expect(body).toMatch(/the database is busy/);
    for (const file of [e2e.db, saved]) {
      const check = await runCli(['--db', file, 'db', 'check'], e2e.dir);
      expect(check).toMatch(/integrity: ok/);
    }
  }, 300_000);

  it('the page says the database was replaced, and a reload shows the restored content', async () => {
    const notice = page.getByTestId('database-replaced');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toMatch(/The database was replaced by another program \(restored from a backup\)/);
    await notice.getByRole('button', { name: 'Reload' }).click();
    await page.getByTestId('audit-image-index').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('database-replaced').count()).toBe(0);
    // The writer labeled as 'writer'; the page's own annotator has none in either database.
    await expect.poll(() => page.getByTestId('audit-labeled').textContent()).toBe('0');
  });

  it('a restore killed inside its transaction leaves the old content, and the server keeps answering', async () => {
    const labeled = await setLabel(7, ['atypical'], 'kept');
    expect(labeled.status, labeled.body).toBe(200);
    const beforeKill = labelsOf(e2e.db, 'kept');
    const killed = await restore(backup, { PIE_AUDIT_TEST_STOP_AT: 'restore-replace:1' });
    expect(killed.signal).toBe('SIGKILL');
    expect(labelsOf(e2e.db, 'kept')).toEqual(beforeKill);
    expect(await e2e.cli(['db', 'check'])).toMatch(/integrity: ok/);
    // No saved copy under its final name from the killed run (only its .partial file).
    const savedNames = fs.readdirSync(e2e.dir).filter((name) => /^served\.db\.before-restore-.*\.bak$/.test(name));
    expect(savedNames).toHaveLength(1);
    const after = await setLabel(8, ['atypical'], 'kept');
    expect(after.status, after.body).toBe(200);
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    expect(e2e.watch.problems).toEqual([]);
  });
});
