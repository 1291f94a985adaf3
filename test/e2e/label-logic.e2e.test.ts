/**
 * The audit's label logic in the browser (real `pie-audit serve`, built renderer,
 * Chromium) on the fixture population imported as predictions: several undos in a row
 * (Ctrl+Z and Meta+Z), an earlier label restored by undo, a save that fails for real
 * (another connection holds the database's write lock) and is retried with nothing
 * lost, and the unsaved-changes warning while a save is still waiting.
 */
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelingScreen } from './labeling-screen.ts';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({ name: 'label-logic', prepare: ({ cli }) => importFixturePopulation(cli), context: { viewport: { width: 1400, height: 900 } } });
  page = e2e.page;
});

afterAll(() => e2e?.close());

/** Stored audit labels by image, read by a second connection. */
function stored(): Map<number, string[]> {
  const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT image_index, categories FROM labels WHERE study_id IS NULL').all() as { image_index: number; categories: string }[];
    return new Map(rows.map((r) => [r.image_index, JSON.parse(r.categories) as string[]]));
  } finally {
    db.close();
  }
}

const { currentImage, pressed, waitSaved } = labelingScreen(() => page, 30_000);

describe('audit label logic in the browser (imported fixture population)', () => {
  it('undoes several steps with Ctrl+Z and Meta+Z, restoring an earlier label', async () => {
    await page.goto(e2e.server.url);
    await page.goto(`${e2e.server.origin}/#/audit/1`);
    await page.getByTestId('audit-image-index').waitFor({ timeout: 30_000 });
    const first = await currentImage();
    await page.keyboard.press('1'); // atypical
    await expect.poll(pressed).toEqual(['atypical']);
    await page.keyboard.press('2'); // + noisy: the same image now carries two
    await expect.poll(pressed).toEqual(['atypical', 'noisy']);
    await page.keyboard.press('Enter');
    await expect.poll(currentImage).not.toBe(first);
    const second = await currentImage();
    await page.keyboard.press('3'); // mislabeled
    await expect.poll(pressed).toEqual(['mislabeled']);
    await waitSaved();
    expect(stored()).toEqual(new Map([[first, ['atypical', 'noisy']], [second, ['mislabeled']]]));

    await page.keyboard.press('Control+z'); // second image's label goes
    await expect.poll(currentImage).toBe(second);
    await expect.poll(pressed).toEqual([]);
    await page.keyboard.press('Meta+z'); // first image back to its earlier label (atypical alone)
    await expect.poll(currentImage).toBe(first);
    await expect.poll(pressed).toEqual(['atypical']);
    await waitSaved();
    expect(stored()).toEqual(new Map([[first, ['atypical']]]));
    await page.keyboard.press('Control+z'); // and then no label at all
    await expect.poll(pressed).toEqual([]);
    await waitSaved();
    expect(stored()).toEqual(new Map());
  });

  it('keeps a label whose save failed, warns before leaving meanwhile, and saves it once the database is free', async () => {
    const image = await currentImage();
    const holder = new Database(e2e.db);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      await page.keyboard.press('4'); // multiple-objects
      await expect.poll(pressed).toEqual(['multiple-objects']);
      // The save fails for real (the server's write waits out SQLite's busy timeout) and is shown.
      await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 60_000 }).toMatch(/Not saved yet \(will retry\): .*the database is busy/);
      expect(await page.getByTestId('save-status').getAttribute('data-pending')).toBe('1');
      // Leaving now asks first.
      const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => void d.dismiss().then(() => resolve(d.type()))));
      await page.close({ runBeforeUnload: true });
      expect(await dialog).toBe('beforeunload');
      expect(page.isClosed()).toBe(false);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    await waitSaved();
    expect(stored()).toEqual(new Map([[image, ['multiple-objects']]]));
  });
});
