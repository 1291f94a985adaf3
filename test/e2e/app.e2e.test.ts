/**
 * End to end, browser mode: the real `pie-audit serve` on a fresh database, the built
 * renderer (out/renderer; run `npm run build` first) in Debian's Chromium through
 * playwright-core. Checks the first page, the one-click Fashion-MNIST import from the
 * system copy, the token gate, and that the page logs no errors and no CSP violations.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src-main/core/web/csp.ts';
import { CHROMIUM, FASHION_MNIST_DIR, RENDERER_INDEX, ROOT, launchChromium, startServer, stopServer, type Server } from './support.ts';

let tmp: string;
let dbFile: string;
let server: Server | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const consoleProblems: string[] = [];
/** Console errors that a step provokes on purpose (matched on the resource URL). */
let expectedFailingUrl: string | undefined;

beforeAll(async () => {
  if (!fs.existsSync(RENDERER_INDEX)) {
    throw new Error(`${path.relative(ROOT, RENDERER_INDEX)} is missing: run \`npm run build\` before the e2e tests`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium or set PIE_AUDIT_CHROMIUM`);
  }
  if (!fs.existsSync(FASHION_MNIST_DIR)) {
    throw new Error(`${FASHION_MNIST_DIR} is missing: the e2e test imports the system copy of Fashion-MNIST`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-e2e-'));
  dbFile = path.join(tmp, 'e2e.db');
  server = await startServer(dbFile, tmp);
  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const where = message.location().url;
    if (expectedFailingUrl && where.endsWith(expectedFailingUrl)) return;
    consoleProblems.push(`${message.type()}: ${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('browser mode (pie-audit serve + built renderer)', () => {
  it('opens on an empty database with the header and the empty state', async () => {
    const response = await page.goto(server!.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('PIE Audit');
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    await page.getByTestId('app-version').waitFor();
    expect(await page.getByTestId('app-version').textContent()).toBe(`v${version}`);
    expect(await page.getByTestId('database-path').textContent()).toBe(dbFile);
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
    expectedFailingUrl = '/api/datasets.addKnown';
    const holder = new Database(dbFile);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await page.getByRole('button', { name: 'Add Fashion-MNIST' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 90_000 });
      expect(await alert.textContent()).toMatch(/the database is busy \(another program holds it\); nothing was changed/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      expectedFailingUrl = undefined;
    }
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
    const response = await page.goto(`${server!.origin}/`);
    expect(response?.status()).toBe(200);
    await page.locator('tr[data-dataset]').waitFor();
    expect(await page.locator('tr[data-dataset]').count()).toBe(1);
  });

  it('refuses the page and the API without the token', async () => {
    const stranger = await browser!.newContext();
    try {
      const other = await stranger.newPage();
      const response = await other.goto(`${server!.origin}/`);
      expect(response?.status()).toBe(401);
    } finally {
      await stranger.close();
    }
    const api = await fetch(`${server!.origin}/api/datasets.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(401);
  });

  it('logged no console errors and no CSP violations', async () => {
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
    expect(violations).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });
});
