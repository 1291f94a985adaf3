/**
 * The run table in Chromium against the real `pie-audit serve` (a small learnable MNIST
 * written by the test): a run started from the form with one worker, cancelled, the page
 * reloaded (the page no longer knows the worker count), resumed from the experiments
 * table: never two models training at once, because the server kept the count with the
 * experiment; when done, the int8 copies read "quantized" in the Epoch column, the trained
 * models their epochs.
 */
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLearnableMnist } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { screenshot } from './support.ts';

const EPOCHS = 60;

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'run-table',
    prepare: (folder) => addLearnableMnist(folder, 'toy', 400, 100),
    context: { viewport: { width: 1400, height: 900 } },
  });
  page = e2e.page;
});

afterAll(() => e2e?.close());

describe('the run table', () => {
  it('resumes after a reload with the run\'s one worker, and shows finished int8 models as quantized', async () => {
    await page.goto(`${e2e.server.url}#/runs`);
    await expect.poll(() => page.getByTestId('run-dataset').inputValue(), { timeout: 20_000 }).toBe('toy');
    await page.locator('summary', { hasText: 'Custom settings' }).click();
    await page.getByTestId('run-models').fill('2');
    await page.getByTestId('run-sparsities').fill('0');
    await page.getByTestId('run-epochs').fill(String(EPOCHS));
    await page.getByTestId('run-workers').fill('1');
    await page.getByTestId('run-int8').check();
    await page.getByTestId('run-start').click();

    const progress = page.getByTestId('run-progress');
    await expect.poll(() => progress.locator('tr[data-status="running"]').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('run-cancel').click();
    await page.getByTestId('run-resume').waitFor({ timeout: 60_000 });
    const handle = new Database(e2e.db, { readonly: true, fileMustExist: true });
    const experimentId = handle.prepare('SELECT max(id) FROM experiments').pluck().get() as number;
    const unfinished = handle.prepare("SELECT count(*) FROM models WHERE experiment_id = ? AND status <> 'done'").pluck().get(experimentId) as number;
    handle.close();
    expect(unfinished).toBeGreaterThanOrEqual(3);

    // A reload forgets everything the page knew about the run, its worker count included.
    await page.reload();
    const resume = page.getByTestId(`resume-${experimentId}`);
    await resume.waitFor({ timeout: 30_000 });
    await page.evaluate(() => {
      const w = window as unknown as { maxTraining: number };
      w.maxTraining = 0;
      new MutationObserver(() => {
        w.maxTraining = Math.max(w.maxTraining, document.querySelectorAll('[data-testid="run-progress"] tr[data-status="running"]').length);
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    await resume.click();
    // Waits on the run's state, not on time.
    await page.getByTestId('run-open-results').waitFor({ timeout: 600_000 });
    expect(await page.evaluate(() => (window as unknown as { maxTraining: number }).maxTraining)).toBe(1);

    const rows = await progress.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ variant: tr.children[1]?.textContent?.trim(), status: tr.getAttribute('data-status'), epoch: tr.querySelector('[data-testid="model-epoch"]')?.textContent?.trim() })),
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.status).toBe('done');
      expect(row.epoch, JSON.stringify(row)).toBe(row.variant === 'int8' ? 'quantized' : `${EPOCHS}/${EPOCHS}`);
    }
    expect(rows.filter((r) => r.variant === 'int8')).toHaveLength(2);
    await screenshot(page, 'runs-resumed-after-reload');
    expect(e2e.watch.problems).toEqual([]);
  }, 900_000);
});
