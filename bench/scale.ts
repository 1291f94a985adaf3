import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);

interface StageResult {
  seconds: number;
  /** This process's CPU time (the stage's own for the study). */
  cpuSeconds: number;
  peakMb: number;
  rows?: number;
  csvMb?: number;
  /** The import's time and CPU time at its commit, before the analysis refresh. */
  committedSeconds?: number;
  committedCpuSeconds?: number;
}

/** Runs one stage of bench/scale-stage.ts in its own Node process. */
function stage(name: string, dir: string): StageResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(HERE, 'scale-stage.ts'), name, dir], { encoding: 'utf8', maxBuffer: 2 ** 24 });
  const last = out.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as StageResult;
}

const mb = (n: number): string => `${Math.round(n).toLocaleString('en')} MB`;

/**
 * The paper's scale: 30 models x 7 variants x 50,000 images (10.5 M predictions),
 * generated, exported as long CSV, imported, analysed and sampled for a 500-image
 * study, each stage in its own process so that its peak memory is its own.
 */
export function benchScale(dir: string, options: { fast: boolean }): void {
  if (options.fast) {
    console.log('paper scale (10.5 M predictions): skipped (--fast)');
    return;
  }
  const generated = stage('generate', dir);
  console.log(`paper scale: ${(generated.rows ?? 0).toLocaleString('en')} predictions generated and written as long CSV (${mb(generated.csvMb ?? 0)}) in ${generated.seconds.toFixed(1)} s`);
  const imported = stage('import', dir);
  const rows = imported.rows ?? 0;
  const rate = (seconds: number): string => Math.round(rows / seconds).toLocaleString('en');
  const committed = imported.committedSeconds ?? imported.seconds;
  const committedCpu = imported.committedCpuSeconds ?? imported.cpuSeconds;
  console.log(
    `  import of the long CSV (read and checked on one thread, stored on the other, one transaction): ${committed.toFixed(1)} s to its commit = ${rate(committed)} rows/s (target >= 500,000); CPU ${committedCpu.toFixed(1)} s = ${rate(committedCpu)} rows per CPU second; peak memory ${mb(imported.peakMb)} (target <= 2,048 MB)`,
  );
  console.log(
    `    with the analysis refresh every import ends with: ${imported.seconds.toFixed(1)} s = ${rate(imported.seconds)} rows/s, CPU ${imported.cpuSeconds.toFixed(1)} s`,
  );
  const analysed = stage('analysis', dir);
  console.log(
    `  analysis (modal labels, PIEs, scores, class impact, stored): ${analysed.seconds.toFixed(1)} s (CPU ${analysed.cpuSeconds.toFixed(1)} s; target <= 8 s), peak memory ${mb(analysed.peakMb)} (target <= 2,048 MB)`,
  );
  const study = stage('study', dir);
  console.log(`  a 500-image study (250 PIEs, 250 controls) drawn and stored: ${study.seconds.toFixed(2)} s (CPU ${study.cpuSeconds.toFixed(2)} s; target < 1 s), peak memory ${mb(study.peakMb)}`);
  console.log(`  (load average at the end: ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores; CPU times are this process's own, wall times grow with the load)`);
}
