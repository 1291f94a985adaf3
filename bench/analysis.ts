import path from 'node:path';
import { openDatabase } from '../src-main/core/db/database.js';
import { ensureAnalysis } from '../src-main/core/analysis/analyse.js';
import { writeSyntheticPopulation } from './synthetic.js';

/** Prediction inserts and the whole analysis (PIEs, scores, class impact, stored) on 30 models x 6 variants x 10,000 images. */
export async function benchAnalysis(dir: string): Promise<void> {
  const db = openDatabase(path.join(dir, 'analysis.db'));
  try {
    const population = writeSyntheticPopulation(db, 30, 10_000);
    console.log(`prediction inserts: ${population.rows} rows in ${population.insertSeconds.toFixed(2)} s = ${Math.round(population.rows / population.insertSeconds).toLocaleString('en')} rows/s (target >= 500,000)`);
    const first = ensureAnalysis(db, population.experimentId, { force: true });
    const second = ensureAnalysis(db, population.experimentId, { force: true });
    const cached = ensureAnalysis(db, population.experimentId);
    console.log(`analysis of ${population.rows} predictions (modal labels, PIEs, scores, class impact, stored): ${first.seconds.toFixed(2)} s, again ${second.seconds.toFixed(2)} s (target < 2 s); unchanged predictions: ${cached.recomputed ? 'recomputed' : 'served from the stored result'}`);
  } finally {
    db.close();
  }
}
