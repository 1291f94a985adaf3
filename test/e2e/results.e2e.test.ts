/**
 * What the results and the audit show a user, in Chromium against the real
 * `pie-audit serve`: a database with the fixture population (imported predictions,
 * experiment 1) and a newer run cancelled before any model finished (experiment 2).
 * The screens open the experiment with finished models; the per-class column carries the
 * same value and sign as the export and t, in one colour in table and chart; the audit's
 * queue and position survive a reload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../helpers/api-client.ts';
import { labelingScreen } from './labeling-screen.ts';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { FASHION_MNIST_DIR, screenshot } from './support.ts';

let e2e: E2eSession;
let page: Page;
const api = apiClient(() => {
  const url = new URL(e2e.server.url);
  return { port: Number(url.port), token: url.searchParams.get('token') ?? '' };
});

interface Experiment {
  id: number;
  models: { done: number; total: number };
}

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'results',
    fashionMnist: true,
    prepare: async ({ cli }) => {
      await importFixturePopulation(cli);
      await cli(['datasets', 'add', 'fashion-mnist', '--from', FASHION_MNIST_DIR]);
    },
    context: { viewport: { width: 1400, height: 900 } },
  });
  page = e2e.page;
  // A run cancelled at once: a newer experiment without a finished model.
  const started = await api.value<{ experimentId: number }>('train.start', { dataset: 'fashion-mnist', preset: 'smoke', epochs: 50, workers: 1 });
  await api.value('train.cancel', {});
  for (let wait = 0; (await api.value<{ running: boolean }>('train.status', {})).running; wait++) {
    if (wait > 600) throw new Error('the cancelled run did not stop within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const experiments = await api.value<Experiment[]>('experiments.list', {});
  expect(experiments.map((e) => [e.id, e.models.done])).toEqual([
    [started.experimentId, 0],
    [1, 20],
  ]);
});

afterAll(() => e2e?.close());

const { currentImage: current, waitSaved } = labelingScreen(() => page);

/** CSS colour as rgb(r, g, b), whatever form it was written in. */
const rgb = (colour: string): Promise<string> =>
  page.evaluate((c) => {
    const probe = document.createElement('span');
    probe.style.color = c;
    document.body.append(probe);
    const value = getComputedStyle(probe).color;
    probe.remove();
    return value;
  }, colour);

describe('results and audit as a user meets them (pie-audit serve + Chromium)', () => {
  it('opens the newest experiment with finished models, not the cancelled run', async () => {
    await page.goto(e2e.server.url);
    for (const screen of ['results', 'grid', 'audit', 'export']) {
      await page.getByTestId(`nav-${screen}`).click();
      await expect.poll(() => page.url()).toContain(`#/${screen}/1`);
      await expect.poll(() => page.getByTestId('experiment-picker').inputValue()).toBe('1');
    }
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-image-index').waitFor();
    await page.getByTestId('nav-study').click();
    await expect.poll(() => page.getByTestId('study-experiment').inputValue()).toBe('1');
  });

  it('names the per-class column, and gives it the sign of t and of the export, in one colour in table and chart', async () => {
    await page.getByTestId('nav-results').click();
    const table = page.getByTestId('impact-table');
    await table.waitFor();
    await page.getByTestId('impact-variant').selectOption('magnitude-0.9');
    expect(await table.locator('thead').textContent()).toContain('Rel. recall loss');
    expect(await page.getByTestId('impact-rule').textContent()).toMatch(/ordered by largest Welch's t first/);

    const rows = await table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '');
        return { cls: Number(tr.getAttribute('data-class')), effect: tr.getAttribute('data-effect'), loss: cells[2] ?? '', t: Number(cells[3]), colour: getComputedStyle(tr.querySelector('th')!).color };
      }),
    );
    expect(rows).toHaveLength(10);
    // most hurt first: t descending
    expect(rows.map((r) => r.t)).toEqual([...rows.map((r) => r.t)].sort((a, b) => b - a));

    const out = path.join(e2e.dir, 'class-impact.csv');
    await e2e.cli(['export', 'class-impact', '--experiment', '1', '--format', 'csv', '--out', out]);
    const exported = csvRows(fs.readFileSync(out)).filter((r) => r.variant === 'magnitude-0.9');
    const byClass = new Map(exported.map((r) => [Number(r.class), r]));

    const [hurt, helped, plain, text] = await Promise.all(['--sig', '--gain', '--border-strong', '--text'].map((v) => page.evaluate((name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim(), v)));
    const chartColours = ((await page.getByTestId('chart-impact').getAttribute('data-colours')) ?? '').split(' ');
    expect(chartColours).toHaveLength(10);
    for (const [k, row] of rows.entries()) {
      const ref = byClass.get(row.cls);
      if (!ref) throw new Error(`class ${row.cls} missing from the export`);
      const loss = Number(ref.relative_recall_loss);
      // the same value as the export (in points), the same sign as the export's t and the table's
      expect(row.loss, `class ${row.cls}`).toBe(`${loss > 0 ? '+' : ''}${(100 * loss).toFixed(1)}`);
      expect(Math.sign(loss)).toBe(Math.sign(Number(ref.statistic_recall_norm)));
      expect(Math.sign(loss)).toBe(Math.sign(row.t));
      // one colour: hurt red, helped blue, else plain, in the table and the chart alike
      const expected = ref.significant === '1' ? (loss > 0 ? 'hurt' : 'helped') : 'ns';
      expect(row.effect, `class ${row.cls}`).toBe(expected);
      expect(chartColours[k]).toBe({ hurt, helped, ns: plain }[expected]);
      expect(row.colour).toBe(await rgb({ hurt, helped, ns: text }[expected] ?? ''));
    }
    // the fixture's significant class at 90% is helped (t < 0): blue in both
    expect(rows.filter((r) => r.effect === 'helped').map((r) => r.cls)).toEqual([6]);
    await page.getByTestId('chart-impact').scrollIntoViewIfNeeded();
    await screenshot(page, 'results-class-impact');
  });

  it('shows how many PIEs rest on ties and warns about a small population', async () => {
    await page.getByTestId('report-table').scrollIntoViewIfNeeded();
    const report = JSON.parse(await e2e.cli(['report', '--json', '--experiment', '1'])) as { variants: { variant: string; pies: number; pies_on_ties: number }[] };
    for (const v of report.variants.filter((x) => x.variant !== 'dense')) {
      const cell = page.locator(`tr[data-variant="${v.variant}"] [data-testid="pies-on-ties"]`);
      expect((await cell.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`${v.pies_on_ties} (${Math.round((100 * v.pies_on_ties) / v.pies)}%)`);
    }
    // five models per variant: at the rule's threshold, no warning
    expect(await page.getByTestId('small-population').count()).toBe(0);
    await screenshot(page, 'results-headline');
  });

  it('keeps the audit queue (filters, order) and the position across a reload', async () => {
    await page.getByTestId('nav-grid').click();
    const grid = page.getByTestId('pie-grid');
    await grid.waitFor();
    await page.getByTestId('grid-variant').selectOption('magnitude-0.9');
    await page.getByTestId('grid-pies-only').uncheck();
    await page.getByTestId('grid-class').selectOption('3');
    await page.getByTestId('grid-sort').selectOption('index');
    await page.getByRole('button', { name: 'Low → high' }).click();
    await page.getByTestId('grid-label').selectOption('unlabeled');
    await expect.poll(() => grid.getAttribute('data-count')).not.toBe('0');
    const count = Number(await grid.getAttribute('data-count'));
    const order = await grid.locator('a').evaluateAll((links) => links.map((a) => Number(a.getAttribute('data-image'))));
    expect(order).toEqual([...order].sort((a, b) => b - a)); // high to low

    await page.getByTestId('grid-audit').click();
    await expect.poll(current).toBe(order[0]);
    expect(await page.getByTestId('audit-total').textContent()).toBe(String(count));
    // Label two (under "not labeled" they would leave the grid's list) and step on.
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await page.keyboard.press('2');
    await page.keyboard.press('Enter');
    await expect.poll(current).toBe(order[2]);
    await waitSaved();

    await page.reload();
    await expect.poll(current).toBe(order[2]);
    expect(await page.getByTestId('audit-total').textContent()).toBe(String(count));
    expect(await page.getByTestId('audit-labeled').textContent()).toBe('2');
    expect(await page.getByTestId('audit-queue').textContent()).toContain('pruned 90%');
    await page.keyboard.press('k');
    await expect.poll(current).toBe(order[1]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await expect.poll(current).toBe(order[3]);
    // The grid kept its filters too; its list now leaves out the two labeled images.
    await page.getByTestId('nav-grid').click();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(count - 2));
    expect(await page.getByTestId('grid-class').inputValue()).toBe('3');
    expect(await page.getByTestId('grid-label').inputValue()).toBe('unlabeled');
    // so the audit offers to take the grid's list, which it does not follow any more
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-use-grid').waitFor();
    await screenshot(page, 'audit-queue-kept');
  });

  it('moves the focus between grid thumbnails with the arrow keys, by row up and down, and opens one with Enter', async () => {
    await page.getByTestId('nav-grid').click();
    const grid = page.getByTestId('pie-grid');
    await grid.waitFor();
    await page.getByTestId('grid-class').selectOption('-1');
    await page.getByTestId('grid-label').selectOption('any');
    await expect.poll(async () => Number(await grid.getAttribute('data-count'))).toBeGreaterThan(100);
    // the grid's columns, from where the cells sit: those on the first row share its top
    const columns = await grid.locator('a[data-pos]').evaluateAll((cells) => {
      const top = cells[0]?.getBoundingClientRect().top;
      return cells.filter((c) => c.getBoundingClientRect().top === top).length;
    });
    expect(columns).toBeGreaterThan(1);
    const focused = (): Promise<number> => page.evaluate(() => Number(document.activeElement?.getAttribute('data-pos') ?? -1));
    await grid.locator('a[data-pos="0"]').focus();
    await page.keyboard.press('ArrowLeft'); // nothing before the first
    expect(await focused()).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe(1);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(1 + columns);
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe(columns);
    await page.keyboard.press('ArrowUp');
    expect(await focused()).toBe(0);
    // Far down, past the rows first rendered: the virtualized grid scrolls the target in.
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(12 * columns);
    expect(await grid.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    const image = Number(await page.evaluate(() => document.activeElement?.getAttribute('data-image')));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(`#/image/1/${image}`);
    await page.getByTestId('image-true-label').waitFor();
  });

  it('renames and deletes experiments, after a confirmation, never one a study uses', async () => {
    await api.value('study.create', { name: 'pilot', experimentId: 1, pies: 3, controls: 3, seed: 1 });
    await page.getByTestId('nav-runs').click();
    const table = page.getByTestId('experiments-table');
    await table.waitFor();
    const ids = (): Promise<number[]> => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-experiment'))));
    await expect.poll(ids).toEqual([2, 1]);

    // Rename: Enter saves, the table shows it.
    await page.getByTestId('rename-1').click();
    await page.getByTestId('rename-input-1').fill('fixture population');
    await page.getByTestId('rename-input-1').press('Enter');
    await expect.poll(() => table.locator('tr[data-experiment="1"] th').textContent()).toContain('fixture population');

    // Delete asks first; Cancel keeps it.
    await page.getByTestId('delete-2').click();
    expect(await table.locator('tr[data-experiment="2"]').textContent()).toMatch(/cannot be undone/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await ids()).toEqual([2, 1]);

    // The experiment the study draws from is refused, with the reason.
    await page.getByTestId('delete-1').click();
    await page.getByTestId('delete-confirm-1').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/used by study #1 pilot/);
    expect(await ids()).toEqual([2, 1]);

    // The cancelled run goes.
    await page.getByTestId('delete-2').click();
    await screenshot(page, 'runs-delete-confirm');
    await page.getByTestId('delete-confirm-2').click();
    await expect.poll(ids).toEqual([1]);
    expect(await page.getByTestId('experiments-status').textContent()).toMatch(/Deleted experiment #2/);
    expect((await api.value<Experiment[]>('experiments.list', {})).map((e) => e.id)).toEqual([1]);
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    // the refused deletion's answer (400) is the one network error expected
    expect(e2e.watch.problems.filter((p) => !/status of 400/.test(p))).toEqual([]);
    expect(e2e.watch.problems.filter((p) => /status of 400/.test(p)).length).toBeLessThanOrEqual(1);
  });
});
