/**
 * No acknowledged label may be lost: the real `pie-audit serve` acknowledges a
 * labels.set, is killed with SIGKILL at once (no shutdown, no checkpoint), and a fresh
 * connection finds every acknowledged label. Also: the free-audit label store's rules.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { auditLabelRows } from '../../src-main/core/export/label-tables.js';
import { currentAnnotator, getLabel, listLabels, setCurrentAnnotator, setLabel } from '../../src-main/core/labels/store.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

/** An experiment imported by the real command (240 images, no dataset needed to label them): its id. */
async function importExperiment(file: string): Promise<number> {
  const result = await runCli(['--db', file, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', path.join(ROOT, 'test', 'fixtures', 'analysis', 'population.csv')]);
  expect(result.code, result.stderr).toBe(0);
  return Number(/experiment (\d+)/.exec(result.stdout)?.[1]);
}

describe('free-audit label store', () => {
  const dir = tempDir();
  let db: Db;
  let experimentId: number;
  beforeAll(async () => {
    experimentId = await importExperiment(path.join(dir, 'store.db'));
    db = openDatabase(path.join(dir, 'store.db'));
  });
  afterAll(() => db.close());

  it('keeps one label per annotator and image, in schema order, none as the empty set', () => {
    setLabel(db, { experimentId, annotator: 'ada', imageIndex: 1, categories: ['abstract', 'noisy'] });
    setLabel(db, { experimentId, annotator: 'ada', imageIndex: 1, categories: ['abstract', 'noisy', 'atypical'] });
    setLabel(db, { experimentId, annotator: 'bob', imageIndex: 1, categories: ['none'] });
    expect(getLabel(db, experimentId, 'ada', 1)?.categories).toEqual(['atypical', 'noisy', 'abstract']);
    expect(getLabel(db, experimentId, 'bob', 1)?.categories).toEqual(['none']);
    expect(db.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(2);
    expect(db.prepare("SELECT categories FROM labels l JOIN annotators a ON a.id = l.annotator_id WHERE a.name = 'bob'").pluck().get()).toBe('[]');
    const rows = auditLabelRows(db, experimentId);
    expect(rows.map((r) => [r.annotator, r.categories])).toEqual([
      ['ada', 'atypical;noisy;abstract'],
      ['bob', 'none'],
    ]);
    expect(setLabel(db, { experimentId, annotator: 'ada', imageIndex: 1, categories: [] })).toBeNull();
    expect(listLabels(db, experimentId, 'ada')).toEqual([]);
  });

  it('keeps a note with its label, and refuses a note without one', () => {
    setLabel(db, { experimentId, annotator: 'ada', imageIndex: 2, categories: ['mislabeled'], note: 'a 7, not a 1' });
    expect(setLabel(db, { experimentId, annotator: 'ada', imageIndex: 2, categories: ['mislabeled', 'noisy'] })?.note).toBe('a 7, not a 1');
    expect(() => setLabel(db, { experimentId, annotator: 'ada', imageIndex: 3, categories: [], note: 'hm' })).toThrow(/a note needs a label/);
  });

  it('remembers the annotator in the app settings, the OS user by default', () => {
    const fallback = currentAnnotator(db);
    expect(fallback.length).toBeGreaterThan(0);
    expect(setCurrentAnnotator(db, '  Grace H ')).toBe('Grace H');
    expect(currentAnnotator(db)).toBe('Grace H');
    expect(() => setCurrentAnnotator(db, 'x\ny')).toThrow(/annotator name/);
  });
});

describe('labels survive the server being killed right after it answered', () => {
  const dir = tempDir();
  const file = path.join(dir, 'kill.db');
  let experimentId: number;

  beforeAll(async () => {
    experimentId = await importExperiment(file);
  });

  it('finds every acknowledged label after SIGKILL', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', file], { cwd: ROOT, env: { ...process.env, PIE_AUDIT_DB: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
        if (line) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const { origin, searchParams } = new URL(url);
    const token = searchParams.get('token') ?? '';
    const acknowledged = new Map<number, string[]>();
    const categories = [['atypical'], ['noisy', 'mislabeled'], ['none'], ['abstract']];
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; i < 40; i++) {
      const wanted = categories[i % categories.length] ?? ['atypical'];
      const response = await fetch(`${origin}/api/labels.set`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ experimentId, imageIndex: i, categories: wanted, annotator: 'kill-test' }),
      });
      expect(response.status).toBe(200);
      acknowledged.set(i, wanted);
      if (i === 39) child.kill('SIGKILL'); // the moment the last answer arrived
    }
    await exited;
    const db = openDatabase(file, { readonly: true });
    try {
      const stored = listLabels(db, experimentId, 'kill-test');
      expect(new Map(stored.map((l) => [l.imageIndex, l.categories]))).toEqual(acknowledged);
    } finally {
      db.close();
    }
  });
});
