import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const TABLES = ['datasets', 'images', 'experiments', 'experiment_images', 'models', 'predictions', 'labels', 'studies', 'study_items'];

/** Row counts of every table, read after SQLite's own recovery of whatever a kill left. */
function contents(db: string): Record<string, number> {
  const handle = new Database(db);
  try {
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    return Object.fromEntries(TABLES.map((t) => [t, handle.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
  } finally {
    handle.close();
  }
}

function writeLongCsv(file: string, models: number, images: number): void {
  const lines = ['model_id,variant,target_sparsity,seed,image_index,true_label,predicted_label,predicted_probability,true_label_probability'];
  const variants = [['dense', 0], ['magnitude-0.5', 0.5], ['magnitude-0.9', 0.9]] as const;
  for (const [variant, sparsity] of variants) {
    for (let k = 0; k < models; k++) {
      for (let i = 0; i < images; i++) {
        const label = i % 10;
        const predicted = (i * 7 + k) % 13 === 0 ? (label + 1) % 10 : label;
        lines.push(`${variant}-${k},${variant},${sparsity},${k + 1},${i},${label},${predicted},0.9,${predicted === label ? 0.9 : 0.05}`);
      }
    }
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('an import killed with SIGKILL', () => {
  it('leaves the database as it was before, at any moment of the import', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'crash.db');
    const file = path.join(dir, 'population.csv');
    writeLongCsv(file, 20, 5000); // 300,000 rows: about a second to read, then one transaction
    const first = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'first', file]);
    expect(first.code, first.stderr).toBe(0);
    const before = contents(db);
    const whole = Date.now();
    const timed = await runCli(['--db', path.join(dir, 'timing.db'), 'import', 'predictions', '--format', 'long-csv', '--dataset', 'x', file]);
    expect(timed.code).toBe(0);
    const duration = Date.now() - whole;
    let killedMidway = 0;
    for (const fraction of [0.3, 0.6, 0.8, 0.9, 0.95]) {
      const child = spawn(process.execPath, [BIN, '--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'second', file], { cwd: ROOT, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((resolve) => setTimeout(resolve, duration * fraction));
      const wasRunning = child.exitCode === null;
      child.kill('SIGKILL');
      await exited;
      if (wasRunning) killedMidway++;
      const after = contents(db);
      // Either the kill came before the commit and nothing changed, or the whole import landed.
      if (after.models === before.models) expect(after).toEqual(before);
      else expect(after.predictions).toBe((before.predictions ?? 0) * 2);
      if (after.models !== before.models) break;
    }
    expect(killedMidway).toBeGreaterThan(0);
  });
});
