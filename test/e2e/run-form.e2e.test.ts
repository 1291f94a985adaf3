/**
 * The run form as a new user meets it (Chromium, the real `pie-audit serve`, Fashion-MNIST
 * added by the CLI): the smoke preset chosen, each preset's expected time on this machine
 * in its option, the run's expected time under the summary, following custom settings.
 * The times are the estimate of src-renderer/src/lib/run-presets.ts for this machine's cores.
 */
import os from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_PRESETS, expectedSeconds, formatExpected } from '../../src-renderer/src/lib/run-presets.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { FASHION_MNIST_DIR, screenshot } from './support.ts';

let e2e: E2eSession;
let page: Page;
const cores = os.availableParallelism();

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'run-form',
    fashionMnist: true,
    prepare: ({ cli }) => cli(['datasets', 'add', 'fashion-mnist', '--from', FASHION_MNIST_DIR]),
    context: { viewport: { width: 1400, height: 900 } },
  });
  page = e2e.page;
});

afterAll(() => e2e?.close());

describe('the run form', () => {
  it('starts on the smoke preset and gives every preset its expected time on this machine', async () => {
    await page.goto(`${e2e.server.url}#/runs`);
    const select = page.getByTestId('run-preset');
    await expect.poll(() => select.inputValue(), { timeout: 20_000 }).toBe('smoke');
    for (const [name, preset] of Object.entries(RUN_PRESETS)) {
      const time = formatExpected(expectedSeconds(preset, { cores, trainImages: 60_000 }));
      await expect.poll(() => page.getByTestId(`run-preset-${name}`).textContent()).toBe(`${preset.title} (${time} here)`);
    }
    expect(await page.getByTestId('run-purpose').innerText()).toBe(`Smoke: ${RUN_PRESETS.smoke.purpose}.`);
    expect(await page.getByTestId('run-summary').innerText()).toMatch(/^2 models per variant · sparsities 0, 0\.9 · quantized: none · 1 epoch · training images: 6000$/);
    const smoke = formatExpected(expectedSeconds(RUN_PRESETS.smoke, { cores, trainImages: 60_000 }));
    expect(await page.getByTestId('run-expected').innerText()).toBe(
      `Expected: ${smoke} on this machine's ${cores} core${cores === 1 ? '' : 's'}, estimated from runs measured on a quiet two-core machine; longer while other work runs.`,
    );
    if (cores === 2) {
      // The figures this machine class was measured at (docs/performance.md).
      expect(await page.getByTestId('run-preset-quick').textContent()).toContain('about 5 min here');
      expect(await page.getByTestId('run-preset-paper').textContent()).toContain('about 1.6 h here');
    }
    await screenshot(page, 'run-form-presets');
  });

  it('follows the chosen preset and the custom settings (one worker, more epochs)', async () => {
    await page.getByTestId('run-preset').selectOption('quick');
    const quick = formatExpected(expectedSeconds(RUN_PRESETS.quick, { cores, trainImages: 60_000 }));
    await expect.poll(() => page.getByTestId('run-expected').innerText()).toContain(`Expected: ${quick} on`);
    expect(await page.getByTestId('run-purpose').innerText()).toBe(`Quick: ${RUN_PRESETS.quick.purpose}.`);
    // the run form's own settings (the Add models panel on the same screen has a <details> too)
    await page.getByTestId('run-form').locator('details summary').click();
    await page.getByTestId('run-workers').fill('1');
    await page.getByTestId('run-epochs').fill('12');
    const custom = formatExpected(expectedSeconds({ ...RUN_PRESETS.quick, epochs: 12 }, { cores, workers: 1, trainImages: 60_000 }));
    expect(custom).not.toBe(quick);
    await expect.poll(() => page.getByTestId('run-expected').innerText()).toContain(`Expected: ${custom} on`);
    expect(e2e.watch.problems).toEqual([]);
  });
});
