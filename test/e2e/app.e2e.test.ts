/**
 * End to end, browser mode: the real `pie-audit serve` on a fresh database, the built
 * renderer (out/renderer; run `npm run build` first) in Debian's Chromium through
 * playwright-core. Checks the first page, the one-click Fashion-MNIST import from the
 * system copy, the token gate, and that the page logs no errors and no CSP violations.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src-main/core/web/csp.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { ROOT } from './support.ts';

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  // A fresh, empty database: the test adds Fashion-MNIST (the system copy) from the page.
  e2e = await openE2eSession({ name: 'app', fashionMnist: true });
  page = e2e.page;
});

afterAll(() => e2e?.close());

describe('browser mode (pie-audit serve + built renderer)', () => {
  it('opens on an empty database with the header and the empty state', async () => {
    const response = await page.goto(e2e.server.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('PIE Audit');
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    await page.getByTestId('app-version').waitFor();
    expect(await page.getByTestId('app-version').textContent()).toBe(`v${version}`);
    expect(await page.getByTestId('database-path').textContent()).toBe(e2e.db);
    expect(await page.getByTestId('carrier').textContent()).toBe('Browser mode');

    const empty = page.getByTestId('datasets-empty');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('No datasets yet');
    expect(await page.getByRole('button', { name: 'Add Fashion-MNIST' }).isEnabled()).toBe(true);

    // The screens that show an experiment say plainly that there is none, and where to go.
    await page.getByTestId('nav-results').click();
    await expect.poll(() => page.getByTestId('no-experiment').textContent()).toContain('No experiment yet');
    await page.getByRole('button', { name: 'Go to Datasets & runs' }).click();
    await page.getByTestId('datasets-empty').waitFor();
  });

  it('shows a failed import in an alert and lets it be dismissed', async () => {
    // A real bad state, not a faked answer: another connection holds the database's write
    // lock, so the server's import fails once SQLite's busy timeout runs out.
    // The failed request's console error is provoked on purpose: not counted.
    await e2e.watch.ignoring('/api/datasets.addKnown', async () => {
      const holder = new Database(e2e.db);
      holder.exec('BEGIN EXCLUSIVE');
      try {
        await page.getByRole('button', { name: 'Add Fashion-MNIST' }).click();
        const alert = page.getByRole('alert');
        await alert.waitFor({ timeout: 90_000 });
        expect(await alert.textContent()).toMatch(/the database is busy \(another program holds it\); nothing was changed/);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    });
    const alert = page.getByRole('alert');
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
    expect(await page.getByTestId('datasets-empty').isVisible()).toBe(true);
  });

  it('adds Fashion-MNIST with one click and lists it', async () => {
    await page.getByRole('button', { name: 'Add Fashion-MNIST' }).click();
    const row = page.locator('tr[data-dataset]');
    await row.waitFor({ timeout: 90_000 });
    expect(await row.count()).toBe(1);

    const cell = async (col: string): Promise<string> => (await row.locator(`[data-col="${col}"]`).textContent()) ?? '';
    const digits = (text: string): number => Number(text.replace(/\D/g, ''));
    expect(digits(await cell('train'))).toBe(60000);
    expect(digits(await cell('test'))).toBe(10000);
    expect(digits(await cell('classes'))).toBe(10);
    expect(await row.textContent()).toContain('Fashion-MNIST');
    expect(await row.textContent()).toContain('28×28×1');
    // Once the import has finished, the one-click button no longer offers a duplicate.
    await expect.poll(() => page.getByRole('button', { name: /Fashion-MNIST/ }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('keeps the session on reload through the cookie (no token in the URL)', async () => {
    const response = await page.goto(`${e2e.server.origin}/`);
    expect(response?.status()).toBe(200);
    await page.locator('tr[data-dataset]').waitFor();
    expect(await page.locator('tr[data-dataset]').count()).toBe(1);
  });

  it('refuses the page and the API without the token', async () => {
    const stranger = await e2e.browser.newContext();
    try {
      const other = await stranger.newPage();
      const response = await other.goto(`${e2e.server.origin}/`);
      expect(response?.status()).toBe(401);
    } finally {
      await stranger.close();
    }
    const api = await fetch(`${e2e.server.origin}/api/datasets.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    expect(e2e.watch.problems).toEqual([]);
  });
});
