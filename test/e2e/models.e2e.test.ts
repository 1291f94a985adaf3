/**
 * Issue 12, end to end in browser mode: the "Add models" flow on the Datasets & runs
 * screen, in Debian's Chromium against the real `pie-audit serve`: a manifest's path, the
 * models' shapes checked before running, the run's progress, then the Results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistHead } from '../helpers/models.ts';
import { ROOT, checkPrerequisites, launchChromium, runCli, startServer, stopServer, watchPage, type Server } from './support.ts';

const MANIFEST = path.join(ROOT, 'test', 'fixtures', 'models', 'cnn.manifest.json');

let tmp: string;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let watched: Awaited<ReturnType<typeof watchPage>>;

beforeAll(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-e2e-models-'));
  const db = path.join(tmp, 'e2e.db');
  const head = writeFashionMnistHead(tmp, 100);
  await runCli(['--db', db, 'datasets', 'add', 'idx', '--name', 'fm-head', '--images', head.images, '--labels', head.labels], tmp);
  server = await startServer(db, tmp);
  browser = await launchChromium();
  page = await (await browser.newContext()).newPage();
  watched = await watchPage(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Add models', () => {
  it('says in one line why a manifest cannot be used', async () => {
    await page.goto(server?.url ?? '');
    await page.getByTestId('models-manifest').fill(path.join(tmp, 'missing.json'));
    await page.getByTestId('models-inspect').click();
    await expect.poll(() => page.getByTestId('error-alert').textContent()).toMatch(/missing\.json: cannot read manifest \(no such file\)/);
    await expect.poll(() => page.getByTestId('models-run').isDisabled()).toBe(true);
  }, 60_000);

  it('shows each model’s shapes, runs them with progress, and opens the results', async () => {
    watched.problems.length = 0; // the 400 the test above provoked on purpose
    await page.getByTestId('models-manifest').fill(MANIFEST);
    await page.getByTestId('models-dataset').selectOption('fm-head');
    await page.getByTestId('models-inspect').click();
    const table = page.getByTestId('models-shapes');
    await table.waitFor({ timeout: 60_000 });
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/dense.*cnn-dense\.onnx.*image \[batch, 1, 28, 28\].*logits \[batch, 10\].*0\.0%/);
    expect(rows[1]).toMatch(/magnitude-0\.9.*cnn-magnitude-0\.9\.onnx.*90\.0%/);

    await page.getByTestId('models-run').click();
    await page.getByTestId('models-open-results').waitFor({ timeout: 120_000 });
    const progress = await page.getByTestId('models-progress').locator('li').allTextContents();
    expect(progress).toHaveLength(2);
    for (const line of progress) expect(line).toMatch(/top-1 \d+\.\d%/);
    await page.getByTestId('models-open-results').click();
    const report = page.getByTestId('report-table');
    await report.waitFor({ timeout: 60_000 });
    await expect.poll(() => report.textContent()).toMatch(/dense.*pruned 90%/);
    expect(watched.problems).toEqual([]);
    expect(await watched.violations()).toEqual([]);
  }, 240_000);
});
