/**
 * The Export screen's study entry in Chromium against the real `pie-audit serve`: a
 * study's statistics download (JSON equal byte for byte to `pie-audit study report
 * --json`, CSV rows equal to its categories), offered while the study is blind only after
 * the owner says so, and the study's labels equal to `pie-audit export study`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { ROOT, screenshot } from './support.ts';
import { csvRows } from '../helpers/csv-rows.ts';
import type { StudyReport } from '../../src-main/core/study/report.ts';

/** Three annotators' labels of the study drawn below (test/fixtures/study/make-labels.ts). */
const LABELS = path.join(ROOT, 'test', 'fixtures', 'study', 'labels-unblinded.csv');

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'export-study',
    prepare: async ({ cli }) => {
      await importFixturePopulation(cli);
      await cli(['study', 'create', '--name', 'pilot', '--pies', '30', '--controls', '30', '--variant', '0.9', '--seed', '7']);
      await cli(['study', 'import-labels', LABELS]);
    },
    context: { viewport: { width: 1400, height: 900 }, acceptDownloads: true },
  });
  page = e2e.page;
});

afterAll(() => e2e?.close());

const cell = (value: number | null): string => (value === null ? '' : String(value));

describe('the study entry of the Export screen', () => {
  it('offers a blind study\'s statistics only after the owner says so, and downloads exactly what the CLI prints', async () => {
    await page.goto(`${e2e.server.url}#/export`);
    await expect.poll(() => page.getByTestId('study-export-pick').locator('option').allTextContents()).toEqual(['#1 pilot (blind)']);
    await expect.poll(() => page.getByTestId('study-export-blind').isVisible()).toBe(true);
    expect(await page.getByTestId('export-study-report-json').isDisabled()).toBe(true);
    expect(await page.getByTestId('export-study-report-csv').isDisabled()).toBe(true);
    await page.getByTestId('study-export-owner').check();
    await screenshot(page, 'export-study-blind-owner');

    const cli = await e2e.cli(['study', 'report', '--json']);
    const json = await e2e.download('export-study-report-json');
    expect(json.name).toBe('pie-audit-synthetic-study1-report.json');
    expect(json.text).toBe(cli);
    const report = JSON.parse(cli) as StudyReport;
    expect(report.blind).toBe(true);
    expect(report.annotators).toEqual(['ann-1', 'ann-2', 'ann-3']);

    const csv = await e2e.download('export-study-report-csv');
    expect(csv.name).toBe('pie-audit-synthetic-study1-report.csv');
    const rows = csvRows(csv.text);
    expect(rows.map((r) => r.category)).toEqual(report.categories.map((c) => c.name));
    report.categories.forEach((c, i) => {
      const row = rows[i] ?? {};
      expect(row, c.name).toMatchObject({
        study_id: String(report.study_id),
        blind: '1',
        annotators: 'ann-1;ann-2;ann-3',
        pie_count: String(c.pie_count),
        pie_share: cell(c.pie_share),
        pie_ci_low: cell(c.pie_ci[0]),
        pie_ci_high: cell(c.pie_ci[1]),
        control_count: String(c.control_count),
        control_share: cell(c.control_share),
        control_ci_low: cell(c.control_ci[0]),
        control_ci_high: cell(c.control_ci[1]),
        ratio: cell(c.ratio),
        fisher_p: cell(c.fisher_p),
        fleiss_kappa: cell(c.fleiss_kappa),
        krippendorff_alpha: cell(c.krippendorff_alpha),
        gwet_ac1: cell(c.gwet_ac1),
      });
    });
  });

  it('downloads the study\'s labels as `pie-audit export study` writes them (no is_pie while blind)', async () => {
    const out = path.join(e2e.dir, 'cli-study.csv');
    await e2e.cli(['export', 'study', '--format', 'csv', '--out', out]);
    const labels = await e2e.download('export-study-labels');
    expect(labels.name).toBe('pie-audit-synthetic-study1.csv');
    expect(labels.text).toBe(fs.readFileSync(out, 'utf8'));
    const rows = csvRows(labels.text);
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.every((r) => r.is_pie === '')).toBe(true);
  });

  it('after unblinding, offers the statistics without the owner\'s step, and they carry blind false', async () => {
    await e2e.cli(['study', 'unblind']);
    await page.reload();
    await expect.poll(() => page.getByTestId('study-export-pick').locator('option').allTextContents()).toEqual(['#1 pilot']);
    expect(await page.getByTestId('study-export-blind').count()).toBe(0);
    expect(await page.getByTestId('export-study-report-json').isDisabled()).toBe(false);
    const cli = await e2e.cli(['study', 'report', '--json']);
    const json = await e2e.download('export-study-report-json');
    expect(json.text).toBe(cli);
    expect((JSON.parse(json.text) as { blind: boolean }).blind).toBe(false);
    expect(e2e.watch.problems).toEqual([]);
    expect(await e2e.watch.violations()).toEqual([]);
  });
});
