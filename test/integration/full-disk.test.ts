/**
 * Issue 17, item 3: a database on a file system that fills up. The test mounts a small
 * tmpfs (it must run as root on Linux; elsewhere it skips, saying why), puts a database
 * there with a dataset, a trained population and some acknowledged labels, fills the
 * disk, and checks: labeling, training, import and analysis fail with a clear line and
 * change nothing; the server keeps answering reads; after space is freed `db check`
 * passes, every acknowledged label is there, and writing works again.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/db/database.js';
import { listLabels } from '../../src-main/core/labels/store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeLearnableMnistFolder } from '../helpers/data.js';
import { startServer, stopServer, type Server } from '../helpers/many-hands.js';

const SIZE = '24m';
let mountPoint = '';
let skipReason = '';

function tryMount(): void {
  if (process.platform !== 'linux') return void (skipReason = 'needs Linux (tmpfs)');
  if (os.userInfo().uid !== 0) return void (skipReason = 'needs root to mount a small tmpfs');
  mountPoint = tempDir('pie-audit-full-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (error) {
    skipReason = `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
    mountPoint = '';
  }
}

/** Fills the file system with one file until the OS says it is full. */
function fill(file: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  // Then the last few bytes a smaller write can still take.
  const fd2 = fs.openSync(`${file}.tail`, 'w');
  try {
    for (;;) fs.writeSync(fd2, Buffer.alloc(512, 1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd2);
  }
}

beforeAll(tryMount);
afterAll(() => {
  if (mountPoint) execFileSync('umount', ['-l', mountPoint]);
});

describe('a full disk', () => {
  it('fails writes with a clear line, keeps answering reads, and loses no acknowledged label', async (context) => {
    if (!mountPoint) {
      console.log(`full-disk test skipped: ${skipReason}`);
      context.skip();
    }
    const data = tempDir('pie-audit-full-disk-data-');
    writeLearnableMnistFolder(data, 300, 40);
    const db = path.join(mountPoint, 'full.db');
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(['--db', db, ...args]);
    expect((await cli('datasets', 'add', 'mnist', '--name', 'tiny', '--from', data)).code).toBe(0);
    const trained = await cli('train', '--dataset', 'tiny', '--preset', 'smoke', '--train-limit', '300', '--workers', '1', '--seed', '1', '--backend', 'wasm');
    expect(trained.code, trained.stderr).toBe(0);
    const exported = path.join(data, 'predictions.csv');
    expect((await cli('export', 'predictions', '--format', 'csv', '--out', exported)).code).toBe(0);

    const server: Server = await startServer(db);
    let shiftComputedOnFullDisk: unknown;
    const api = async (method: string, body: unknown): Promise<{ status: number; json: { value?: unknown; error?: string } }> => {
      const response = await fetch(`${server.origin}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, json: (await response.json()) as { value?: unknown; error?: string } };
    };
    try {
      const acknowledged = new Map<number, string[]>();
      for (let i = 0; i < 20; i++) {
        const categories = i % 2 ? ['atypical'] : ['noisy', 'mislabeled'];
        const r = await api('labels.set', { experimentId: 1, imageIndex: i, categories, annotator: 'ann' });
        expect(r.status).toBe(200);
        acknowledged.set(i, categories);
      }

      // The analysis and the shift summary of report --json are computed on first read and
      // stored (a write); done here, before the disk fills.
      expect((await api('report.get', { experimentId: 1 })).status).toBe(200);
      expect((await cli('report', '--json', '--experiment', '1')).code).toBe(0);
      // Experiment 2 is left without its analysis, as an import killed after its commit
      // and before its refresh leaves it; experiment 3 has its analysis stored (the import
      // keeps it current) but not its shift summary.
      const killed = await runCli(['--db', db, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', exported], { PIE_AUDIT_TEST_STOP_AT: 'refresh-after-write:1' });
      expect(killed.code, killed.stderr).toBeNull();
      const again = await cli('import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', exported);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout + again.stderr).toMatch(/experiment #?3\b/);
      expect((await api('report.get', { experimentId: 3 })).status).toBe(200);

      fill(path.join(mountPoint, 'filler'));

      // Labeling: refused with a clear message, nothing half-written.
      let refused = 0;
      for (let i = 20; i < 30; i++) {
        const r = await api('labels.set', { experimentId: 1, imageIndex: i, categories: ['abstract'], annotator: 'ann' });
        if (r.status === 200) acknowledged.set(i, ['abstract']);
        else {
          refused++;
          expect(JSON.stringify(r.json)).toMatch(/the disk holding the database is full; nothing was changed/);
        }
      }
      expect(refused).toBeGreaterThan(0);
      // Reads are still answered.
      const listed = await api('labels.list', { experimentId: 1, annotator: 'ann' });
      expect(listed.status).toBe(200);
      expect((listed.json.value as { labels: unknown[] }).labels).toHaveLength(acknowledged.size);
      const report = await api('report.get', { experimentId: 1 });
      expect(report.status, JSON.stringify(report.json)).toBe(200);
      expect((await api('pies.list', { experimentId: 1 })).status).toBe(200);

      // The command line: training, import and a dataset refused in one line each.
      const train = await cli('train', '--dataset', 'tiny', '--preset', 'smoke', '--train-limit', '300', '--workers', '1', '--seed', '9', '--backend', 'wasm');
      expect(train.code).toBe(1);
      expect(train.stderr.trim().split('\n').at(-1)).toMatch(/^pie-audit: the disk is full \(.*\); what this command was writing was not kept$/);
      const imported = await cli('import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', exported);
      expect(imported.code).toBe(1);
      expect(imported.stderr.trim()).toMatch(/^pie-audit: the disk is full/);
      const reportCli = await cli('report', '--json', '--experiment', '1');
      // The analysis is already stored: the report reads it without writing.
      expect(reportCli.code, reportCli.stderr).toBe(0);

      // Reads whose first step would store something. The analysis (the screens read the
      // stored one) cannot be brought up to date: one clear line, in the app and the CLI.
      const unanalysed = await api('report.get', { experimentId: 2 });
      expect(unanalysed.status).not.toBe(200);
      const cannotStore = /experiment 2: the analysis is not up to date and cannot be stored: the disk holding the database is full \(free some space, then read again\)/;
      expect(unanalysed.json.error).toMatch(cannotStore);
      const reportTwo = await cli('report', '--json', '--experiment', '2');
      expect(reportTwo.code).toBe(1);
      expect(reportTwo.stderr.trim().split('\n')).toHaveLength(1);
      expect(reportTwo.stderr.trim()).toMatch(cannotStore);
      // The shift summary is computed from the stored analysis and served unstored.
      const shiftOnFullDisk = await api('shift.get', { experimentId: 3 });
      expect(shiftOnFullDisk.status, JSON.stringify(shiftOnFullDisk.json)).toBe(200);
      shiftComputedOnFullDisk = shiftOnFullDisk.json.value;
      // The database stays sound while the disk is full.
      const checkFull = await cli('db', 'check');
      expect(checkFull.code, checkFull.stdout + checkFull.stderr).toBe(0);
      // Other reads still answer.
      expect((await api('labels.list', { experimentId: 1, annotator: 'ann' })).status).toBe(200);
    } finally {
      await stopServer(server);
    }

    fs.rmSync(path.join(mountPoint, 'filler'));
    fs.rmSync(path.join(mountPoint, 'filler.tail'));
    const check = await cli('db', 'check');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const handle = openDatabase(db, { readonly: true });
    try {
      const stored = listLabels(handle, 1, 'ann');
      expect(stored.filter((l) => l.imageIndex < 20).map((l) => [l.imageIndex, l.categories])).toEqual(
        [...Array(20).keys()].map((i) => [i, i % 2 ? ['atypical'] : ['noisy', 'mislabeled']]),
      );
      // Experiments: the first run and the two imports only (the run refused on the full disk left nothing, or an empty shell).
      const done = handle.prepare("SELECT count(*) FROM models WHERE status = 'done' AND experiment_id NOT IN (2, 3)").pluck().get() as number;
      expect(done).toBe(4);
    } finally {
      handle.close();
    }
    const again = await cli('import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', exported);
    expect(again.code, again.stderr).toBe(0);
    // With space again, the reads that could not store do: the same shift, now stored.
    const server2: Server = await startServer(db);
    try {
      const call = async (method: string, body: unknown): Promise<{ status: number; value?: unknown }> => {
        const response = await fetch(`${server2.origin}/api/${method}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server2.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, ...((await response.json()) as { value?: unknown }) };
      };
      expect((await call('report.get', { experimentId: 2 })).status).toBe(200);
      const shift = await call('shift.get', { experimentId: 3 });
      expect(shift.status).toBe(200);
      expect(shift.value).toEqual(shiftComputedOnFullDisk);
    } finally {
      await stopServer(server2);
    }
  }, 600_000);
});
