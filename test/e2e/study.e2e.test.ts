/**
 * The blind study in the browser: the real `pie-audit serve` on a database holding the
 * fixture population (imported predictions), the built renderer in Debian's Chromium.
 * One annotator creates a study, labels several images with the keyboard, undoes one,
 * reloads and resumes at the right place, while the page never shows a PIE flag or a
 * model output (nor calls an API method that would return one); then the results and
 * the unblinding. Screenshots go to test-results/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelingScreen } from './labeling-screen.ts';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { screenshot } from './support.ts';

const SCHEMA = ['atypical', 'noisy', 'mislabeled', 'multiple-objects', 'fine-grained', 'abstract'];
/** API methods the study screen may call: none of them returns a PIE flag or a model output for an image. */
const ALLOWED = new Set(['app.info', 'datasets.list', 'experiments.list', 'train.status', 'evaluate.status', 'schema.get', 'annotator.get', 'annotator.set', 'study.list', 'study.create', 'study.items', 'study.label']);

let e2e: E2eSession;
let page: Page;
const calls: string[] = [];

beforeAll(async () => {
  e2e = await openE2eSession({ name: 'study', prepare: ({ cli }) => importFixturePopulation(cli), context: { viewport: { width: 1400, height: 900 }, acceptDownloads: true } });
  page = e2e.page;
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') && url.pathname !== '/api/events') calls.push(url.pathname.slice('/api/'.length));
  });
});

afterAll(() => e2e?.close());

function storedLabels(): Map<number, string[]> {
  const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT l.image_index, l.categories FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE l.study_id IS NOT NULL AND a.name = 'alice'")
      .all() as { image_index: number; categories: string }[];
    return new Map(rows.map((r) => [r.image_index, JSON.parse(r.categories) as string[]]));
  } finally {
    db.close();
  }
}

function studyOrder(): number[] {
  const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT image_index FROM study_items ORDER BY position').pluck().all() as number[];
  } finally {
    db.close();
  }
}

const position = async (): Promise<number> => Number(await page.getByTestId('study-position').textContent());
const { pressed, waitSaved } = labelingScreen(() => page);

/** What the annotator can read must not tell a PIE from a control nor show any model output. */
async function expectBlind(): Promise<void> {
  const text = await page.locator('main').innerText();
  expect(text).not.toMatch(/PIE/);
  expect(text).not.toMatch(/modal|magnitude|pruned|dense|int8|fp16|agreement|votes?\b|predict|confidence|\(\d+\/\d+\)/i);
  expect(calls.filter((c) => !ALLOWED.has(c))).toEqual([]);
  // and no way to the screens that show PIE flags and predictions
  expect(await page.locator('[data-testid^="nav-"]').count()).toBe(0);
}

describe('a blind study in the browser (pie-audit serve + Chromium)', () => {
  it('creates a study from the Study tab', async () => {
    // The current name is held back: until it arrives the field takes no typing, which a
    // late answer would otherwise overwrite (seen as 'rootalice' in CI under load).
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/annotator.get', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(e2e.server.url);
    await page.getByTestId('nav-study').click();
    const annotator = page.getByTestId('study-annotator');
    await expect.poll(() => annotator.isDisabled()).toBe(true);
    release();
    await expect.poll(() => annotator.inputValue()).not.toBe('');
    await page.unroute('**/api/annotator.get');
    await annotator.fill('alice');
    await annotator.press('Enter');
    await expect.poll(() => annotator.inputValue()).toBe('alice');
    // An unnamed study, or more PIEs than allowed: one plain line each, nothing created.
    await page.getByTestId('study-create-submit').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Name: give the study a name/);
    await page.getByTestId('study-name').fill('pilot');
    await page.getByTestId('study-pies').fill('200000');
    await page.getByTestId('study-create-submit').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/PIEs: a whole number from 1 to 100,000\./);
    expect(await page.getByRole('alert').count()).toBe(1);
    expect(calls).not.toContain('study.create');
    await page.getByTestId('study-variant').selectOption('magnitude-0.9');
    await page.getByTestId('study-pies').fill('12');
    await page.getByTestId('study-controls').fill('12');
    await page.getByTestId('study-seed').fill('7');
    await page.getByTestId('study-create-submit').click();
    await page.getByTestId('study-labeling').waitFor();
    await expect.poll(position).toBe(1);
    expect(page.url()).toContain('#/study/1/label/0');
    expect(await page.getByTestId('study-total').textContent()).toBe('24');
    await expectBlind();
  });

  it('labels with the keyboard, undoes, and resumes after a reload where the annotator stopped', async () => {
    const order = studyOrder();
    const expected = new Map<number, string[]>();
    const steps: string[][] = [['1'], ['2', '3'], ['0'], ['4'], ['6']];
    const next = ['Enter', 'ArrowRight', 'j'];
    for (let k = 0; k < steps.length; k++) {
      expect(await position()).toBe(k + 1);
      const keys = steps[k] ?? [];
      for (const key of keys) await page.keyboard.press(key);
      const categories = keys[0] === '0' ? ['none'] : SCHEMA.filter((_, c) => keys.includes(String(c + 1)));
      await expect.poll(pressed).toEqual(categories);
      expected.set(order[k] ?? -1, categories);
      await expectBlind();
      await page.keyboard.press(next[k % 3] ?? 'Enter');
      await expect.poll(position).toBe(k + 2);
    }
    await waitSaved();
    expect(await page.getByTestId('study-labeled').textContent()).toBe('5');
    await screenshot(page, 'study-1-labeling');

    // Undo takes back the last label and returns to its image.
    await page.keyboard.press('Control+z');
    await expect.poll(position).toBe(5);
    expected.delete(order[4] ?? -1);
    await waitSaved();
    expect(await page.getByTestId('study-labeled').textContent()).toBe('4');
    expect(await pressed()).toEqual([]);
    // Previous with k and ArrowLeft shows the stored labels.
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(position).toBe(3);
    await expect.poll(pressed).toEqual(['none']);

    // Durable: the database holds exactly these labels ('none' stored as the empty set).
    const stored = storedLabels();
    expect(new Map([...stored].map(([i, c]) => [i, c.length ? c : ['none']]))).toEqual(expected);

    // Reload: the same image, labels and progress.
    await page.reload();
    await page.getByTestId('study-labeling').waitFor();
    await expect.poll(position).toBe(3);
    await expect.poll(() => page.getByTestId('study-labeled').textContent()).toBe('4');
    await expect.poll(pressed).toEqual(['none']);
    await expectBlind();

    // From the list: progress per annotator, and labeling resumes at the first open image.
    await page.getByRole('button', { name: '← Studies' }).click();
    await expect.poll(() => page.getByTestId('study-progress').first().textContent()).toContain('alice: 4 / 24');
    await page.getByTestId('study-label').first().click();
    await expect.poll(position).toBe(5);
    expect(await pressed()).toEqual([]);
    await expectBlind();
  });

  it('offers no way from labeling to the results; the owner reaches them from the list, past a warning', async () => {
    // The labeling screen links to nothing that shows PIE and control counts.
    expect(await page.locator('[data-testid="study-open-results"], a[href*="/results"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: /results/i }).count()).toBe(0);
    expect(calls).not.toContain('study.report');

    // Progress on the list is the progress now, without a reload.
    await page.keyboard.press('1');
    await waitSaved();
    await page.getByRole('button', { name: '← Studies' }).click();
    await expect.poll(() => page.getByTestId('study-progress').first().textContent()).toContain('alice: 5 / 24');
    expect(await page.getByTestId('study-label').first().textContent()).toContain('Label as alice (5 / 24)');
    await page.getByTestId('study-results').first().click();
    // While blind, the results are the owner's: nothing of them shows before the owner says so.
    await page.getByTestId('study-owner-gate').waitFor();
    expect(await page.getByTestId('study-report-table').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(/PIE share|Controls/);
    await screenshot(page, 'study-2-owner-gate');
    await page.getByTestId('study-owner-confirm').click();
  });

  it('shows the results with the chart and the consensus list, then unblinds', async () => {
    const table = page.getByTestId('study-report-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-category-row')))).toEqual(SCHEMA);
    const canvas = page.getByTestId('study-chart').locator('canvas');
    await expect.poll(() => canvas.evaluate((c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(100);
    expect(await page.getByTestId('study-results-summary').textContent()).toMatch(/labeled by 1 annotator\s+\(alice\)/);
    // The consensus list: every labeled image, without its group while blind.
    const consensus = page.getByTestId('study-consensus');
    expect(await consensus.locator('tbody tr').count()).toBe(5);
    expect(await consensus.getByTestId('consensus-group').count()).toBe(0);
    await screenshot(page, 'study-3-results');
    await page.getByTestId('study-unblind').click();
    await page.getByTestId('study-unblind-confirm').click();
    await expect.poll(() => page.getByTestId('study-unblinded').textContent()).toMatch(/of the 5 labeled images are PIEs/);
    // Unblinded: the list says which images are PIEs, as the database does.
    const groups = await consensus.locator('tbody tr').evaluateAll((rows) =>
      rows.map((r) => [Number(r.getAttribute('data-image')), r.querySelector('[data-testid="consensus-group"]')?.textContent]),
    );
    const db = new Database(e2e.db, { readonly: true, fileMustExist: true });
    try {
      const isPie = new Map(
        (db.prepare('SELECT image_index, is_pie FROM study_items').all() as { image_index: number; is_pie: number }[]).map((r) => [r.image_index, r.is_pie === 1]),
      );
      expect(groups).toEqual(groups.map(([image]) => [image, isPie.get(Number(image)) ? 'PIE' : 'control']));
    } finally {
      db.close();
    }
    await screenshot(page, 'study-4-unblinded');
  });

  it('shows the annotator on every labeling screen and changes it only on Enter', async () => {
    const auditField = page.getByTestId('annotator');
    await page.getByTestId('nav-audit').click();
    await expect.poll(() => auditField.inputValue()).toBe('alice');
    // A stray edit, then leaving the field: still alice.
    await auditField.fill('bob');
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await expect.poll(() => auditField.inputValue()).toBe('alice');
    await auditField.fill('bob');
    await auditField.press('Escape');
    expect(await auditField.inputValue()).toBe('alice');
    // On purpose: Enter. The study screens show the same name at once.
    await auditField.fill('bob');
    await auditField.press('Enter');
    await expect.poll(() => auditField.inputValue()).toBe('bob');
    await page.getByTestId('nav-study').click();
    await expect.poll(() => page.getByTestId('study-annotator').inputValue()).toBe('bob');
    expect(await page.getByTestId('study-label').first().textContent()).toContain('Label as bob (0 / 24)');
    await page.getByTestId('study-label').first().click();
    await expect.poll(() => page.getByTestId('study-annotator').inputValue()).toBe('bob');
    expect(await page.getByTestId('study-labeled').textContent()).toBe('0');
    // and after a reload
    await page.reload();
    await expect.poll(() => page.getByTestId('study-annotator').inputValue()).toBe('bob');
  });

  it("shows Gwet's AC1 and the pairwise kappa of a second annotator as the CLI reports them", async () => {
    // bob's labels: alice's, with the first image's categories changed, imported by the CLI.
    const exported = path.join(e2e.dir, 'alice.csv');
    await e2e.cli(['export', 'study', '--format', 'csv', '--out', exported]);
    const [header, ...rows] = fs.readFileSync(exported, 'utf8').trim().split('\n');
    const bob = rows.map((r, i) => {
      const cells = r.split(',');
      cells[1] = 'bob';
      if (i === 0) cells[6] = cells[6] === 'atypical' ? 'noisy' : 'atypical';
      return cells.join(',');
    });
    const bobFile = path.join(e2e.dir, 'bob.csv');
    fs.writeFileSync(bobFile, [header, ...bob].join('\n') + '\n');
    await e2e.cli(['study', 'import-labels', bobFile]);
    const cli = JSON.parse(await e2e.cli(['study', 'report', '--json'])) as {
      categories: { name: string; gwet_ac1: number | null }[];
      pairwise_kappa: { a: string; b: string; category: string; kappa: number | null; n: number }[];
    };
    // The study is unblinded: its results open directly (the annotator test before left the page on labeling).
    await page.goto(`${e2e.server.url.split('#')[0]}#/study/1/results`);
    await page.reload();
    const pairs = page.getByTestId('study-pairwise-kappa');
    await pairs.waitFor();
    const shown = await pairs.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td'), (c) => c.textContent?.trim())));
    const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
    expect(shown).toEqual([['alice · bob', String(cli.pairwise_kappa[0]?.n), ...SCHEMA.map((c) => fmt(cli.pairwise_kappa.find((p) => p.category === c)?.kappa ?? null))]]);
    const ac1 = await page.getByTestId('study-ac1').allTextContents();
    expect(ac1.map((t) => t.trim())).toEqual(cli.categories.map((c) => fmt(c.gwet_ac1)));
    expect(cli.categories.some((c) => c.gwet_ac1 !== null)).toBe(true);
    await screenshot(page, 'study-3-agreement');
  });

  it('logged no console errors and no CSP violations', async () => {
    expect(await e2e.watch.violations()).toEqual([]);
    expect(e2e.watch.problems).toEqual([]);
  });
});
