/**
 * Issue 17, item 1: four annotators label over HTTP (10,000 label calls, one in five an
 * undo), split over two `pie-audit serve` processes on the same database file, while
 * `pie-audit train` runs a population and `pie-audit import predictions` writes a large
 * file into it. Every call is answered 200 (none fails on a busy database), every
 * acknowledged label is in the database afterwards, and the training and the import
 * both finish. Latency is reported by the bench (bench/many-hands.ts), not asserted.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { listLabels } from '../../src-main/core/labels/store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import { quantile, runManyHands } from '../helpers/many-hands.js';

describe('many hands on one database', () => {
  // Several minutes on a loaded two-core machine: real processes, 10,000 HTTP calls.
  it('keeps every acknowledged label of four annotators on two servers beside a training run and an import', { timeout: 900_000 }, async () => {
    const outcome = await runManyHands({ dir: tempDir('pie-audit-many-'), labels: 10_000, annotators: 4, testImages: 2_000, importCopies: 50 });
    expect(outcome.train.code, outcome.train.stderr).toBe(0);
    expect(outcome.importResult.code, outcome.importResult.stderr).toBe(0);

    const failed = outcome.calls.filter((c) => c.status !== 200);
    expect(failed.slice(0, 5)).toEqual([]);
    expect(outcome.calls).toHaveLength(10_000);
    expect(outcome.calls.filter((c) => c.undo).length).toBeGreaterThanOrEqual(1_900);

    const db = openDatabase(outcome.database, { readonly: true });
    try {
      for (const [annotator, acknowledged] of outcome.acknowledged) {
        const stored = new Map(listLabels(db, outcome.experimentId, annotator).map((l) => [l.imageIndex, l.categories]));
        const expected = new Map([...acknowledged].filter(([, categories]) => categories !== null));
        expect(stored, annotator).toEqual(expected);
      }
      // The import and the second population are there too.
      const models = db.prepare("SELECT count(*) FROM models WHERE status = 'done'").pluck().get() as number;
      expect(models).toBe(4 + 4 * 50 + 8);
    } finally {
      db.close();
    }
    expect((await runCli(['--db', outcome.database, 'db', 'check'])).code).toBe(0);
    const ms = outcome.calls.map((c) => c.ms);
    console.log(`many hands: ${outcome.calls.length} label calls on ${outcome.servers} servers, import of ${outcome.importRows} predictions and a training run beside; latency p50 ${quantile(ms, 0.5).toFixed(1)} ms, p99 ${quantile(ms, 0.99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
  });
});
