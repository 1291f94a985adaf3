/**
 * Browser-side figures for `npm run bench` (hook: `await benchBrowser(dir)` in
 * bench/run.ts), measured in Chromium against the real `pie-audit serve`:
 *
 * - keypress-to-durable-label latency: from the keydown event to the answer of the
 *   labels.set call that carries it (the label is committed, WAL + synchronous=FULL),
 *   over 200 label keypresses in the audit, typed at about 20 keys per second;
 * - PIE grid scrolling: frame intervals (requestAnimationFrame) while the grid of all
 *   10,000 test images scrolls at a steady pace and then flings, and the main thread's
 *   busy time per frame (less noisy than dropped frames on a loaded machine: a frame is
 *   dropped when this nears 16.7 ms).
 *
 * Needs the built renderer (npm run build) and Chromium; Fashion-MNIST from the system
 * copy when installed, else a generated 10,000-image test set. Also runnable alone:
 * `node --import tsx test/e2e/bench-browser.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { addLearnableMnist } from './session-data.ts';
import { openE2eSession } from './session.ts';
import { FASHION_MNIST_DIR, checkPrerequisites, quantile } from './support.ts';

export interface BrowserBenchResult {
  labelLatencyMs: { count: number; p50: number; p99: number; max: number };
  scroll: {
    name: string;
    frames: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
    over25ms: number;
    /** the renderer's main-thread task time (CDP Performance.getMetrics) per frame, and its script part */
    mainThreadMsPerFrame: number;
    scriptMsPerFrame: number;
  }[];
}

const LABEL_KEYS = 200;

/** What the renderer's LabelsState records (src-renderer/src/lib/labels.svelte.ts). */
type WithLatencies = { __pieAuditLabelLatencies?: number[] };

export async function benchBrowser(dir: string): Promise<BrowserBenchResult | undefined> {
  try {
    checkPrerequisites();
  } catch (error) {
    console.log(`browser bench skipped: ${(error as Error).message}`);
    return undefined;
  }
  const session = await openE2eSession({
    name: 'browser-bench',
    parent: dir,
    prepare: async ({ dir: work, cli }) => {
      if (fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'))) {
        await cli(['datasets', 'add', 'fashion-mnist']);
        await cli(['train', '--dataset', 'fashion-mnist', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--train-limit', '2000']);
      } else {
        await addLearnableMnist({ dir: work, cli }, 'toy', 2000, 10_000);
        await cli(['train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--train-limit', '2000']);
      }
    },
    context: { viewport: { width: 1400, height: 900 } },
  });
  try {
    const { page, server } = session;
    await page.goto(server.url);
    const labelLatencyMs = await labelLatency(page, server.origin);
    const scroll = await gridScrolling(page, server.origin);
    console.log(
      `label keypress to durable label (${labelLatencyMs.count} keypresses, Chromium, browser mode): p50 ${labelLatencyMs.p50.toFixed(1)} ms, p99 ${labelLatencyMs.p99.toFixed(1)} ms, max ${labelLatencyMs.max.toFixed(1)} ms`,
    );
    for (const s of scroll) {
      console.log(
        `PIE grid scrolling, 10,000 thumbnails, ${s.name}: ${s.frames} frames, frame interval p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, ${s.over25ms} frames over 25 ms; main thread ${s.mainThreadMsPerFrame.toFixed(1)} ms per frame (script ${s.scriptMsPerFrame.toFixed(1)} ms)`,
      );
    }
    return { labelLatencyMs, scroll };
  } finally {
    await session.close();
  }
}

async function labelLatency(page: Page, origin: string): Promise<BrowserBenchResult['labelLatencyMs']> {
  await page.goto(`${origin}/#/grid/1`);
  await page.getByTestId('grid-pies-only').waitFor({ timeout: 60_000 });
  await page.getByTestId('grid-pies-only').uncheck();
  await page.getByTestId('grid-audit').click();
  await page.getByTestId('audit-image').waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    (window as WithLatencies).__pieAuditLabelLatencies = [];
  });
  // Label keys 1..6 and 0, moving on after every second key, ~20 keys per second.
  const keys = ['1', '3', '0', '2', '5', '4', '6', '1'];
  for (let k = 0; k < LABEL_KEYS; k++) {
    await page.keyboard.press(keys[k % keys.length] ?? '1');
    if (k % 2 === 1) await page.keyboard.press('j');
    await page.waitForTimeout(50);
  }
  await page.waitForFunction((n) => ((window as WithLatencies).__pieAuditLabelLatencies?.length ?? 0) >= n, LABEL_KEYS, { timeout: 30_000 });
  const latencies = await page.evaluate(() => (window as WithLatencies).__pieAuditLabelLatencies ?? []);
  return { count: latencies.length, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: Math.max(...latencies) };
}

/** Scrolls the grid of an experiment (1 unless given) with all `count` test images shown (PIEs only off). */
export async function gridScrolling(page: Page, origin: string, count = 10_000, experimentId = 1): Promise<BrowserBenchResult['scroll']> {
  await page.goto(`${origin}/#/grid/${experimentId}`);
  await page.getByTestId('grid-pies-only').waitFor({ timeout: 60_000 });
  await page.getByTestId('grid-pies-only').uncheck();
  const grid = page.getByTestId('pie-grid');
  await page.waitForFunction((n) => document.querySelector('[data-testid="pie-grid"]')?.getAttribute('data-count') === String(n), count, { timeout: 120_000 });
  await grid.locator('img').first().waitFor();
  const runs: { name: string; pixelsPerFrame: number; frames: number }[] = [
    // The scroll moves a fixed distance per animation frame; px/s holds at 60 frames per second.
    { name: 'steady scroll (20 px per frame, 1,200 px/s at 60 Hz)', pixelsPerFrame: 20, frames: 240 },
    { name: 'fling (150 px per frame, 9,000 px/s at 60 Hz)', pixelsPerFrame: 150, frames: 240 },
  ];
  const out: BrowserBenchResult['scroll'] = [];
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Map<string, number>> => new Map((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  for (const run of runs) {
    const before = await metrics();
    // A string, not a function: tsx's keepNames would wrap inner functions in a
    // helper (__name) that does not exist in the page.
    const intervals = (await page.evaluate(`new Promise((resolve) => {
      const el = document.querySelector('[data-testid="pie-grid"]');
      el.scrollTop = 0;
      const deltas = [];
      let last = 0;
      let n = 0;
      const step = (t) => {
        if (last) deltas.push(t - last);
        last = t;
        el.scrollTop += ${run.pixelsPerFrame};
        if (++n <= ${run.frames}) requestAnimationFrame(step);
        else resolve(deltas);
      };
      requestAnimationFrame(step);
    })`)) as number[];
    const after = await metrics();
    const perFrame = (name: string): number => (((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000) / Math.max(1, intervals.length);
    out.push({
      name: run.name,
      frames: intervals.length,
      p50: quantile(intervals, 0.5),
      p95: quantile(intervals, 0.95),
      p99: quantile(intervals, 0.99),
      max: Math.max(...intervals),
      over25ms: intervals.filter((d) => d > 25).length,
      mainThreadMsPerFrame: perFrame('TaskDuration'),
      scriptMsPerFrame: perFrame('ScriptDuration'),
    });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-bench-browser-'));
  try {
    await benchBrowser(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
