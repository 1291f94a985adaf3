/**
 * Colours that carry meaning, read as Chromium computes them (the built renderer, the
 * real `pie-audit serve`, the fixture population): a modal label is red only when it is
 * not the true class (a PIE's variant can be right where the dense population is wrong),
 * in the PIE grid and in the audit; the grid's "labeled" badge is a filled check mark,
 * not a number drawn like a key hint; a selected category keeps its key readable.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFixturePopulation } from './session-data.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { screenshot } from './support.ts';

/** --pie in the light theme (styles/global.css). */
const RED = 'rgb(180, 55, 47)';

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'colours',
    prepare: ({ cli }) => importFixturePopulation(cli),
    context: { viewport: { width: 1400, height: 900 }, colorScheme: 'light' },
  });
  page = e2e.page;
});

afterAll(() => e2e?.close());

interface CellColours {
  image: number;
  pie: boolean;
  trueName: string;
  variantName: string;
  denseName: string;
  variantColour: string;
}

/** Every rendered grid cell: its names (from its title) and the computed colour of its variant label. */
function cellColours(): Promise<CellColours[]> {
  return page.locator('[data-image]').evaluateAll((cells) =>
    cells.map((cell) => {
      const title = cell.getAttribute('title') ?? '';
      const match = /true (.*?); dense modal (.*?) \(.*?\); .* modal (.*?) \(/.exec(title);
      const variant = cell.querySelector('span[title="variant modal label"]');
      return {
        image: Number(cell.getAttribute('data-image')),
        pie: cell.classList.contains('pie'),
        trueName: match?.[1] ?? '',
        denseName: match?.[2] ?? '',
        variantName: match?.[3] ?? '',
        variantColour: variant ? getComputedStyle(variant).color : '',
      };
    }),
  );
}

describe('colours that carry meaning', () => {
  let rightVariantPie: CellColours | undefined;

  it('grid: a PIE\'s variant label is red when it is wrong and never when it is the true class', async () => {
    await page.goto(`${e2e.server.url}#/grid/1`);
    await expect.poll(async () => (await cellColours()).length, { timeout: 20_000 }).toBeGreaterThan(20);
    const cells = await cellColours();
    const pies = cells.filter((c) => c.pie);
    const wrong = pies.filter((c) => c.variantName !== c.trueName);
    const right = pies.filter((c) => c.variantName === c.trueName);
    expect(wrong.length).toBeGreaterThan(0);
    expect(right.length).toBeGreaterThan(0);
    for (const c of wrong) expect(c.variantColour, `image ${c.image}`).toBe(RED);
    for (const c of right) expect(c.variantColour, `image ${c.image}`).not.toBe(RED);
    for (const c of cells.filter((x) => !x.pie)) expect(c.variantColour, `image ${c.image}`).not.toBe(RED);
    rightVariantPie = right[0];
  });

  it('grid: the labeled badge is a filled check mark, unlike the outlined key hints', async () => {
    if (!rightVariantPie) throw new Error('no PIE found');
    const image = rightVariantPie.image;
    const saved = await page.evaluate(async (imageIndex) => {
      const response = await fetch('/api/labels.set', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ experimentId: 1, imageIndex, categories: ['atypical', 'noisy'] }) });
      return response.status;
    }, image);
    expect(saved).toBe(200);
    await page.reload();
    const badge = page.locator(`[data-image="${image}"] .badge`);
    await expect.poll(() => badge.count(), { timeout: 20_000 }).toBe(1);
    const look = await badge.evaluate((b) => {
      const s = getComputedStyle(b);
      return { text: b.textContent?.trim(), background: s.backgroundColor, radius: s.borderTopLeftRadius, border: s.borderTopStyle };
    });
    expect(look.text).toBe('✓');
    expect(look.text).not.toMatch(/\d/);
    expect(look.background).toBe('rgb(31, 122, 74)');

    await page.goto(`${e2e.server.url}#/audit/1/${image}`);
    const key = page.locator('[data-category="atypical"] kbd');
    await expect.poll(() => key.count(), { timeout: 20_000 }).toBe(1);
    const keyLook = await key.evaluate((k) => {
      const s = getComputedStyle(k);
      return { text: k.textContent?.trim(), background: s.backgroundColor, radius: s.borderTopLeftRadius, border: s.borderTopStyle };
    });
    expect(keyLook.text).toMatch(/^\d$/);
    // Key hints are outlined and square-cornered; the badge is filled and round.
    expect(keyLook.border).toBe('solid');
    expect(look.border).toBe('none');
    expect(keyLook.background).not.toBe(look.background);
    expect(keyLook.radius).not.toBe(look.radius);
  });

  it('audit: the variant\'s modal label is not red when it is the true class; the dense one that missed is', async () => {
    if (!rightVariantPie) throw new Error('no PIE found');
    await expect.poll(() => page.getByTestId('audit-image-index').textContent(), { timeout: 20_000 }).toBe(String(rightVariantPie.image));
    const colour = (id: string): Promise<string> => page.getByTestId(id).evaluate((e) => getComputedStyle(e).color);
    expect(await colour('audit-variant-modal')).not.toBe(RED);
    // A PIE whose variant is right has a dense modal label that is wrong.
    expect(await colour('audit-dense-modal')).toBe(RED);
    // The selected category (labeled above) keeps its key readable: not drawn in its own background.
    const selected = await page.locator('[data-category="atypical"]').evaluate((b) => ({
      pressed: b.getAttribute('aria-pressed'),
      background: getComputedStyle(b).backgroundColor,
      key: getComputedStyle(b.querySelector('kbd') as Element).color,
    }));
    expect(selected.pressed).toBe('true');
    expect(selected.key).not.toBe(selected.background);
    await screenshot(page, 'audit-modal-colours');
    expect(e2e.watch.problems).toEqual([]);
  });
});
