/**
 * The long tail and distribution shift as the Results screen shows them, in Chromium
 * against the real `pie-audit serve`: a long-tail smoke population (ratio 10) on a small
 * learnable dataset, evaluated under two corruptions at severity 3. The Distribution
 * shift section's amplification cells and mCE row equal `pie-audit report --json`, and
 * the class impact against training count chart is drawn with a text alternative that
 * names each class's training count (from `export class-impact`) and the report's rho.
 * The Image view's corruption panel shows the image under each corruption (the PNG
 * decoded equals the corruption of the stored pixels) and each population's modal vote,
 * counted here from the database's eval_predictions.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corruptImage, type CorruptionName } from '../../src-main/core/corruptions/index.ts';
import { addLearnableMnist } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { screenshot } from './support.ts';

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

let e2e: E2eSession;
let page: Page;
let report: Report;
let impact: ClassImpactRow[];

/** As the app formats them (src-renderer/src/lib/format.ts). */
const percent = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | null, digits: number): string => (x === null ? '–' : x.toFixed(digits));
const pText = (p: number | null): string => (p === null ? '–' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'shift',
    prepare: async ({ dir, cli }) => {
      await addLearnableMnist({ dir, cli }, 'toy', 600, 120);
      await cli(['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--long-tail', '10', '--workers', '1']);
      await cli(['evaluate', '--experiment', '1', '--corruptions', CORRUPTIONS.join(','), '--severities', '3']);
      report = JSON.parse(await cli(['report', '--experiment', '1', '--json'])) as Report;
      const out = path.join(dir, 'class-impact.json');
      await cli(['export', 'class-impact', '--experiment', '1', '--format', 'json', '--out', out]);
      impact = JSON.parse(fs.readFileSync(out, 'utf8')) as ClassImpactRow[];
    },
    context: { viewport: { width: 1400, height: 900 } },
  });
  page = e2e.page;
  await page.goto(e2e.server.url);
  await page.getByTestId('nav-results').click();
}, 300_000);

afterAll(() => e2e?.close());

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

  it("shows the image under each corruption with each population's modal vote, as the database holds them", async () => {
    const handle = new Database(e2e.db, { readonly: true });
    let expected: { set: string; corruption: string; severity: number; populations: { variant: string; modal: number; votes: number; models: number }[] }[];
    let image: { index: number; label: number; pixels: Uint8Array; width: number; height: number };
    let classes: string[];
    try {
      const rows = handle
        .prepare(
          `SELECT s.name, s.corruption, s.severity, m.variant, e.image_index, e.predicted_label, i.true_label FROM eval_predictions e
           JOIN eval_sets s ON s.id = e.eval_set_id JOIN models m ON m.id = e.model_id
           JOIN experiment_images i ON i.experiment_id = s.experiment_id AND i.image_index = e.image_index
           WHERE s.experiment_id = 1 AND m.status = 'done'`,
        )
        .all() as { name: string; corruption: string; severity: number; variant: string; image_index: number; predicted_label: number; true_label: number }[];
      // An image every model of some population gets wrong under a corruption, so the panel has a red vote to show.
      const groups = new Map<string, { index: number; all: number; wrong: number }>();
      for (const r of rows) {
        const key = `${r.name} ${r.variant} ${r.image_index}`;
        const g = groups.get(key) ?? { index: r.image_index, all: 0, wrong: 0 };
        g.all++;
        if (r.predicted_label !== r.true_label) g.wrong++;
        groups.set(key, g);
      }
      const index = [...groups.values()].find((g) => g.wrong === g.all)?.index ?? 0;
      const stored = handle
        .prepare('SELECT i.pixels, i.width, i.height, i.label FROM experiment_images ei JOIN images i ON i.id = ei.image_id WHERE ei.experiment_id = 1 AND ei.image_index = ?')
        .get(index) as { pixels: Buffer; width: number; height: number; label: number };
      image = { index, label: stored.label, pixels: new Uint8Array(stored.pixels), width: stored.width, height: stored.height };
      classes = (handle.prepare('SELECT c.name FROM classes c JOIN experiments e ON e.dataset_id = c.dataset_id WHERE e.id = 1 ORDER BY c.label').pluck().all() as string[]);
      const sets = [...new Set(rows.map((r) => r.name))].sort();
      expected = sets.map((set) => {
        const mine = rows.filter((r) => r.name === set && r.image_index === index);
        const variants = [...new Set(mine.map((r) => r.variant))];
        return {
          set,
          corruption: mine[0]?.corruption ?? '',
          severity: mine[0]?.severity ?? 0,
          populations: variants.map((variant) => {
            const votes = new Array<number>(classes.length).fill(0);
            for (const r of mine) if (r.variant === variant) votes[r.predicted_label] = (votes[r.predicted_label] ?? 0) + 1;
            // ties go to the larger label, as the analysis
            const modal = votes.reduce((best, n, c) => (n >= (votes[best] ?? 0) ? c : best), 0);
            return { variant, modal, votes: votes[modal] ?? 0, models: votes.reduce((a, b) => a + b, 0) };
          }),
        };
      });
    } finally {
      handle.close();
    }
    expect(expected.map((e) => e.set)).toEqual(CORRUPTIONS.map((c) => `${c}:3`).sort());
    await page.goto(`${e2e.server.origin}/#/image/1/${image.index}`);
    const panel = page.getByTestId('image-shift');
    await panel.waitFor();
    const figures = panel.locator('figure');
    expect(await figures.count()).toBe(expected.length);
    let wrong = 0;
    for (const [i, set] of expected.entries()) {
      const figure = figures.nth(i);
      expect(await figure.locator('strong').textContent()).toBe(set.corruption);
      expect(await figure.locator('figcaption .muted').first().textContent()).toBe(`severity ${set.severity}`);
      // The picture is the stored image under this corruption, pixel for pixel.
      const src = (await figure.locator('img').getAttribute('src')) ?? '';
      const data = await sharp(Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64')).extractChannel(0).raw().toBuffer();
      const want = corruptImage(image.pixels, { width: image.width, height: image.height, channels: 1 }, set.corruption as CorruptionName, set.severity, image.index);
      expect(new Uint8Array(data)).toEqual(want);
      // ...and the browser drew it (the CSP lets data: images through).
      expect(await figure.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(image.width);
      const items = figure.locator('li');
      expect(await items.count()).toBe(set.populations.length);
      for (const p of set.populations) {
        const label = p.variant.startsWith('magnitude-') ? `pruned ${Math.round(Number(p.variant.slice('magnitude-'.length)) * 100)}%` : p.variant;
        const item = items.filter({ hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`) });
        expect(await item.count(), `${set.set} ${p.variant}`).toBe(1);
        expect((await item.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`${label}: ${classes[p.modal]} (${p.votes}/${p.models})`);
        const isWrong = p.modal !== image.label;
        if (isWrong) wrong++;
        expect(await item.evaluate((el) => el.classList.contains('wrong'))).toBe(isWrong);
      }
    }
    expect(wrong).toBeGreaterThan(0);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'image-shift');
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(e2e.watch.problems).toEqual([]);
    expect(await e2e.watch.violations()).toEqual([]);
  });
});
