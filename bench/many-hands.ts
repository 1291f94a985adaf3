/**
 * Label latency under load (issue 17, item 1): four annotators labeling over HTTP on two
 * `pie-audit serve` processes sharing one database, while the command line trains a
 * population and imports a large prediction file into it. Prints p50/p99 and failures.
 * Alone: node --import tsx bench/many-hands.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { quantile, runManyHands } from '../test/helpers/many-hands.js';

export async function benchManyHands(dir: string): Promise<void> {
  const started = Date.now();
  const outcome = await runManyHands({ dir: fs.mkdtempSync(path.join(dir, 'many-hands-')), labels: 10_000, annotators: 4, testImages: 2_000, importCopies: 50 });
  const ok = outcome.calls.filter((c) => c.status === 200);
  const ms = ok.map((c) => c.ms);
  console.log(
    `many hands: ${outcome.calls.length} label calls (${outcome.calls.filter((c) => c.undo).length} undos) by 4 annotators on ${outcome.servers} servers, ` +
      `${outcome.calls.length - ok.length} failed; beside: train exit ${outcome.train.code}, import of ${outcome.importRows} predictions exit ${outcome.importResult.code}`,
  );
  console.log(`  label latency p50 ${quantile(ms, 0.5).toFixed(1)} ms, p99 ${quantile(ms, 0.99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(0)} ms; ${((Date.now() - started) / 1000).toFixed(0)} s in all (load average ${os.loadavg()[0]?.toFixed(1)})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-bench-'));
  try {
    await benchManyHands(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
