/**
 * npm run bench: the figures issues 3, 4 and 8 ask for, measured on this machine.
 * `npm run bench -- --fast` skips the quick preset's wall time (about ten minutes) and
 * times the CNN on 6,400 images instead of a whole epoch, and skips the paper-scale part.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchAnalysis } from './analysis.js';
import { benchTraining } from './training.js';
import { benchAnalysisPeer } from './peers.js';
import { benchCnn } from './cnn.js';
import { benchScale } from './scale.js';

const fast = process.argv.includes('--fast');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-bench-'));
console.log(`PIE Audit bench: ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
try {
  await benchAnalysis(dir);
  await benchAnalysisPeer(dir);
  await benchTraining(dir, { quick: !fast });
  await benchCnn(dir, { fast });
  benchScale(dir, { fast });
  await (await import('../test/e2e/bench-browser.js')).benchBrowser(dir);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
