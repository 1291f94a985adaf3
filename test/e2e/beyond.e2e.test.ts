/**
 * Beyond PIEs in the browser: the real `pie-audit serve` on the committed synthetic
 * population, imported against a dataset with the committed attribute file, and the
 * built renderer in Debian's Chromium. The Results screen shows CIEs beside PIEs, the
 * subgroup section as the pandas reference has it, and the comparison view, whose
 * cells and splits open exactly their images in the grid.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { ROOT, screenshot } from './support.ts';
import { writeSyntheticDataset } from '../helpers/synthetic-dataset.ts';

type Json = Record<string, unknown>;
const fixture = (...parts: string[]): unknown => JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', ...parts), 'utf8'));

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'beyond',
    prepare: async ({ dir, cli }) => {
      await cli(writeSyntheticDataset(dir));
      await importFixturePopulation(cli);
      await cli(['datasets', 'attributes', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'subgroups', 'attributes.csv')]);
    },
    context: { viewport: { width: 1400, height: 1000 } },
  });
  page = e2e.page;
});

afterAll(() => e2e?.close());

describe('CIEs, subgroups and the comparison view in the browser (pie-audit serve + Chromium)', () => {
  it('shows CIEs and PIEs ∩ CIEs in the headline table', async () => {
    await page.goto(e2e.server.url);
    await page.goto(`${e2e.server.origin}/#/results/1`);
    await page.getByTestId('report-table').waitFor();
    const headline = (fixture('analysis', 'reference.json') as { headline: Record<string, Record<string, Json | undefined>> }).headline;
    for (const variant of ['magnitude-0.5', 'magnitude-0.9', 'int8']) {
      const row = page.locator(`[data-testid="report-table"] tr[data-variant="${variant}"]`);
      const ref = headline[variant]?.['cie_0.9'] ?? {};
      expect(await row.getByTestId('report-cies').textContent()).toBe(String(ref.cies));
      expect(await row.getByTestId('report-pies-and-cies').textContent()).toBe(String(ref.pies_and_cies));
    }
  });

  it('shows the subgroup section as computed independently, with the positive class', async () => {
    const reference = fixture('subgroups', 'reference.json') as Json[];
    const section = page.getByTestId('subgroup-section');
    await section.getByTestId('subgroup-table').waitFor();
    await section.getByTestId('subgroup-variant').selectOption('magnitude-0.9');
    await section.getByTestId('subgroup-positive').selectOption('c3');
    await expect.poll(() => section.locator('thead th').count()).toBe(12);
    const rows = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-subgroup'), ...Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim())]));
    const expected = reference.filter((r) => r.variant === 'magnitude-0.9');
    const pct = (x: unknown): string => `${(100 * Number(x)).toFixed(1)}%`;
    const signed = (x: unknown): string => (x === null ? '–' : `${Number(x) > 0 ? '+' : ''}${pct(x)}`);
    expect(rows).toEqual(
      expected.map((r) => [
        `${String(r.attribute)}=${String(r.value)}`,
        String(r.value),
        String(r.images),
        pct(r.baseline_mean_accuracy),
        pct(r.variant_mean_accuracy),
        Number(r.statistic).toFixed(2),
        Number(r.pvalue) < 0.001 ? Number(r.pvalue).toExponential(1) : Number(r.pvalue).toFixed(3),
        (Number(r.qvalue) < 0.001 ? Number(r.qvalue).toExponential(1) : Number(r.qvalue).toFixed(3)) + (r.significant === 1 ? ' *' : ''),
        `${Number(r.pie_ratio).toFixed(2)}×`,
        `${Number(r.cie_ratio).toFixed(2)}×`,
        signed(r.fpr_change),
        signed(r.fnr_change),
      ]),
    );
    expect(rows.map((r) => r[0])).not.toContain('batch=unique'); // one image: not a subgroup
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, 'beyond-1-subgroups');
  });

  it('compares dense with the 0.9 population: matrix and split as pandas, cells open their images in the grid', async () => {
    const reference = (fixture('comparison', 'reference.json') as Record<string, { matrix: number[][]; bothRight: number; bothWrong: number; onlyFirstRight: number; onlySecondRight: number }>).populations;
    const view = page.getByTestId('comparison-view');
    await view.getByTestId('compare-first').selectOption('v:dense');
    await view.getByTestId('compare-second').selectOption('v:magnitude-0.9');
    const matrix = view.getByTestId('compare-matrix');
    await matrix.waitFor();
    const shown = await matrix.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.textContent?.trim()))));
    expect(shown).toEqual(reference?.matrix);
    const split = await view.getByTestId('compare-split').locator('button strong').allTextContents();
    expect(split.map(Number)).toEqual([reference?.bothRight, reference?.bothWrong, reference?.onlyFirstRight, reference?.onlySecondRight]);
    await view.scrollIntoViewIfNeeded();
    await screenshot(page, 'beyond-2-comparison');

    // An off-diagonal cell: the grid shows exactly that many images, whatever filters were on.
    const [r, c] = (reference?.matrix ?? []).flatMap((row, ri) => row.map((n, ci) => [ri, ci, n] as const)).find(([ri, ci, n]) => ri !== ci && n > 1) ?? [0, 0, 0];
    await matrix.locator(`td[data-cell="${r},${c}"] button`).click();
    const grid = page.getByTestId('pie-grid');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(reference?.matrix[r]?.[c]));
    expect(await page.getByTestId('grid-image-set').textContent()).toMatch(new RegExp(`c${r} → .* c${c} \\(${String(reference?.matrix[r]?.[c])}\\)`));
    await screenshot(page, 'beyond-3-grid-cell');
    // Back (the view starts again from dense against the last population), and the "only dense right" split.
    await page.goBack();
    await page.getByTestId('compare-second').selectOption('v:magnitude-0.9');
    await expect.poll(() => page.getByTestId('compare-split').locator('[data-split="only-first"] strong').textContent()).toBe(String(reference?.onlyFirstRight));
    await page.getByTestId('compare-split').locator('[data-split="only-first"]').click();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(reference?.onlyFirstRight));
    // Clearing the set shows every image again (PIEs only was turned off).
    await page.getByTestId('grid-image-set').getByRole('button').click();
    await expect.poll(() => grid.getAttribute('data-count')).toBe('240');
  });

  it('filters the grid to CIEs and sorts by CIE distance', async () => {
    const images = (fixture('analysis', 'reference.json') as { images: Record<string, Record<string, unknown[]>> }).images;
    await page.getByTestId('grid-variant').selectOption('magnitude-0.9');
    await page.getByTestId('grid-cie').selectOption('cie');
    const grid = page.getByTestId('pie-grid');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(images['magnitude-0.9']?.['is_cie_0.9']?.filter(Boolean).length));
    await page.getByTestId('grid-sort').selectOption('cieDistance');
    // Low to high: the first image shown has the smallest distance among the CIEs.
    const distances = (images['magnitude-0.9']?.cie_distance ?? []) as number[];
    const cieDistances = distances.filter((_, i) => images['magnitude-0.9']?.['is_cie_0.9']?.[i] === true);
    await expect.poll(async () => distances[Number(await grid.locator('a').first().getAttribute('data-image'))]).toBeCloseTo(Math.min(...cieDistances), 9);
    await screenshot(page, 'beyond-4-grid-cies');
  });

  it('filters the grid by attribute and value, as the database has them, and keeps the filter across a reload', async () => {
    // The images of each value, read from the SQLite file itself.
    const sqlite = new Database(e2e.db, { readonly: true });
    const withValue = (attribute: string, value: string): number[] =>
      sqlite
        .prepare(
          `SELECT ei.image_index FROM experiment_images ei JOIN image_attributes a ON a.image_id = ei.image_id
           WHERE ei.experiment_id = 1 AND a.attribute = ? AND a.value = ? ORDER BY ei.image_index`,
        )
        .pluck()
        .all(attribute, value) as number[];
    const dark = withValue('background', 'dark');
    const street = withValue('source', 'street');
    sqlite.close();
    const isPie = (fixture('analysis', 'reference.json') as { images: Record<string, { is_pie: boolean[] }> }).images['magnitude-0.9']?.is_pie ?? [];
    const grid = page.getByTestId('pie-grid');
    /** The tiles shown, in order (the grid draws the first screenful; the count is of all). */
    const shown = (): Promise<number[]> => grid.locator('a[data-image]').evaluateAll((as) => as.map((a) => Number(a.getAttribute('data-image'))));

    await page.getByTestId('grid-variant').selectOption('magnitude-0.9');
    await page.getByTestId('grid-cie').selectOption('any');
    await page.getByTestId('grid-sort').selectOption('index');
    if ((await page.getByRole('button', { name: 'High → low' }).count()) > 0) await page.getByRole('button', { name: 'High → low' }).click();
    await page.getByTestId('grid-pies-only').uncheck();
    await page.getByTestId('grid-attribute').selectOption('background');
    await page.getByTestId('grid-attribute-value').selectOption('dark');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(dark.length));
    let tiles = await shown();
    expect(tiles.length).toBeGreaterThan(0);
    expect(tiles).toEqual(dark.slice(0, tiles.length));

    // With PIEs only: the dark images that are PIEs of the 0.9 variant.
    await page.getByTestId('grid-pies-only').check();
    const darkPies = dark.filter((i) => isPie[i]);
    expect(darkPies.length).toBeGreaterThan(0);
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(darkPies.length));
    expect(await shown()).toEqual(darkPies);
    await screenshot(page, 'beyond-5-grid-attribute');

    // Another attribute: its first value is chosen, then another value.
    await page.getByTestId('grid-attribute').selectOption('source');
    await page.getByTestId('grid-attribute-value').selectOption('street');
    await page.getByTestId('grid-pies-only').uncheck();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(street.length));
    tiles = await shown();
    expect(tiles).toEqual(street.slice(0, tiles.length));

    // A reload finds the same filter and the same images.
    await page.reload();
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(street.length));
    expect(await page.getByTestId('grid-attribute').inputValue()).toBe('source');
    expect(await page.getByTestId('grid-attribute-value').inputValue()).toBe('street');
    // "any" lifts it.
    await page.getByTestId('grid-attribute').selectOption('');
    await expect.poll(() => grid.getAttribute('data-count')).toBe('240');
    expect(await page.getByTestId('grid-attribute-value').count()).toBe(0);
  });

  it('changes the CIE quantile on the Results screen: the headline, the grid and the exports follow, across a reload', async () => {
    const reference = fixture('analysis', 'reference.json') as { headline: Record<string, Record<string, Json | undefined>>; images: Record<string, Record<string, boolean[]>> };
    await page.goto(`${e2e.server.origin}/#/results/1`);
    await page.getByTestId('report-table').waitFor();
    expect(await page.getByTestId('cie-note').textContent()).toContain('0.9 quantile');
    const input = page.getByTestId('cie-quantile').first();
    // Outside (0, 1): said beside the field, nothing changes.
    await input.fill('1.5');
    await input.press('Tab');
    await expect.poll(() => page.getByTestId('cie-quantile-hint').first().textContent()).toContain('between 0 and 1');
    expect(await page.getByTestId('cie-note').textContent()).toContain('0.9 quantile');
    await input.fill('0.75');
    await input.press('Tab');
    await expect.poll(() => page.getByTestId('cie-note').textContent()).toContain('0.75 quantile');
    expect(await page.getByTestId('cie-quantile-hint').first().textContent()).toContain('top 25% of distances');
    for (const variant of ['magnitude-0.5', 'magnitude-0.9', 'int8']) {
      const row = page.locator(`[data-testid="report-table"] tr[data-variant="${variant}"]`);
      const ref = reference.headline[variant]?.['cie_0.75'] ?? {};
      await expect.poll(() => row.getByTestId('report-cies').textContent()).toBe(String(ref.cies));
      expect(await row.getByTestId('report-pies-and-cies').textContent()).toBe(String(ref.pies_and_cies));
    }
    await screenshot(page, 'beyond-6-cie-quantile');

    // The grid's CIEs are at 0.75 too (magnitude-0.5: 116 against 43 at 0.9).
    await page.goto(`${e2e.server.origin}/#/grid/1`);
    await page.getByTestId('grid-variant').selectOption('magnitude-0.5');
    await page.getByTestId('grid-pies-only').uncheck();
    await page.getByTestId('grid-cie').selectOption('cie');
    const grid = page.getByTestId('pie-grid');
    const flags = reference.images['magnitude-0.5'] ?? {};
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(flags['is_cie_0.75']?.filter(Boolean).length));
    expect(await page.getByTestId('cie-quantile').inputValue()).toBe('0.75');
    // Changed from the grid: back to 0.9, recomputed.
    await page.getByTestId('cie-quantile').fill('0.9');
    await page.getByTestId('cie-quantile').press('Tab');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(flags['is_cie_0.9']?.filter(Boolean).length));
    await page.getByTestId('cie-quantile').fill('0.75');
    await page.getByTestId('cie-quantile').press('Tab');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(flags['is_cie_0.75']?.filter(Boolean).length));

    // Kept across a reload with the CIE filter, and named on the Export screen.
    await page.reload();
    await expect.poll(() => page.getByTestId('cie-quantile').inputValue()).toBe('0.75');
    await expect.poll(() => grid.getAttribute('data-count')).toBe(String(flags['is_cie_0.75']?.filter(Boolean).length));
    expect(await page.getByTestId('grid-cie').inputValue()).toBe('cie');
    await page.goto(`${e2e.server.origin}/#/export/1`);
    expect(await page.getByTestId('export-subgroup-impact-cie').textContent()).toContain('quantile 0.75');
  });

  it('exports subgroup impact and shift from the Export screen exactly as the CLI does', async () => {
    const cases = [
      { table: 'subgroup-impact', positive: 'c3', cli: ['--positive-class', 'c3', '--cie-quantile', '0.75'] },
      { table: 'subgroup-impact', positive: '', cli: ['--cie-quantile', '0.75'] },
      { table: 'shift', positive: '', cli: [] },
    ];
    for (const { table, positive, cli } of cases) {
      await page.getByTestId('export-positive-class').fill(positive);
      const download = await e2e.download(`export-${table}`);
      expect(download.name).toBe(`pie-audit-synthetic-e1-${table}.csv`);
      const out = path.join(e2e.dir, `cli-${table}-${positive}.csv`);
      await e2e.cli(['export', table, '--format', 'csv', '--out', out, '--experiment', '1', ...cli]);
      const app = download.text;
      expect(app, `${table} ${positive}`).toBe(fs.readFileSync(out, 'utf8'));
      if (table === 'subgroup-impact') {
        expect(app.split('\n')[0]?.split(',').slice(-2)).toEqual(positive === '' ? ['pie_ratio', 'cie_ratio'] : ['fpr_change', 'fnr_change']);
        expect(app.trim().split('\n').length).toBeGreaterThan(1);
      }
    }
    // A class the dataset does not have: one line on the screen, nothing downloaded.
    await page.getByTestId('export-positive-class').fill('dog');
    await page.getByTestId('export-subgroup-impact').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/--positive-class 'dog' is not a class/);
    // the one 400 provoked on purpose, and nothing else
    expect(e2e.watch.problems).toEqual([expect.stringMatching(/status of 400 .*\/api\/export\.file/)]);
    e2e.watch.problems.length = 0;
    await screenshot(page, 'beyond-7-export');
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    expect(e2e.watch.problems).toEqual([]);
  });
});
