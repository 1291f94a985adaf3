/**
 * The long tail and distribution shift as the Results screen shows them, in Chromium
 * against the real `pie-audit serve`: a long-tail smoke population (ratio 10) on a small
 * learnable dataset, evaluated under two corruptions at severity 3. The Distribution
 * shift section's amplification cells and mCE row equal `pie-audit report --json`, and
 * the class impact against training count chart is drawn with a text alternative that
 * names each class's training count (from `export class-impact`) and the report's rho.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLearnableMnistFolder } from '../helpers/data.ts';
import { checkPrerequisites, launchChromium, runCli, screenshot, startServer, stopServer, watchPage, type Server } from './support.ts';

interface ShiftRow {
  eval_set: string;
  corruption: string | null;
  severity: number | null;
  variant: string;
  amplification: number | null;
}
interface LongTail {
  spearman_rho: number | null;
  spearman_p: number | null;
}
interface Report {
  classes: string[];
  variants: { variant: string; mce: number | null; longtail: LongTail | null }[];
  shift: ShiftRow[];
}
interface ClassImpactRow {
  variant: string;
  class: number;
  class_name: string;
  statistic_recall_norm: number | null;
  train_count: number | null;
}

const CORRUPTIONS = ['shot_noise', 'rotate'];

let tmp: string;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let watch: Awaited<ReturnType<typeof watchPage>>;
let report: Report;
let impact: ClassImpactRow[];

/** As the app formats them (src-renderer/src/lib/format.ts). */
const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits));
const pText = (p: number | null): string => (p === null ? '–' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

beforeAll(async () => {
  checkPrerequisites();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shift-e2e-'));
  const db = path.join(tmp, 'shift.db');
  const source = path.join(tmp, 'toy');
  fs.mkdirSync(source);
  writeLearnableMnistFolder(source, 600, 120);
  await runCli(['--db', db, 'datasets', 'add', 'mnist', '--name', 'toy', '--from', source], tmp);
  await runCli(['--db', db, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--long-tail', '10', '--workers', '1'], tmp);
  await runCli(['--db', db, 'evaluate', '--experiment', '1', '--corruptions', CORRUPTIONS.join(','), '--severities', '3'], tmp);
  report = JSON.parse(await runCli(['--db', db, 'report', '--experiment', '1', '--json'], tmp)) as Report;
  const out = path.join(tmp, 'class-impact.json');
  await runCli(['--db', db, 'export', 'class-impact', '--experiment', '1', '--format', 'json', '--out', out], tmp);
  impact = JSON.parse(fs.readFileSync(out, 'utf8')) as ClassImpactRow[];
  server = await startServer(db, tmp);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  watch = await watchPage(page);
  await page.goto(server.url);
  await page.getByTestId('nav-results').click();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server.child);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('long tail and distribution shift on the Results screen (pie-audit serve + Chromium)', () => {
  it('shows the amplification of each corruption and variant, and the mCE, as report --json gives them', async () => {
    const variants = [...new Set(report.shift.map((r) => r.variant))].filter((v) => v !== 'dense');
    expect(variants.length).toBeGreaterThan(0);
    const table = page.getByTestId('shift-table');
    await table.waitFor();
    for (const corruption of CORRUPTIONS) {
      const cells = await table.locator(`tr[data-set="${corruption}"] td`).allTextContents();
      const expected = variants.map((v) => percent(report.shift.find((r) => r.corruption === corruption && r.severity === 3 && r.variant === v)?.amplification ?? null));
      expect(cells).toEqual(['3', ...expected]);
    }
    const mce = await page.getByTestId('shift-mce').locator('td').allTextContents();
    expect(mce.slice(1)).toEqual(variants.map((v) => fixed(report.variants.find((r) => r.variant === v)?.mce ?? null, 3)));
    expect(report.variants.filter((v) => v.variant !== 'dense').every((v) => v.mce !== null)).toBe(true);
  });

  it('draws class impact against training count, with each class and the report rho in its text alternative', async () => {
    const chart = page.getByTestId('chart-longtail');
    await chart.locator('canvas').waitFor();
    const variant = await page.getByTestId('longtail-variant').inputValue();
    const rows = impact.filter((r) => r.variant === variant);
    // The run is long-tailed: the counts differ, and the rarest class keeps about a tenth of the commonest.
    const counts = rows.map((r) => r.train_count ?? 0);
    expect(Math.max(...counts) / Math.min(...counts)).toBeGreaterThanOrEqual(9);
    const label = (await chart.getAttribute('aria-label')) ?? '';
    const plotted = rows.filter((r) => r.statistic_recall_norm !== null);
    expect(await chart.getAttribute('data-points')).toBe(String(plotted.length));
    for (const r of plotted) expect(label).toContain(`${r.class_name} ${r.train_count} images, t ${fixed(r.statistic_recall_norm, 2)}`);
    const longtail = report.variants.find((v) => v.variant === variant)?.longtail ?? null;
    const rho = longtail?.spearman_rho ?? null;
    const rhoText = rho === null ? 'Spearman ρ: not defined' : `Spearman ρ = ${fixed(rho, 3)}, p = ${pText(longtail?.spearman_p ?? null)}`;
    expect(await page.getByTestId('longtail-rho').textContent()).toContain(rhoText);
    expect(label).toContain(rhoText);
    // The canvas was drawn on (Chart.js paints the points).
    const painted = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      return data.some((v, i) => i % 4 === 3 && v > 0);
    });
    expect(painted).toBe(true);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'results-longtail-shift');
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(watch.problems).toEqual([]);
    expect(await watch.violations()).toEqual([]);
  });
});
