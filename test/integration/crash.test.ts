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

/** The CLI run in a child process, told to kill itself at a stop point (src-main/core/stop-points.ts). */
function runUntilStop(args: string[], stopAt: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, PIE_AUDIT_TEST_STOP_AT: stopAt }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('an import killed with SIGKILL', () => {
  it('leaves the database as it was before, wherever inside its write transaction it dies', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'crash.db');
    const file = path.join(dir, 'population.csv');
    writeLongCsv(file, 20, 5000); // 60 models, 300,000 rows: more than SQLite's page cache, so the transaction spills to the WAL
    const first = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'first', file]);
    expect(first.code, first.stderr).toBe(0);
    const before = contents(db);
    expect(before.predictions).toBe(300_000);
    const args = ['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'second', file];
    // After the first model, halfway, and after the last model's rows, just before the commit.
    for (const models of [1, 30, 60]) {
      const killed = await runUntilStop(args, `import-write:${models}`);
      expect(killed.signal, `stop after ${models} models: ${killed.stderr}`).toBe('SIGKILL');
      expect(contents(db), `stop after ${models} models`).toEqual(before);
    }
    // The same import, not stopped, lands whole.
    const whole = await runCli(args);
    expect(whole.code, whole.stderr).toBe(0);
    const after = contents(db);
    expect(after.predictions).toBe(600_000);
    expect(after.models).toBe(120);
  });
});
