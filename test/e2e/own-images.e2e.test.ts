/**
 * Issue 12, point "your own images": a colour folder dataset's photographs at their own
 * size (500 x 375 JPEG) are served and shown full size, scaled to fit, in the Image view
 * and the audit, not as the 96 px thumbnail the grid uses. Real server, built renderer,
 * Debian's Chromium; the population is the colour fixture CNN imported with models import.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll } from '../helpers/models.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { ROOT } from './support.ts';

const WIDTH = 500;
const HEIGHT = 375;

let e2e: E2eSession;
let page: Page;
let experimentId: number;

/** A 500 x 375 JPEG tinted towards its class's colour, with a gradient so it is not flat. */
async function photo(file: string, tint: [number, number, number], seed: number): Promise<void> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const shade = ((x * 7 + y * 3 + seed * 11) % 90) + 20;
      for (let c = 0; c < 3; c++) pixels[i + c] = Math.min(255, shade + (tint[c] ?? 0));
    }
  }
  await sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
}

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'photos',
    prepare: async ({ dir, db, cli }) => {
      const folder = path.join(dir, 'photos');
      const tints: Record<string, [number, number, number]> = { blue: [0, 0, 120], green: [0, 120, 0], red: [120, 0, 0] };
      for (const [name, tint] of Object.entries(tints)) {
        fs.mkdirSync(path.join(folder, name), { recursive: true });
        for (let k = 0; k < 2; k++) await photo(path.join(folder, name, `${name}-${k}.jpg`), tint, k);
      }
      await cli(['datasets', 'add', 'folder', '--name', 'photos', '--from', folder]);
      await cli(['models', 'import', '--dataset', 'photos', '--manifest', path.join(ROOT, 'test', 'fixtures', 'models', 'colour.manifest.json'), '--workers', '1']);
      const [experiment] = queryAll<{ id: number }>(db, "SELECT id FROM experiments WHERE origin = 'evaluated'");
      experimentId = experiment?.id ?? 0;
      expect(experimentId).toBeGreaterThan(0);
    },
    context: { viewport: { width: 1280, height: 900 } },
  });
  page = e2e.page;
}, 180_000);

afterAll(() => e2e?.close());

/** The shown image's natural (served) size and its size on the page, once loaded. */
async function shown(testId: string): Promise<{ natural: [number, number]; box: [number, number]; src: string; rendering: string }> {
  const img = page.getByTestId(testId);
  await img.waitFor({ timeout: 60_000 });
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), { timeout: 30_000 }).toBe(true);
  return img.evaluate((el: HTMLImageElement) => ({
    natural: [el.naturalWidth, el.naturalHeight] as [number, number],
    box: [el.clientWidth, el.clientHeight] as [number, number],
    src: el.getAttribute('src') ?? '',
    rendering: getComputedStyle(el).imageRendering,
  }));
}

/** The served image is the photograph itself, and the page shows it larger than any thumbnail, no larger than itself. */
function expectFullSizeScaledToFit(image: Awaited<ReturnType<typeof shown>>): void {
  expect(image.src).toMatch(/size=full/);
  expect(image.natural).toEqual([WIDTH, HEIGHT]);
  expect(image.box[0]).toBeGreaterThan(96);
  expect(image.box[0]).toBeLessThanOrEqual(WIDTH);
  expect(image.rendering).toBe('auto'); // shrunk to fit: drawn smoothly, not nearest-neighbour
}

describe('own photographs full size', () => {
  it('the Image view shows the 500 x 375 image itself, scaled to fit', async () => {
    await page.goto(`${e2e.server.url}#/image/${experimentId}/0`);
    expectFullSizeScaledToFit(await shown('image-full'));
  }, 120_000);

  it('the audit shows it full size too', async () => {
    // every image in the queue, PIE or not: the grid without "PIEs only", then the audit follows it
    await page.goto(`${e2e.server.url}#/grid/${experimentId}`);
    const piesOnly = page.getByTestId('grid-pies-only');
    await piesOnly.waitFor({ timeout: 60_000 });
    await piesOnly.uncheck();
    await page.goto(`${e2e.server.url}#/audit/${experimentId}`);
    const useGrid = page.getByTestId('audit-use-grid');
    await Promise.race([useGrid.waitFor({ timeout: 30_000 }), page.getByTestId('audit-image').waitFor({ timeout: 30_000 })]);
    if (await useGrid.isVisible()) await useGrid.click();
    expectFullSizeScaledToFit(await shown('audit-image'));
  }, 120_000);
});
