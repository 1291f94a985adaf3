/**
 * npm run bench: the figures issues 3, 4 and 8 ask for, measured on this machine.
 * `npm run bench -- --fast` skips the quick preset's wall time (about ten minutes);
 * `npm run bench -- --only models` runs the own-models part alone (issue 12).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchAnalysis } from './analysis.js';
import { benchTraining } from './training.js';
import { benchAnalysisPeer } from './peers.js';
import { benchManyHands } from './many-hands.js';
import { benchModels } from './models.js';

const fast = process.argv.includes('--fast');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-bench-'));
console.log(`PIE Audit bench: ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
try {
  if (only === 'models') {
    await benchModels(dir);
  } else if (only === 'many-hands') {
    await benchManyHands(dir);
  } else {
    await benchAnalysis(dir);
    await benchAnalysisPeer(dir);
    await benchTraining(dir, { quick: !fast });
    await benchModels(dir);
    await (await import('../test/e2e/bench-browser.js')).benchBrowser(dir);
    await benchManyHands(dir);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
