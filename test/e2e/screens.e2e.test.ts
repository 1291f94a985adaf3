/**
 * End to end through every screen, browser mode: the real `pie-audit serve` on a fresh
 * database, the built renderer in Debian's Chromium. Adds Fashion-MNIST (the system
 * copy) with one click, starts a small population run and watches its progress,
 * cancels and resumes it, opens the results, the PIE grid and an image, labels ten
 * images with the keyboard, undoes one, reloads and finds the labels kept, and exports
 * them. Screenshots of each screen go to test-results/screenshots/ (git-ignored).
 */
import Database from 'better-sqlite3';
import { csvRows } from '../helpers/csv-rows.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelingScreen } from './labeling-screen.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { screenshot } from './support.ts';

let e2e: E2eSession;
let page: Page;
let experimentId = 0;

const SCHEMA = ['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract'];

beforeAll(async () => {
  // A fresh, empty database: the test adds Fashion-MNIST (the system copy) from the page.
  e2e = await openE2eSession({ name: 'screens', fashionMnist: true, context: { viewport: { width: 1400, height: 900 }, acceptDownloads: true } });
  page = e2e.page;
});

afterAll(() => e2e?.close());

/** The labels in the database, read by a second connection (what a crash would leave). */
function storedLabels(): { image_index: number; categories: string; note: string }[] {
  const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT image_index, categories, note FROM labels WHERE study_id IS NULL ORDER BY image_index').all() as {
      image_index: number;
      categories: string;
      note: string;
    }[];
  } finally {
    db.close();
  }
}

/**
 * What the results screens should show, computed here from the stored predictions with
 * plain SQL and the paper's rules (modal label, ties to the largest class; PIE when the
 * variant's modal label differs from the dense one), independently of the analysis code.
 */
function expectedResults(experiment: number): {
  top1: Map<string, { mean: number; sd: number }>;
  pies: Set<number>;
  meanTrueProbability: Map<number, number>;
} {
  const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
  try {
    const accuracy = db
      .prepare(
        `SELECT m.variant, avg(p.predicted_label = ei.true_label) AS top1 FROM predictions p JOIN models m ON m.id = p.model_id
         JOIN experiment_images ei ON ei.experiment_id = m.experiment_id AND ei.image_index = p.image_index
         WHERE m.experiment_id = ? GROUP BY m.id`,
      )
      .all(experiment) as { variant: string; top1: number }[];
    const top1 = new Map<string, { mean: number; sd: number }>();
    for (const variant of new Set(accuracy.map((a) => a.variant))) {
      const xs = accuracy.filter((a) => a.variant === variant).map((a) => a.top1);
      const mean = xs.reduce((t, x) => t + x, 0) / xs.length;
      top1.set(variant, { mean, sd: Math.sqrt(xs.reduce((t, x) => t + (x - mean) ** 2, 0) / (xs.length - 1)) });
    }
    const votes = db
      .prepare(
        `SELECT m.variant, p.image_index, p.predicted_label, count(*) AS n FROM predictions p JOIN models m ON m.id = p.model_id
         WHERE m.experiment_id = ? GROUP BY m.variant, p.image_index, p.predicted_label ORDER BY n, p.predicted_label`,
      )
      .all(experiment) as { variant: string; image_index: number; predicted_label: number; n: number }[];
    const modal = new Map<string, number>(); // ordered by count then label: the last written wins
    for (const v of votes) modal.set(`${v.variant}/${v.image_index}`, v.predicted_label);
    const pies = new Set<number>();
    for (const [key, label] of modal) {
      const [variant, image] = key.split('/');
      if (variant !== 'dense' && modal.get(`dense/${image}`) !== label) pies.add(Number(image));
    }
    const meanTrueProbability = new Map(
      (
        db
          .prepare(
            `SELECT p.image_index, avg(p.true_label_probability) AS mean FROM predictions p JOIN models m ON m.id = p.model_id
             WHERE m.experiment_id = ? AND m.variant = 'magnitude-0.9' GROUP BY p.image_index`,
          )
          .all(experiment) as { image_index: number; mean: number }[]
      ).map((r) => [r.image_index, r.mean]),
    );
    return { top1, pies, meanTrueProbability };
  } finally {
    db.close();
  }
}

const { currentImage, pressed, waitSaved } = labelingScreen(() => page);

describe('the screens, end to end (pie-audit serve + Chromium)', () => {
  it('adds Fashion-MNIST with one click', async () => {
    await page.goto(e2e.server.url);
    await page.getByRole('button', { name: 'Add Fashion-MNIST' }).click();
    const row = page.locator('tr[data-dataset="fashion-mnist"]');
    await row.waitFor({ timeout: 90_000 });
    const digits = async (col: string): Promise<number> => Number(((await row.locator(`[data-col="${col}"]`).textContent()) ?? '').replace(/\D/g, ''));
    expect([await digits('train'), await digits('test'), await digits('classes')]).toEqual([60000, 10000, 10]);
    await page.getByTestId('run-form').waitFor();
    expect(await page.getByTestId('run-dataset').inputValue()).toBe('fashion-mnist');
  });

  it('starts a population run with custom settings, shows live progress per model, cancels and resumes it', async () => {
    await page.getByTestId('run-preset').selectOption('smoke');
    await page.locator('summary', { hasText: 'Custom settings' }).click();
    await page.getByTestId('run-models').fill('2');
    await page.getByTestId('run-epochs').fill('6');
    await page.getByTestId('run-train-limit').fill('6000');
    await page.getByTestId('run-workers').fill('1');
    await page.getByTestId('run-start').click();

    // Live progress: a model's bar moves before it is done, with a time-left estimate.
    const progress = page.getByTestId('run-progress');
    await expect.poll(() => progress.locator('tr[data-status="running"]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect
      .poll(
        async () => {
          const values = await progress.locator('tr[data-status="running"] progress').evaluateAll((bars) => bars.map((b) => (b as HTMLProgressElement).value));
          return values.some((v) => v > 0 && v < 1);
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    expect(await progress.locator('tbody tr').count()).toBe(4);
    // models done, then the share of all the training work (not of the models)
    expect(await page.getByTestId('run-overall-text').textContent()).toMatch(/\d of 4 models done\s*· \d+% of the training work/);
    // one worker: one model training at a time
    expect(await progress.locator('tr[data-status="running"]').count()).toBeLessThanOrEqual(1);
    await expect.poll(() => page.getByTestId('run-time-left').textContent(), { timeout: 30_000 }).toMatch(/left/);
    await screenshot(page, '1-runs-progress');

    await page.getByTestId('run-cancel').click();
    await page.getByTestId('run-resume').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-time-left').textContent()).toMatch(/cancelled/);
    // The model cut off by Cancel keeps nothing: shown as cancelled, without bar, epoch or accuracy.
    // (One worker: one such model, or none if Cancel fell between two models.)
    const cut = await progress.locator('tr[data-cancelled="true"]').all();
    expect(cut.length).toBeLessThanOrEqual(1);
    for (const row of cut) {
      expect(await row.getByTestId('model-status').textContent()).toBe('cancelled');
      expect(await row.getByTestId('model-accuracy').textContent()).toBe('–');
      expect(await row.getByTestId('model-epoch').textContent()).toBe('–');
      expect(await row.locator('progress').evaluate((b) => (b as HTMLProgressElement).value)).toBe(0);
    }
    // no waiting model shows an accuracy
    expect(await progress.locator('tr[data-status="pending"] [data-testid="model-accuracy"]').allTextContents()).toEqual(
      Array.from({ length: await progress.locator('tr[data-status="pending"]').count() }, () => '–'),
    );
    const experiments = page.getByTestId('experiments-table');
    const row = experiments.locator('tr[data-experiment]').first();
    experimentId = Number(await row.getAttribute('data-experiment'));
    expect(experimentId).toBeGreaterThan(0);

    await page.getByTestId('run-resume').click();
    // Resume keeps the run's one worker: never two models training at once. Sampled on
    // every train event the page receives until the run ends.
    await page.evaluate(() => {
      const w = window as unknown as { maxTraining: number };
      w.maxTraining = 0;
      new MutationObserver(() => {
        w.maxTraining = Math.max(w.maxTraining, document.querySelectorAll('[data-testid="run-progress"] tr[data-status="running"]').length);
      }).observe(document.querySelector('[data-testid="run-progress"]')!, { subtree: true, attributes: true, childList: true });
    });
    // Waits on the run's state, not on time: on a loaded machine the resumed run takes minutes.
    await page.getByTestId('run-open-results').waitFor({ timeout: 600_000 });
    expect(await page.evaluate(() => (window as unknown as { maxTraining: number }).maxTraining)).toBe(1);
    expect(await progress.locator('[data-testid="model-epoch"]').allTextContents()).toEqual(['6/6', '6/6', '6/6', '6/6']);
    expect(await page.getByTestId('run-overall-text').textContent()).toMatch(/4 of 4 models done/);
    await expect.poll(() => row.textContent()).toContain('4/4');
    await screenshot(page, '1-runs-finished');
  }, 900_000);

  it('opens the results: the headline table and the charts', async () => {
    await page.getByTestId('run-open-results').click();
    const table = page.getByTestId('report-table');
    await table.waitFor({ timeout: 30_000 });
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-variant')))).toEqual(['dense', 'magnitude-0.9']);
    // The numbers shown are those recomputed here from the stored predictions.
    const expected = expectedResults(experimentId);
    const percent = (x: number, digits: number): string => `${(100 * x).toFixed(digits)}%`;
    for (const variant of ['dense', 'magnitude-0.9']) {
      const cells = await table.locator(`tr[data-variant="${variant}"] td`).allTextContents();
      const top1 = expected.top1.get(variant);
      expect(cells[0], `${variant} models`).toBe('2');
      // One cell: the mean, then the sample standard deviation.
      expect(cells[1], `${variant} top-1 mean ± sd`).toBe(`${percent(top1?.mean ?? NaN, 2)} ± ${percent(top1?.sd ?? NaN, 2)}`);
    }
    const pieCells = await table.locator('tr[data-variant="magnitude-0.9"] td').allTextContents();
    expect(Number(pieCells[2]?.replace(/\D/g, ''))).toBe(expected.pies.size);
    expect(pieCells[3]).toBe(percent(expected.pies.size / 10000, 2));
    // The charts are drawn, and their text alternative carries the plotted values.
    for (const chart of ['chart-top1', 'chart-pies', 'chart-impact']) {
      const canvas = page.getByTestId(chart).locator('canvas');
      await expect.poll(() => canvas.evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(100);
    }
    const dense = expected.top1.get('dense');
    const pruned = expected.top1.get('magnitude-0.9');
    expect(await page.getByTestId('chart-top1').getAttribute('aria-label')).toBe(
      `Top-1 accuracy against sparsity: 0%: ${(100 * (dense?.mean ?? NaN)).toFixed(1)}% ± ${(100 * (dense?.sd ?? NaN)).toFixed(1)}; 90%: ${(100 * (pruned?.mean ?? NaN)).toFixed(1)}% ± ${(100 * (pruned?.sd ?? NaN)).toFixed(1)}`,
    );
    expect(await page.getByTestId('impact-table').locator('tbody tr').count()).toBe(10);
    await screenshot(page, '2-results');
  });

  it('opens the PIE grid, filters it, shows every image, and opens one', async () => {
    await page.getByTestId('nav-grid').click();
    const grid = page.getByTestId('pie-grid');
    await grid.locator('img').first().waitFor({ timeout: 30_000 });
    const pies = Number(await grid.getAttribute('data-count'));
    expect(pies).toBeGreaterThan(0);
    // Thumbnails really load (from /image/strip.png, allowed by the CSP; a strip is one thumbnail wide).
    await expect.poll(() => grid.locator('img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(28);
    await page.getByTestId('grid-pies-only').uncheck();
    await expect.poll(() => grid.getAttribute('data-count')).toBe('10000');
    // Virtualized: ten thousand images, a few hundred elements.
    expect(await grid.locator('a').count()).toBeLessThan(400);
    await page.getByTestId('grid-pies-only').check();
    await page.getByTestId('grid-class').selectOption({ label: 'Shirt' });
    const shirts = Number(await grid.getAttribute('data-count'));
    expect(shirts).toBeGreaterThan(0);
    expect(shirts).toBeLessThan(pies);
    await page.getByTestId('grid-class').selectOption({ label: 'all' });
    await page.getByTestId('grid-sort').selectOption('meanTrueProbability');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(pies));
    // Sorted: the first images shown are PIEs in rising mean probability of the true label
    // (recomputed here), starting from the lowest of all PIEs.
    const { pies: expectedPies, meanTrueProbability } = expectedResults(experimentId);
    expect(pies).toBe(expectedPies.size);
    // The grid carries the means to four decimals (pies.list) and breaks ties by image index.
    const shownKey = (i: number): number => (expectedPies.has(i) ? Math.round((meanTrueProbability.get(i) ?? NaN) * 1e4) : NaN);
    const lowest = Math.min(...[...expectedPies].map(shownKey));
    const shownImages = async (): Promise<number[]> => (await grid.locator('a[data-image]').evaluateAll((links) => links.map((a) => Number(a.getAttribute('data-image'))))).slice(0, 12);
    const sortedFromLowest = (images: number[]): boolean =>
      shownKey(images[0] ?? -1) === lowest &&
      images.every((i, k) => {
        if (k === 0) return true;
        const before = images[k - 1] ?? -1;
        return shownKey(i) > shownKey(before) || (shownKey(i) === shownKey(before) && i > before);
      });
    // The count does not change with the sort, so wait for the new order itself to be drawn.
    await expect.poll(async () => sortedFromLowest(await shownImages()), { timeout: 30_000 }).toBe(true);
    expect((await shownImages()).length).toBe(Math.min(12, pies));
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="pie-grid"] img')).every((img) => (img as HTMLImageElement).complete));
    await screenshot(page, '3-grid');

    const first = grid.locator('a').first();
    const imageIndex = Number(await first.getAttribute('data-image'));
    await first.click();
    await page.getByTestId('vote-histogram').waitFor();
    expect(page.url()).toContain(`#/image/${experimentId}/${imageIndex}`);
    const rows = page.getByTestId('vote-histogram').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    await expect.poll(() => page.getByTestId('image-full').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(280);
    expect(await page.getByTestId('image-scores').locator('tbody tr').count()).toBe(2);
    await screenshot(page, '4-image');
  });

  it('labels ten images with the keyboard, undoes one, and keeps them across a reload', async () => {
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-image').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('audit-labeled').textContent()).toBe('0');
    const total = Number(await page.getByTestId('audit-total').textContent());
    expect(total).toBeGreaterThan(10);

    const expected = new Map<number, string[]>();
    const keys = ['1', '2', '3', '0', '4', '5', '6', '1', '0', '3'];
    const next = ['Enter', 'ArrowRight', 'j'];
    for (let k = 0; k < 10; k++) {
      const image = await currentImage();
      const key = keys[k] ?? '1';
      await page.keyboard.press(key);
      const categories = key === '0' ? ['none'] : [SCHEMA[Number(key) - 1] ?? ''];
      if (k === 2) {
        // Two categories on one image, toggled in any order, stored in schema order.
        await page.keyboard.press('1');
        categories.unshift('atypical');
      }
      if (k === 4) {
        // A note, saved on Enter.
        await page.keyboard.press('n');
        await page.keyboard.type('two sleeves, no body');
        await page.keyboard.press('Enter');
      }
      expected.set(image, categories);
      await expect.poll(() => pressed()).toEqual(categories);
      await page.keyboard.press(next[k % 3] ?? 'Enter');
      await expect.poll(currentImage).not.toBe(image);
    }
    await waitSaved();
    expect(await page.getByTestId('audit-labeled').textContent()).toBe('10');
    await screenshot(page, '5-audit');

    // Undo: the last label is taken back, and the audit returns to that image.
    const lastLabeled = [...expected.keys()].at(-1) as number;
    await page.keyboard.press('Control+z');
    await expect.poll(currentImage).toBe(lastLabeled);
    expected.delete(lastLabeled);
    await waitSaved();
    expect(await page.getByTestId('audit-labeled').textContent()).toBe('9');
    expect(await page.locator('[data-category][aria-pressed="true"]').count()).toBe(0);
    // Going back with k and ArrowLeft shows the stored labels.
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowLeft');
    const back = await currentImage();
    await expect.poll(() => pressed()).toEqual(expected.get(back));

    // Durable: the database already holds exactly these labels.
    const stored = storedLabels();
    const storedNames = (json: string): string[] => {
      const names = JSON.parse(json) as string[];
      return names.length === 0 ? ['none'] : names;
    };
    expect(new Map(stored.map((r) => [r.image_index, storedNames(r.categories)]))).toEqual(expected);
    expect(stored.find((r) => r.note !== '')?.note).toBe('two sleeves, no body');

    // Reload: same image, same labels, same progress.
    await page.reload();
    await page.getByTestId('audit-image').waitFor();
    expect(await currentImage()).toBe(back);
    await expect.poll(() => page.getByTestId('audit-labeled').textContent()).toBe('9');
    await expect.poll(() => pressed()).toEqual(expected.get(back));
    const noted = stored.find((r) => r.note !== '')?.image_index as number;
    await page.goto(`${e2e.server.origin}/#/audit/${experimentId}/${noted}`);
    await expect.poll(() => page.getByTestId('audit-note').inputValue()).toBe('two sleeves, no body');
  });

  it('exports the labels as a CSV download and the PIEs as JSON Lines', async () => {
    await page.getByTestId('nav-export').click();
    const labels = await e2e.download('export-labels');
    expect(labels.name).toBe(`pie-audit-fashion-mnist-e${experimentId}-labels.csv`);
    const rows = csvRows(labels.text);
    expect(rows).toHaveLength(9);
    expect(Object.keys(rows[0] ?? {}).slice(0, 9)).toEqual(['study_id', 'annotator', 'dataset', 'image_index', 'true_label', 'is_pie', 'categories', 'note', 'labeled_at']);
    // The audit queue was the PIEs of the (only) pruned variant: every label is on a PIE.
    expect(rows.every((r) => r.is_pie === '1')).toBe(true);
    expect(rows.map((r) => r.categories).sort()).toEqual(['abstract', 'atypical', 'atypical;mislabeled', 'fine-grained', 'multiple-objects', 'noisy', 'none', 'none', 'atypical'].sort());
    expect(rows.every((r) => r.dataset === 'fashion-mnist' && /^\d{4}-\d\d-\d\dT/.test(r.labeled_at ?? ''))).toBe(true);
    await screenshot(page, '6-export');

    await page.getByTestId('format-jsonl').check();
    const pies = await e2e.download('export-pies');
    const lines = pies.text.trim().split('\n');
    expect(lines).toHaveLength(10_000);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ variant: 'magnitude-0.9', image_index: 0 });
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    expect(e2e.watch.problems).toEqual([]);
  });
});
