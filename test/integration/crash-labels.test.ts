import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const CATEGORY_SETS = [['atypical'], ['noisy'], ['mislabeled'], ['none'], ['atypical', 'fine-grained'], ['multiple-objects']];

describe('labels acknowledged by the server survive SIGKILL', () => {
  it('keeps every acknowledged label when the server is killed mid-stream', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'labels.db');
    const imported = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv')]);
    expect(imported.code, imported.stderr).toBe(0);
    const server = spawn(process.execPath, [BIN, '--db', db, 'serve'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
        if (line) resolve(new URL(line.trim()));
      });
      server.on('exit', () => reject(new Error(`server exited: ${out}`)));
    });
    const token = url.searchParams.get('token') ?? '';
    const acknowledged = new Map<number, string[]>();
    let sent = 0;
    let killed = false;
    let failedAfterKill = 0;
    const exited = new Promise((resolve) => server.on('exit', resolve));
    // Two concurrent streams of labels; the kill lands while requests are in flight.
    // Only a failure to reach the server after the kill counts as "the server is gone":
    // an answer other than 200, or any error before the kill, fails the test.
    const stream = async (offset: number): Promise<void> => {
      for (let i = offset; i < 240; i += 2) {
        const categories = CATEGORY_SETS[i % CATEGORY_SETS.length] ?? [];
        sent++;
        let response: Response;
        try {
          response = await fetch(new URL('/api/labels.set', url), {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ experimentId: 1, imageIndex: i, categories, annotator: 'crash-test' }),
          });
        } catch (error) {
          if (!killed) throw new Error(`label ${i} failed before the kill: ${String(error)}`, { cause: error });
          failedAfterKill++;
          return; // the server is gone
        }
        if (response.status !== 200) throw new Error(`label ${i}: status ${response.status}: ${await response.text()}`);
        acknowledged.set(i, categories);
        if (acknowledged.size === 120) {
          killed = true;
          server.kill('SIGKILL');
        }
      }
    };
    try {
      await Promise.all([stream(0), stream(1)]);
    } finally {
      if (!killed) server.kill('SIGKILL'); // a failed test leaves no server behind
      await exited;
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(120);
    expect(failedAfterKill).toBeGreaterThan(0); // the kill really interrupted the stream

    const handle = new Database(db); // recovery of the WAL happens here
    const rows = handle
      .prepare("SELECT l.image_index, l.categories FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE a.name = 'crash-test'")
      .all() as { image_index: number; categories: string }[];
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    handle.close();
    const stored = new Map(rows.map((r) => [r.image_index, JSON.parse(r.categories) as string[]]));
    for (const [image, categories] of acknowledged) {
      expect(stored.get(image), `image ${image}`).toEqual(categories[0] === 'none' ? [] : categories);
    }
    console.log(`labels: ${sent} sent, ${acknowledged.size} acknowledged, ${rows.length} found after SIGKILL and restart`);
  });
});
