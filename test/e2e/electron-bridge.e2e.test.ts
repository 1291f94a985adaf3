/**
 * End to end, the Electron path: the real renderer (out/renderer) in Chromium gets
 * `window.pieAudit` from the built preload (out/preload/preload.cjs), and every call
 * reaches the built main bundle's own IPC handler (out/main/index.js running under the
 * Electron stub in host mode), with structured clones both ways and the app's events
 * pushed into the page. Files and images come from the app's own app:// handler.
 * See test/helpers/electron-stub/host.ts; docs/reliability.md says what only a real
 * Electron would check. Backend: the app's default (WASM here).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src-main/core/web/csp.ts';
import { writeLearnableMnistFolder } from '../helpers/data.ts';
import { csvRows } from '../helpers/csv-rows.ts';
import { startElectronHost, type ElectronHost } from '../helpers/electron-stub/host.ts';
import { labelingScreen } from './labeling-screen.ts';
import { checkPrerequisites, openChromiumPage, runCli, type ChromiumPage } from './support.ts';

/** What the preload puts on window (src-main/app/preload.ts). */
type BridgeWindow = { pieAudit?: { call(method: string, payload: unknown): Promise<unknown>; onEvent(listener: (event: { type: string }) => void): () => void } };

const SCHEMA = ['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract'];

let tmp: string;
let dbFile: string;
let host: ElectronHost | undefined;
let chromium: ChromiumPage;
let page: Page;

function storedLabels(): Map<number, string[]> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT image_index, categories FROM labels WHERE study_id IS NULL ORDER BY image_index').all() as { image_index: number; categories: string }[];
    return new Map(rows.map((r) => [r.image_index, JSON.parse(r.categories) as string[]]));
  } finally {
    db.close();
  }
}

/** Top-1 per variant from the stored predictions, with plain SQL (independent of the analysis code). */
function storedTop1(): Map<string, number> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT m.variant, avg(p.predicted_label = ei.true_label) AS top1 FROM predictions p JOIN models m ON m.id = p.model_id
         JOIN experiment_images ei ON ei.experiment_id = m.experiment_id AND ei.image_index = p.image_index
         WHERE m.experiment_id = 1 GROUP BY m.id`,
      )
      .all() as { variant: string; top1: number }[];
    return new Map(rows.map((r) => [r.variant, r.top1]));
  } finally {
    db.close();
  }
}

const { currentImage, pressed, waitSaved } = labelingScreen(() => page);

beforeAll(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-electron-'));
  dbFile = path.join(tmp, 'electron.db');
  const data = path.join(tmp, 'tiny');
  fs.mkdirSync(data);
  writeLearnableMnistFolder(data, 300, 120);
  await runCli(['--db', dbFile, 'datasets', 'add', 'mnist', '--name', 'tiny', '--from', data], tmp);
  // Not openE2eSession: the page talks to the built main bundle through the preload, not to `pie-audit serve`.
  host = await startElectronHost(tmp, dbFile);
  chromium = await openChromiumPage();
  page = chromium.page;
  await host.attach(page);
}, 120_000);

afterAll(async () => {
  await chromium?.browser.close();
  await host?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the renderer through the preload and the main process IPC (Electron path, without Electron)', () => {
  it('opens through the bridge: the preload exposes only call and onEvent, the app answers as Desktop, the dataset is listed', async () => {
    expect(host!.loadedUrls).toEqual(['app://renderer/index.html']);
    const response = await page.goto(`${host!.origin}/index.html`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.evaluate(() => Object.keys((window as unknown as BridgeWindow).pieAudit ?? {}).sort())).toEqual(['call', 'onEvent']);

    await expect.poll(() => page.getByTestId('carrier').textContent()).toBe('Desktop');
    expect(await page.getByTestId('database-path').textContent()).toBe(dbFile);
    const row = page.locator('tr[data-dataset="tiny"]');
    await row.waitFor({ timeout: 30_000 });
    const digits = async (col: string): Promise<number> => Number(((await row.locator(`[data-col="${col}"]`).textContent()) ?? '').replace(/\D/g, ''));
    expect([await digits('train'), await digits('test'), await digits('classes')]).toEqual([300, 120, 10]);
  });

  it('clones what crosses the bridge: a function in a payload is refused in the page, an unknown method by the main process', async () => {
    const refused = await page.evaluate(() =>
      (window as unknown as BridgeWindow).pieAudit!.call('datasets.list', { f: () => 1 }).then(
        () => 'sent',
        (error: Error) => error.name,
      ),
    );
    expect(refused).toBe('DataCloneError');
    const unknown = await page.evaluate(() => (window as unknown as BridgeWindow).pieAudit!.call('no.such.method', {}));
    expect(unknown).toMatchObject({ ok: false, failure: { kind: 'bad-request' } });
  });

  it('runs a small population from the Runs form, with progress events pushed into the page', async () => {
    await page.getByTestId('run-dataset').selectOption('tiny');
    await page.getByTestId('run-preset').selectOption('smoke');
    await page.locator('summary', { hasText: 'Custom settings' }).click();
    await page.getByTestId('run-models').fill('1');
    await page.getByTestId('run-epochs').fill('3');
    await page.getByTestId('run-train-limit').fill('300');
    await page.getByTestId('run-workers').fill('1');
    // Count, in the page, the events the preload hands to the renderer's listener.
    await page.evaluate(() => {
      const w = window as unknown as { trainEvents: string[] };
      w.trainEvents = [];
      (window as unknown as BridgeWindow).pieAudit!.onEvent((event) => w.trainEvents.push(event.type));
    });
    await page.getByTestId('run-start').click();
    const progress = page.getByTestId('run-progress');
    await page.getByTestId('run-open-results').waitFor({ timeout: 600_000 });
    expect(await progress.locator('[data-testid="model-epoch"]').allTextContents()).toEqual(['3/3', '3/3']);
    expect(await page.getByTestId('run-overall-text').textContent()).toMatch(/2 of 2 models done/);

    // The events came from the main process's webContents.send, through the preload.
    const sent = host!.events.filter((e) => e.channel === 'pie-audit:event').map((e) => (e.args[0] as { type: string }).type);
    const received = await page.evaluate(() => (window as unknown as { trainEvents: string[] }).trainEvents);
    const progressEvents = received.filter((t) => t.startsWith('train.'));
    expect(progressEvents.length).toBeGreaterThan(2);
    expect(new Set(progressEvents).size).toBeGreaterThan(1);
    for (const type of new Set(received)) expect(sent).toContain(type);
  }, 660_000);

  it('shows the results the stored predictions give', async () => {
    await page.getByTestId('run-open-results').click();
    const table = page.getByTestId('report-table');
    await table.waitFor({ timeout: 60_000 });
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variant')))).toEqual(['dense', 'magnitude-0.9']);
    const top1 = storedTop1();
    for (const variant of ['dense', 'magnitude-0.9']) {
      const cells = await table.locator(`tr[data-variant="${variant}"] td`).allTextContents();
      expect(cells[0]).toBe('1');
      expect(cells[1]).toContain(`${(100 * (top1.get(variant) ?? NaN)).toFixed(2)}%`);
    }
    // An image through the app's own app:// handler.
    await page.getByTestId('nav-grid').click();
    await page.getByTestId('grid-pies-only').uncheck();
    const image = page.getByTestId('pie-grid').locator('img').first();
    await image.waitFor({ timeout: 30_000 });
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });

  it('labels with the keyboard, undoes, and keeps a label across a reload', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-image').waitFor({ timeout: 30_000 });
    const expected = new Map<number, string[]>();
    for (const key of ['1', '3', '2']) {
      const image = await currentImage();
      await page.keyboard.press(key);
      expected.set(image, [SCHEMA[Number(key) - 1] ?? '']);
      await expect.poll(pressed).toEqual(expected.get(image));
      await page.keyboard.press('Enter');
      await expect.poll(currentImage).not.toBe(image);
    }
    await waitSaved();
    expect(storedLabels()).toEqual(expected);

    const last = [...expected.keys()].at(-1) as number;
    await page.keyboard.press('Control+z');
    await expect.poll(currentImage).toBe(last);
    expected.delete(last);
    await waitSaved();
    expect(storedLabels()).toEqual(expected);

    const first = [...expected.keys()][0] as number;
    await page.reload();
    await page.getByTestId('audit-image').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('audit-labeled').textContent()).toBe('2');
    await page.goto(`${host!.origin}/index.html#/audit/1/${first}`);
    await expect.poll(currentImage).toBe(first);
    await expect.poll(pressed).toEqual(expected.get(first));
  });

  it('exports the labels to the path the save dialog gives', async () => {
    await page.getByTestId('nav-export').click();
    await page.getByTestId('export-labels').click();
    await expect.poll(() => page.getByTestId('export-status').textContent(), { timeout: 30_000 }).toMatch(/^Saved 2 rows to /);
    const saved = fs.readdirSync(host!.savedDir);
    expect(saved).toEqual(['pie-audit-tiny-e1-labels.csv']);
    const rows = csvRows(fs.readFileSync(path.join(host!.savedDir, saved[0] ?? ''), 'utf8'));
    expect(new Map(rows.map((r) => [Number(r.image_index), (r.categories ?? '').split(';')]))).toEqual(storedLabels());
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await chromium.watch.violations()).toEqual([]);
    expect(chromium.watch.problems).toEqual([]);
  });
});
