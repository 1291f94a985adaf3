/**
 * The long tail and distribution shift started from the app, in Chromium against the
 * real `pie-audit serve` and a real SQLite file: a long-tail run from the run form
 * (ratio and tail order, a bad order refused in one line), then an evaluation under two
 * corruptions and one on another test set from the "Evaluate under shift" panel with
 * its progress, Results showing what the database holds, and a large evaluation cancelled.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idxBuffer } from '../helpers/data.ts';
import { queryAll } from '../helpers/models.ts';
import { addLearnableMnist } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';

const ORDER = [3, 1, 4, 0, 5, 9, 2, 6, 8, 7];
const CORRUPTIONS = ['shot_noise', 'rotate'];

let e2e: E2eSession;
let page: Page;

const query = <T>(sql: string, ...params: unknown[]): T[] => queryAll<T>(e2e.db, sql, ...params);

/** As the app formats them (src-renderer/src/lib/format.ts). */
const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits));

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'shift-runs',
    prepare: async ({ dir, cli }) => {
      await addLearnableMnist({ dir, cli }, 'toy', 600, 120);
      // Another test set with the same classes (0..9), at another size: the models' input is resized.
      const n = 40;
      fs.writeFileSync(path.join(dir, 'small-images'), idxBuffer([n, 14, 14], Uint8Array.from({ length: n * 14 * 14 }, (_, i) => (i * 37) % 256)));
      fs.writeFileSync(path.join(dir, 'small-labels'), idxBuffer([n], Uint8Array.from({ length: n }, (_, i) => i % 10)));
      await cli(['datasets', 'add', 'idx', '--name', 'toy-small', '--images', path.join(dir, 'small-images'), '--labels', path.join(dir, 'small-labels'), '--classes', '0,1,2,3,4,5,6,7,8,9']);
    },
    context: { viewport: { width: 1400, height: 1000 } },
  });
  page = e2e.page;
  await page.goto(`${e2e.server.url.split('#')[0]}#/runs`);
}, 300_000);

afterAll(() => e2e?.close());

describe('long-tail runs and evaluations under shift started from Datasets & runs (pie-audit serve + Chromium)', () => {
  it('refuses a tail order that is not a permutation of the classes in one plain line, and starts nothing', async () => {
    await page.getByTestId('run-dataset').selectOption('toy');
    await page.getByTestId('run-preset').selectOption('smoke');
    await page.getByTestId('run-long-tail-ratio').fill('10');
    await page.getByTestId('run-tail-order').fill('3,1,4,0,5,9,2,6,8,8');
    await page.getByTestId('run-start').click();
    const alert = page.getByTestId('run-form').getByTestId('error-alert');
    await expect.poll(() => alert.locator('.message').textContent()).toBe('Tail order must name each of the 10 classes once, most frequent first');
    await page.getByTestId('run-tail-order').fill('3,1,4,0,5,9,2,6,8,cat');
    await page.getByTestId('run-start').click();
    await expect.poll(() => alert.locator('.message').textContent()).toBe("Tail order: 'cat' is not a class of toy (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)");
    expect(query<{ n: number }>('SELECT count(*) AS n FROM experiments')[0]?.n).toBe(0);
  });

  it('trains a long-tail population: each class keeps floor(n * 10^(-r/9)) images in the typed order', async () => {
    await page.getByTestId('run-tail-order').fill(ORDER.join(','));
    await expect.poll(() => page.getByTestId('run-summary').textContent()).toContain(`long tail: ratio 10, order ${ORDER.join(',')}`);
    await page.locator('[data-testid="run-form"] details summary').click();
    await page.getByTestId('run-workers').fill('1');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-open-results').waitFor({ timeout: 600_000 });
    const counts = new Map(query<{ class: number; train_count: number }>('SELECT class, train_count FROM experiment_class_counts WHERE experiment_id = 1').map((r) => [r.class, r.train_count]));
    const n = Math.min(...query<{ n: number }>("SELECT count(*) AS n FROM images WHERE split = 'train' GROUP BY label").map((r) => r.n));
    ORDER.forEach((c, rank) => expect(counts.get(c), `class ${c}`).toBe(Math.floor(n * 10 ** (-rank / 9))));
    const config = JSON.parse(query<{ config: string }>('SELECT config FROM experiments WHERE id = 1')[0]?.config ?? '{}') as { longTail?: { ratio: number; order: number[] } };
    expect(config.longTail).toEqual({ ratio: 10, order: ORDER });
  }, 700_000);

  it('evaluates the population under two corruptions with live progress, and Results shows the database', async () => {
    const panel = page.getByTestId('evaluate-panel');
    await panel.getByTestId('evaluate-experiment').selectOption('1');
    // defaults: shot_noise and rotate at severities 1, 3, 5; keep severity 3 only
    for (const s of [1, 5]) await panel.locator(`input[data-severity="${s}"]`).uncheck();
    for (const c of CORRUPTIONS) expect(await panel.locator(`input[data-corruption="${c}"]`).isChecked()).toBe(true);
    await panel.getByTestId('evaluate-start').click();
    await panel.getByTestId('evaluate-open-results').waitFor({ timeout: 300_000 });
    const models = query<{ n: number }>("SELECT count(*) AS n FROM models WHERE experiment_id = 1 AND status = 'done'")[0]?.n ?? 0;
    expect(models).toBe(4);
    expect(await panel.getByTestId('evaluate-progress-text').textContent()).toContain(`${2 * models} of ${2 * models} model runs on 2 sets`);
    expect(await panel.getByTestId('evaluate-outcome').textContent()).toContain('finished');
    const stored = query<{ name: string; n: number }>('SELECT s.name, count(*) AS n FROM eval_predictions e JOIN eval_sets s ON s.id = e.eval_set_id GROUP BY s.name ORDER BY s.name');
    expect(stored).toEqual(CORRUPTIONS.map((c) => `${c}:3`).sort().map((name) => ({ name, n: models * 120 })));

    await panel.getByTestId('evaluate-open-results').click();
    const table = page.getByTestId('shift-table');
    await table.waitFor();
    // Amplification recomputed from the stored top-1s: (v - d) / d on the set minus the same on clean.
    const top1 = (sql: string): Map<string, number> => new Map(query<{ variant: string; top1: number }>(sql).map((r) => [r.variant, r.top1]));
    const clean = top1("SELECT variant, avg(top1) AS top1 FROM models WHERE experiment_id = 1 AND status = 'done' GROUP BY variant");
    const relative = (t: Map<string, number>, v: string): number => ((t.get(v) ?? NaN) - (t.get('dense') ?? NaN)) / (t.get('dense') ?? NaN);
    for (const corruption of CORRUPTIONS) {
      const onSet = top1(`SELECT m.variant, avg(r.top1) AS top1 FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id JOIN models m ON m.id = r.model_id WHERE s.name = '${corruption}:3' GROUP BY m.variant`);
      const cells = await table.locator(`tr[data-set="${corruption}"] td`).allTextContents();
      expect(cells).toEqual(['3', percent(relative(onSet, 'magnitude-0.9') - relative(clean, 'magnitude-0.9'))]);
    }
    // mCE of the pruned population: mean over the two corruptions of E_v / E_dense.
    const errors = (variant: string, corruption: string): number =>
      1 - (query<{ top1: number }>(`SELECT avg(r.top1) AS top1 FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id JOIN models m ON m.id = r.model_id WHERE s.name = '${corruption}:3' AND m.variant = ?`, variant)[0]?.top1 ?? NaN);
    const mce = CORRUPTIONS.reduce((sum, c) => sum + errors('magnitude-0.9', c) / errors('dense', c), 0) / CORRUPTIONS.length;
    expect((await page.getByTestId('shift-mce').locator('td').allTextContents()).slice(1)).toEqual([fixed(mce, 3)]);
    await page.getByTestId('chart-longtail').waitFor();
  }, 400_000);

  it('evaluates the population on another test set with the same classes, and Results shows its row', async () => {
    await page.getByTestId('nav-runs').click();
    const panel = page.getByTestId('evaluate-panel');
    await panel.getByTestId('evaluate-mode-dataset').check();
    await panel.getByTestId('evaluate-dataset').selectOption('toy-small');
    await panel.getByTestId('evaluate-start').click();
    // (the previous evaluation's "finished" is cleared when this one starts)
    await expect.poll(() => panel.getByTestId('evaluate-progress').textContent(), { timeout: 300_000 }).toMatch(/4 of 4 model runs on 1 set\s*finished/);
    const set = query<{ kind: string; images: number; n: number }>("SELECT s.kind, s.images, count(*) AS n FROM eval_sets s JOIN eval_predictions e ON e.eval_set_id = s.id WHERE s.name = 'toy-small'")[0];
    expect(set).toEqual({ kind: 'dataset', images: 40, n: 4 * 40 });
    await panel.getByTestId('evaluate-open-results').click();
    const row = page.getByTestId('shift-table').locator('tr[data-set="toy-small"]');
    await row.waitFor();
    const onSet = new Map(
      query<{ variant: string; top1: number }>(
        "SELECT m.variant, avg(r.top1) AS top1 FROM eval_runs r JOIN eval_sets s ON s.id = r.eval_set_id JOIN models m ON m.id = r.model_id WHERE s.name = 'toy-small' GROUP BY m.variant",
      ).map((r) => [r.variant, r.top1]),
    );
    const clean = new Map(query<{ variant: string; top1: number }>("SELECT variant, avg(top1) AS top1 FROM models WHERE experiment_id = 1 AND status = 'done' GROUP BY variant").map((r) => [r.variant, r.top1]));
    const relative = (t: Map<string, number>): number => ((t.get('magnitude-0.9') ?? NaN) - (t.get('dense') ?? NaN)) / (t.get('dense') ?? NaN);
    const amplification = (onSet.get('dense') ?? 0) === 0 ? null : relative(onSet) - relative(clean);
    expect(await row.locator('td').allTextContents()).toEqual(['–', percent(amplification)]);
  }, 400_000);

  it('cancels a long evaluation between models: the runs done are kept, the rest is not run', async () => {
    await page.getByTestId('nav-runs').click();
    const panel = page.getByTestId('evaluate-panel');
    await panel.getByTestId('evaluate-mode-corruptions').check();
    await panel.getByRole('button', { name: 'All' }).click();
    for (const s of [1, 2, 4, 5]) await panel.locator(`input[data-severity="${s}"]`).check();
    await panel.getByTestId('evaluate-start').click();
    await panel.getByTestId('evaluate-cancel').click();
    await expect.poll(() => panel.getByTestId('evaluate-outcome').textContent(), { timeout: 120_000 }).toContain('cancelled');
    const runs = query<{ n: number }>('SELECT count(*) AS n FROM eval_runs')[0]?.n ?? 0;
    // 16 corruptions x 5 severities x 4 models were asked for; 8 corruption runs (and 4 on toy-small) were there before
    expect(runs).toBeGreaterThanOrEqual(12);
    expect(runs).toBeLessThan(16 * 5 * 4 + 4);
    const text = (await panel.getByTestId('evaluate-progress-text').textContent()) ?? '';
    expect(text).toMatch(new RegExp(`^\\s*${runs - 12} of ${16 * 5 * 4 - 8} model runs on 80 sets`));
    expect(await panel.getByTestId('evaluate-start').isEnabled()).toBe(true);
  }, 200_000);

  it('logged no console errors and no CSP violations', async () => {
    expect(e2e.watch.problems).toEqual([]);
    expect(await e2e.watch.violations()).toEqual([]);
  });
});
