/**
 * npm run bench: the figures issues 3, 4 and 8 ask for, measured on this machine.
 * `npm run bench -- --fast` skips the quick preset's wall time (about ten minutes), the
 * `quick --arch cnn` population (about half an hour) and the paper-scale part, and times
 * the CNN on 6,400 images instead of a whole epoch;
 * `npm run bench -- --only models` runs the own-models part alone (issue 12),
 * `--only cnn`, `--only scale` and `--only grid` the CNN, the paper-scale and the
 * 50,000-image PIE grid parts (issue 16; `--fast` skips the last two),
 * `--only many-hands` the label latency under concurrent load (issue 17), `--only training`
 * the training part alone (the job over its products' floor first; `--fast` skips `quick`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchAnalysis } from './analysis.js';
import { benchTraining } from './training.js';
import { benchAnalysisPeer } from './peers.js';
import { benchManyHands } from './many-hands.js';
import { benchModels } from './models.js';
import { benchCnn } from './cnn.js';
import { benchScale } from './scale.js';
import { benchGridScale } from './grid-scale.js';

const fast = process.argv.includes('--fast');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-bench-'));
console.log(`PIE Audit bench: ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
try {
  if (only === 'models') {
    await benchModels(dir);
  } else if (only === 'training') {
    await benchTraining(dir, { quick: !fast });
  } else if (only === 'many-hands') {
    await benchManyHands(dir);
  } else if (only === 'cnn') {
    await benchCnn(dir, { fast });
  } else if (only === 'scale') {
    benchScale(dir, { fast: false });
  } else if (only === 'grid') {
    await benchGridScale(dir, { fast: false });
  } else {
    await benchAnalysis(dir);
    await benchAnalysisPeer(dir);
    await benchTraining(dir, { quick: !fast });
    await benchCnn(dir, { fast });
    await benchModels(dir);
    benchScale(dir, { fast });
    await (await import('../test/e2e/bench-browser.js')).benchBrowser(dir);
    await benchGridScale(dir, { fast });
    await benchManyHands(dir);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
