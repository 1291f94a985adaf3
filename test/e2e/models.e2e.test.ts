/**
 * Issue 12, end to end in browser mode: the "Add models" flow on the Datasets & runs
 * screen, in Debian's Chromium against the real `pie-audit serve`: a manifest's path, the
 * models' shapes checked before running, the run's progress, then the Results.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll, readPredictions, reference, writeFashionMnistHead } from '../helpers/models.ts';
import { openE2eSession, type E2eSession } from './session.ts';
import { ROOT } from './support.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'models');
const MANIFEST = path.join(FIXTURES, 'cnn.manifest.json');

let e2e: E2eSession;
let page: Page;

beforeAll(async () => {
  e2e = await openE2eSession({
    name: 'models',
    prepare: ({ dir, cli }) => {
      const head = writeFashionMnistHead(dir, 100);
      return cli(['datasets', 'add', 'idx', '--name', 'fm-head', '--images', head.images, '--labels', head.labels]);
    },
  });
  page = e2e.page;
}, 120_000);

afterAll(() => e2e?.close());

describe('Add models', () => {
  it('says in one line why a manifest cannot be used', async () => {
    await page.goto(e2e.server.url);
    await page.getByTestId('models-manifest').fill(path.join(e2e.dir, 'missing.json'));
    await page.getByTestId('models-inspect').click();
    await expect.poll(() => page.getByTestId('error-alert').textContent()).toMatch(/missing\.json: cannot read manifest \(no such file\)/);
    await expect.poll(() => page.getByTestId('models-run').isDisabled()).toBe(true);
  }, 60_000);

  it('shows each model’s shapes, runs them with progress, and opens the results', async () => {
    e2e.watch.problems.length = 0; // the 400 the test above provoked on purpose
    await page.getByTestId('models-manifest').fill(MANIFEST);
    await page.getByTestId('models-dataset').selectOption('fm-head');
    await page.getByTestId('models-inspect').click();
    const table = page.getByTestId('models-shapes');
    await table.waitFor({ timeout: 60_000 });
    const rows = await table.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/dense.*cnn-dense\.onnx.*image \[batch, 1, 28, 28\].*logits \[batch, 10\].*0\.0%/);
    expect(rows[1]).toMatch(/magnitude-0\.9.*cnn-magnitude-0\.9\.onnx.*90\.0%/);

    await page.getByTestId('models-run').click();
    await page.getByTestId('models-open-results').waitFor({ timeout: 120_000 });
    const progress = await page.getByTestId('models-progress').locator('li').allTextContents();
    expect(progress).toHaveLength(2);
    for (const line of progress) expect(line).toMatch(/top-1 \d+\.\d%/);
    await page.getByTestId('models-open-results').click();
    const report = page.getByTestId('report-table');
    await report.waitFor({ timeout: 60_000 });
    await expect.poll(() => report.textContent()).toMatch(/dense.*pruned 90%/);
    expect(e2e.watch.problems).toEqual([]);
    expect(await e2e.watch.violations()).toEqual([]);
  }, 240_000);
});

describe('Add models: the form that writes a manifest', () => {
  it('writes a manifest from model files and input settings, lists bad fields one per line, then checks and runs it', async () => {
    e2e.watch.problems.length = 0;
    await page.goto(e2e.server.url);
    await page.getByTestId('manifest-form').locator('summary').click();
    const dense = path.join(FIXTURES, 'cnn-dense.onnx');
    const pruned = path.join(FIXTURES, 'cnn-magnitude-0.9.onnx');
    await page.getByTestId('manifest-files').fill(`${dense}\n${pruned}\n`);
    await page.getByTestId('manifest-list').click();
    await expect.poll(() => page.getByTestId('manifest-models').locator('tbody tr').count()).toBe(2);
    // the default manifest path is beside the first model; this test writes into its own folder
    expect(await page.getByTestId('manifest-out').inputValue()).toBe(path.join(FIXTURES, 'manifest.json'));
    const out = path.join(e2e.dir, 'written.json');
    await page.getByTestId('manifest-out').fill(out);

    // bad fields first: one line each, naming the file and the field; nothing written
    await page.getByTestId('manifest-height').fill('');
    await page.getByTestId('manifest-std').fill('0');
    await page.getByTestId('manifest-write').click();
    const problems = page.getByTestId('manifest-problems').locator('li');
    await expect.poll(() => problems.count()).toBe(2);
    const lines = await problems.allTextContents();
    expect(lines[0]).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: input\\.height: `));
    expect(lines[1]).toMatch(/written\.json: input\.std\[0\]: must be positive$/);
    expect(fs.existsSync(out)).toBe(false);

    await page.getByTestId('manifest-height').fill('28');
    await page.getByTestId('manifest-mean').fill('0.286');
    await page.getByTestId('manifest-std').fill('0.353');
    await page.getByTestId('manifest-variant').nth(1).fill('magnitude-0.9');
    await page.getByTestId('manifest-method').nth(1).selectOption('magnitude');
    await page.getByTestId('manifest-sparsity').nth(1).fill('0.9');
    await page.getByTestId('manifest-seed').nth(1).fill('101');
    await page.getByTestId('manifest-write').click();
    await page.getByTestId('manifest-written').waitFor({ timeout: 30_000 });
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({
      input: { layout: 'nchw', channels: 1, height: 28, width: 28, scale: 1 / 255, mean: [0.286], std: [0.353] },
      output: 'logits',
      models: [
        { file: dense, variant: 'dense', method: 'dense', target_sparsity: 0, seed: 1 },
        { file: pruned, variant: 'magnitude-0.9', method: 'magnitude', target_sparsity: 0.9, seed: 101 },
      ],
    });

    // written, it is the manifest to check and run
    expect(await page.getByTestId('models-manifest').inputValue()).toBe(out);
    const shapes = page.getByTestId('models-shapes');
    await shapes.waitFor({ timeout: 60_000 });
    expect(await shapes.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/dense.*0\.0%/), expect.stringMatching(/magnitude-0\.9.*90\.0%/)]);
    await page.getByTestId('models-run').click();
    await page.getByTestId('models-open-results').waitFor({ timeout: 120_000 });

    // stored: the PyTorch reference predictions of the two fixture models on the 100 images
    const [experiment] = queryAll<{ id: number; config: string }>(e2e.db, "SELECT id, config FROM experiments WHERE origin = 'evaluated' ORDER BY id DESC LIMIT 1");
    expect((JSON.parse(experiment?.config ?? '{}') as { manifestPath?: string }).manifestPath).toBe(out);
    const models = queryAll<{ id: number; source: string }>(e2e.db, 'SELECT id, source FROM models WHERE experiment_id = ? ORDER BY id', experiment?.id);
    expect(models.map((m) => m.source)).toEqual([dense, pruned]);
    const predictions = readPredictions(e2e.db, experiment?.id ?? 0);
    const ref = reference();
    for (const m of models) {
      const expected = ref.models[path.basename(m.source)];
      const rows = predictions.filter((p) => p.model_id === m.id);
      expect(rows).toHaveLength(100);
      expect(rows.map((r) => r.predicted_label)).toEqual(expected?.predicted_label.slice(0, 100));
      rows.forEach((r, i) => expect(Math.abs(r.predicted_probability - (expected?.predicted_probability[i] ?? NaN))).toBeLessThan(1e-5));
    }
    expect(e2e.watch.problems).toEqual([]);
    expect(await e2e.watch.violations()).toEqual([]);
  }, 300_000);
});
