/**
 * One stage of the paper-scale bench, run in its own process so that its peak memory
 * (the process's maximum resident set) is its own: `node --import tsx
 * bench/scale-stage.ts <stage> <dir>`. Prints one JSON line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureAnalysis } from '../src-main/core/analysis/analyse.js';
import { openDatabase } from '../src-main/core/db/database.js';
import { PREDICTION_COLUMNS, predictionExportRows as predictionRows } from '../src-main/core/sql/predictions.js';
import { writeRows } from '../src-main/core/export/writers.js';
import { importPredictions } from '../src-main/core/import/import-predictions.js';
import { createStudy } from '../src-main/core/study/store.js';
import { SYNTHETIC_VARIANTS, writeSyntheticPopulation } from './synthetic.js';

/** The paper's design: 30 models for each of 7 variants on 50,000 test images (10.5 M predictions). */
export const PAPER_SCALE = { models: 30, images: 50_000 };
const VARIANTS = [...SYNTHETIC_VARIANTS.slice(0, 3), { variant: 'magnitude-0.7', method: 'magnitude' as const, sparsity: 0.7, forget: 0.04 }, ...SYNTHETIC_VARIANTS.slice(3)];

const [stage, dir = '.', imagesArg] = process.argv.slice(2);
/** A smaller population for profiling (`... generate <dir> 10000`); the bench uses the paper's 50,000. */
const images = imagesArg ? Number(imagesArg) : PAPER_SCALE.images;
const csv = path.join(dir, 'scale-predictions.csv');
const imported = path.join(dir, 'scale-import.db');
const peakMb = (): number => process.resourceUsage().maxRSS / 1024;
const cpuSeconds = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const started = performance.now();
const seconds = (): number => (performance.now() - started) / 1000;
const experimentIdOf = (db: ReturnType<typeof openDatabase>): number => db.prepare('SELECT max(id) FROM experiments').pluck().get() as number;

let result: Record<string, number>;
if (stage === 'generate') {
  const file = path.join(dir, 'scale-source.db');
  const db = openDatabase(file);
  try {
    const population = writeSyntheticPopulation(db, PAPER_SCALE.models, images, 10, VARIANTS);
    await writeRows(csv, 'csv', PREDICTION_COLUMNS, predictionRows(db, population.experimentId));
    result = { rows: population.rows, seconds: seconds(), csvMb: fs.statSync(csv).size / 2 ** 20 };
  } finally {
    db.close();
    fs.rmSync(file, { force: true });
  }
} else if (stage === 'import') {
  // As after `datasets add`: the database exists at the current schema, so the rows are
  // stored while the file is read (PIE_AUDIT_IMPORT_ONE_THREAD=1: read first, then store).
  fs.rmSync(imported, { force: true });
  openDatabase(imported).close();
  let committed = { seconds: 0, cpuSeconds: 0 };
  const summary = await importPredictions(
    {
      format: 'long-csv',
      datasetName: 'synthetic',
      files: [csv],
      storeWhileReading: process.env.PIE_AUDIT_IMPORT_ONE_THREAD !== '1',
      onCommitted: () => (committed = { seconds: seconds(), cpuSeconds: cpuSeconds() }),
    },
    async (fn) => {
      const db = openDatabase(imported);
      try {
        return await fn(db);
      } finally {
        db.close();
      }
    },
  );
  // the import proper ends at its commit; the analysis refresh every import ends with follows
  result = { rows: summary.predictions, seconds: seconds(), committedSeconds: committed.seconds, committedCpuSeconds: committed.cpuSeconds };
} else if (stage === 'analysis') {
  const db = openDatabase(imported);
  try {
    ensureAnalysis(db, experimentIdOf(db), { force: true });
    result = { seconds: seconds() };
  } finally {
    db.close();
  }
} else if (stage === 'study') {
  const db = openDatabase(imported);
  try {
    const experimentId = experimentIdOf(db);
    ensureAnalysis(db, experimentId); // stored already: the study's own time is measured next
    const t0 = performance.now();
    const cpu0 = cpuSeconds();
    createStudy(db, { name: 'scale', experimentId, variant: 'magnitude-0.9', nPies: 250, nControls: 250, seed: 1 });
    result = { seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - cpu0 };
  } finally {
    db.close();
  }
} else {
  throw new Error(`unknown stage ${stage ?? ''}: generate, import, analysis or study`);
}
console.log(JSON.stringify({ cpuSeconds: cpuSeconds(), ...result, peakMb: peakMb() }));
