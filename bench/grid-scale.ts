/**
 * The PIE grid at the paper's test-set size: 50,000 generated 28 x 28 test images
 * (an IDX pair added with `datasets add idx`), a generated population on them imported
 * from long CSV, then `pie-audit serve` and Chromium scrolling the grid of all 50,000
 * thumbnails, as the 10,000-image figure of the browser bench does. The same is done
 * for 10,000 generated images first, in the same server and browser (each in a fresh
 * page), so that the two sizes are compared back to back under the same load. Frame intervals come from
 * requestAnimationFrame; the target is at most 1 frame in 240 over 25 ms.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Random } from '../src-main/core/random.js';
import { gridScrolling } from '../test/e2e/bench-browser.js';
import { openE2eSession, type E2eSession } from '../test/e2e/session.js';
import { checkPrerequisites } from '../test/e2e/support.js';
import { idxBuffer, syntheticImages } from '../test/helpers/data.js';

const IMAGES = 50_000;
const CLASSES = 10;
const VIEWPORT = { width: 1400, height: 900 };
/** Enough models for modal labels and PIEs; the grid's cost is in its images, not its models. */
const POPULATION = [
  { variant: 'dense', sparsity: 0, models: 5, forget: 0 },
  { variant: 'magnitude-0.9', sparsity: 0.9, models: 5, forget: 0.08 },
];

/** A long-CSV population on the given true labels (seeded): some images are forgotten by the pruned models. */
function writePopulationCsv(file: string, labels: Uint8Array): void {
  const random = new Random(7);
  const difficulty = Float32Array.from(labels, () => random.next() * 0.4);
  const lines = ['model_id,variant,target_sparsity,seed,image_index,true_label,predicted_label,predicted_probability,true_label_probability'];
  for (const v of POPULATION) {
    for (let seed = 1; seed <= v.models; seed++) {
      for (let i = 0; i < labels.length; i++) {
        const label = labels[i] as number;
        const right = random.next() > (difficulty[i] as number) + v.forget * ((label % 3) + 1);
        const predicted = right ? label : (label + 1 + Math.floor(random.next() * 3)) % CLASSES;
        const p = 0.4 + 0.6 * random.next();
        lines.push(`${v.variant}-${seed},${v.variant},${v.sparsity},${seed},${i},${label},${predicted},${p},${right ? p : (1 - p) * random.next()}`);
      }
    }
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

export async function benchGridScale(dir: string, options: { fast: boolean }): Promise<void> {
  if (options.fast) {
    console.log('PIE grid over 10,000 and 50,000 generated images: skipped (--fast)');
    return;
  }
  try {
    checkPrerequisites();
  } catch (error) {
    console.log(`PIE grid over 50,000 images skipped: ${(error as Error).message}`);
    return;
  }
  const sizes = [10_000, IMAGES];
  const session = await openE2eSession({
    name: 'grid-scale',
    parent: dir,
    prepare: async ({ dir: work, cli }) => {
      for (const size of sizes) await addGeneratedPopulation(work, cli, size);
    },
    context: { viewport: VIEWPORT },
  });
  try {
    const { browser, server } = session;
    for (const [k, size] of sizes.entries()) {
      // A fresh page per size: the second grid in one page scrolled worse whichever size
      // came second (the first one's thumbnails and nodes stay in that page's memory).
      // The session's own page, unused until then, is the first; one page is open at a time.
      const page = k === 0 ? session.page : await browser.newPage({ viewport: VIEWPORT });
      await page.goto(server.url);
      const runs = await gridScrolling(page, server.origin, size, k + 1);
      await page.close();
      for (const s of runs) {
        console.log(
          `PIE grid scrolling, ${size.toLocaleString('en')} generated thumbnails, ${s.name}: ${s.frames} frames, frame interval p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, ${s.over25ms} frames over 25 ms (target at most ${Math.floor(s.frames / 240)}); main thread ${s.mainThreadMsPerFrame.toFixed(1)} ms per frame (script ${s.scriptMsPerFrame.toFixed(1)} ms)`,
        );
      }
    }
    console.log(`  (load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores: frame times on a loaded machine are upper bounds)`);
  } finally {
    await session.close();
  }
}

/** A generated test set of `size` images (its own dataset) and a population on it, imported: experiment k for the k-th call. */
async function addGeneratedPopulation(work: string, cli: E2eSession['cli'], size: number): Promise<void> {
  const name = `generated-${size}`;
  const labels = Uint8Array.from({ length: size }, (_, i) => (i * 7 + (i >> 4)) % CLASSES);
  const images = path.join(work, `${name}-images-idx3-ubyte.gz`);
  const labelFile = path.join(work, `${name}-labels-idx1-ubyte.gz`);
  fs.writeFileSync(images, zlib.gzipSync(idxBuffer([size, 28, 28], syntheticImages(size, 28))));
  fs.writeFileSync(labelFile, zlib.gzipSync(idxBuffer([size], labels)));
  const csv = path.join(work, `${name}.csv`);
  writePopulationCsv(csv, labels);
  await cli(['datasets', 'add', 'idx', '--name', name, '--images', images, '--labels', labelFile, '--split', 'test']);
  await cli(['import', 'predictions', '--format', 'long-csv', '--dataset', name, csv]);
}
