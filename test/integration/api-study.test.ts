/**
 * A whole blind study through the real HTTP API (in-process servers on real SQLite
 * files): created with study.create, labeled by ann-1 and ann-2 through study.label on
 * one machine and by ann-3 on another, ann-3's labels exported there (CLI) and merged
 * here (CLI), then study.report checked against the independent reference values of
 * test/fixtures/study (the same study and labels as study.test.ts). study.items must
 * never carry the PIE flag or a model output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { csvRows } from '../helpers/csv-rows.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../../src-main/core/api/contract.js';
import { openDatabase, type Db } from '../../src-main/core/db/database.js';
import { startServer, type RunningServer } from '../../src-main/server/server.js';
import { apiClient, type ApiCallResult } from '../helpers/api-client.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';
import { generateLabels, type GeneratedLabel } from '../helpers/study-labels.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const POPULATION = path.join(FIXTURES, 'analysis', 'population.csv');

interface Machine {
  file: string;
  db: Db;
  server: RunningServer;
}

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const call = (m: Machine, method: string, body: unknown): Promise<ApiCallResult> => apiClient(() => m.server).call(method, body);
const value = <T>(m: Machine, method: string, body: unknown): Promise<T> => apiClient(() => m.server).value<T>(method, body);

/** Keys (at any depth) that would reveal the PIE flag or a model's output. */
const FORBIDDEN = /is_?pie|pie|modal|predict|vote|agreement|confidence|margin|probab|variant|dense/i;
function keysOf(x: unknown, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) keysOf(v, out);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      out.push(k);
      keysOf(v, out);
    }
  }
  return out;
}

describe('a blind study through the HTTP API, on two machines', () => {
  const dir = tempDir();
  const machines: Machine[] = [];
  let A: Machine;
  let B: Machine;
  let labels: GeneratedLabel[] = [];
  let studyA = 0;
  let studyB = 0;
  const create = { name: 'pilot', pies: 30, controls: 30, variant: '0.9', seed: 7 };

  beforeAll(async () => {
    for (const name of ['lab.db', 'laptop.db']) {
      const file = path.join(dir, name);
      await ok(['--db', file, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'synthetic', POPULATION]);
      const db = openDatabase(file);
      const server = await startServer({ db, databasePath: file, rendererDir: path.join(dir, 'none') });
      machines.push({ file, db, server });
    }
    [A, B] = machines as [Machine, Machine];
  });
  afterAll(async () => {
    for (const m of machines) {
      await m.server.close();
      m.db.close();
    }
  });

  it('creates the same study on both machines through study.create, and lists it', async () => {
    for (const m of [A, B]) {
      const [experiment] = await value<ApiResponse<'experiments.list'>>(m, 'experiments.list', {});
      const created = await value<ApiResponse<'study.create'>>(m, 'study.create', { ...create, experimentId: experiment?.id });
      expect(created).toMatchObject({ name: 'pilot', nPies: 30, nControls: 30, seed: 7, blind: true, total: 60, progress: [], dataset: 'synthetic' });
      if (m === A) studyA = created.id;
      else studyB = created.id;
    }
    const [a] = await value<ApiResponse<'study.list'>>(A, 'study.list', {});
    const [b] = await value<ApiResponse<'study.list'>>(B, 'study.list', {});
    expect(a?.fingerprint).toBe(b?.fingerprint);
    expect(a?.variant).toBe('magnitude-0.9');
    // one-line, input-caused errors
    const bad = await call(A, 'study.create', { ...create, experimentId: 1, pies: 100_000 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^variant magnitude-0\.9 has \d+ PIEs; cannot draw 100000$/);
    expect((await call(A, 'study.create', { ...create, experimentId: 1, variant: 'nope' })).json.error).toMatch(/no variant 'nope'/);
    expect((await call(A, 'study.create', { ...create, experimentId: 1, pies: 0 })).status).toBe(400);
    expect((await call(A, 'study.create', { ...create, experimentId: 1, extra: 1 })).status).toBe(400);
  });

  it('serves study items without the PIE flag or any model output while blind', async () => {
    const items = await value<ApiResponse<'study.items'>>(A, 'study.items', { studyId: studyA, annotator: 'ann-1' });
    expect(items.total).toBe(60);
    expect(items.items.map((i) => i.position)).toEqual([...Array(60).keys()]);
    expect(keysOf(items).filter((k) => FORBIDDEN.test(k))).toEqual([]);
    expect(JSON.stringify(items)).not.toMatch(/is_pie|isPie|magnitude|modal/);
    expect(items.items.every((i) => i.label === null && i.className === String(i.trueLabel))).toBe(true);
    // The generated labels need each image's group: read from the database, never from the API.
    const isPie = new Map((A.db.prepare('SELECT image_index, is_pie FROM study_items WHERE study_id = ?').all(studyA) as { image_index: number; is_pie: number }[]).map((r) => [r.image_index, r.is_pie === 1]));
    const order = items.items.map((i) => ({ position: i.position, imageIndex: i.imageIndex, trueLabel: i.trueLabel, isPie: isPie.get(i.imageIndex) ?? false }));
    labels = generateLabels(order, ['ann-1', 'ann-2', 'ann-3']).filter((l) => l.annotator !== 'ann-3' || order.findIndex((i) => i.imageIndex === l.imageIndex) < 45);
    expect(labels).toHaveLength(165);
  });

  it('labels the study through study.label on both machines; each label is durable on return', async () => {
    for (const l of labels) {
      const m = l.annotator === 'ann-3' ? B : A;
      const studyId = m === A ? studyA : studyB;
      const saved = await value<ApiResponse<'study.label'>>(m, 'study.label', { studyId, annotator: l.annotator, imageIndex: l.imageIndex, categories: l.categories.length ? l.categories : ['none'], note: l.note });
      expect(saved.label?.categories).toEqual(l.categories.length ? l.categories : ['none']);
    }
    // durable: a second connection sees them
    const check = openDatabase(A.file);
    try {
      expect(check.prepare('SELECT count(*) FROM labels WHERE study_id = ?').pluck().get(studyA)).toBe(120);
    } finally {
      check.close();
    }
    // remove and restore one label; a note is kept when not sent
    const first = labels[0] as GeneratedLabel;
    const removed = await value<ApiResponse<'study.label'>>(A, 'study.label', { studyId: studyA, annotator: first.annotator, imageIndex: first.imageIndex, categories: [] });
    expect(removed).toMatchObject({ label: null, labeled: 59, total: 60 });
    await value(A, 'study.label', { studyId: studyA, annotator: first.annotator, imageIndex: first.imageIndex, categories: first.categories.length ? first.categories : ['none'], note: first.note });
    const kept = await value<ApiResponse<'study.label'>>(A, 'study.label', { studyId: studyA, annotator: first.annotator, imageIndex: first.imageIndex, categories: first.categories.length ? first.categories : ['none'] });
    expect(kept).toMatchObject({ labeled: 60, label: { note: first.note } });
    // what an annotator reopens: their own labels only
    const mine = await value<ApiResponse<'study.items'>>(A, 'study.items', { studyId: studyA, annotator: 'ann-2' });
    expect(mine.labeled).toBe(60);
    const ann2 = labels.filter((l) => l.annotator === 'ann-2');
    expect(mine.items.map((i) => i.label?.categories)).toEqual(mine.items.map((i) => {
      const l = ann2.find((x) => x.imageIndex === i.imageIndex);
      return l?.categories.length ? l.categories : ['none'];
    }));
    const list = await value<ApiResponse<'study.list'>>(A, 'study.list', {});
    expect(list[0]?.progress).toEqual([
      { annotator: 'ann-1', labeled: 60, total: 60 },
      { annotator: 'ann-2', labeled: 60, total: 60 },
    ]);
    // refused: an image outside the study, an unknown category, none with another, a bad annotator
    const outside = [...Array(1000).keys()].find((i) => !mine.items.some((x) => x.imageIndex === i));
    expect((await call(A, 'study.label', { studyId: studyA, annotator: 'ann-1', imageIndex: outside, categories: ['none'] })).json.error).toBe(`image ${outside} is not in study ${studyA}`);
    expect((await call(A, 'study.label', { studyId: studyA, annotator: 'ann-1', imageIndex: first.imageIndex, categories: ['shiny'] })).json.error).toMatch(/^unknown category 'shiny'/);
    expect((await call(A, 'study.label', { studyId: studyA, annotator: 'ann-1', imageIndex: first.imageIndex, categories: ['none', 'noisy'] })).status).toBe(400);
    expect((await call(A, 'study.label', { studyId: studyA, annotator: ' ', imageIndex: first.imageIndex, categories: ['none'] })).status).toBe(400);
    expect((await call(A, 'study.label', { studyId: 99, annotator: 'ann-1', imageIndex: first.imageIndex, categories: ['none'] })).json.error).toBe('no study 99');
  });

  it('merges the other machine through export study and study import-labels', async () => {
    const exported = path.join(dir, 'ann-3.csv');
    await ok(['--db', B.file, 'export', 'study', '--format', 'csv', '--out', exported]);
    expect(await ok(['--db', A.file, 'study', 'import-labels', exported])).toMatch(/45 labels read from 1 files: 45 new/);
    // The same table through export.file (a download in browser mode).
    const offer = await value<ApiResponse<'export.file'>>(A, 'export.file', { table: 'study', studyId: studyA, format: 'csv' });
    expect(offer).toEqual({ outcome: 'download', url: `/download/export?table=study&format=csv&studyId=${studyA}`, fileName: `pie-audit-synthetic-study${studyA}.csv` });
    if (offer.outcome !== 'download') return;
    const response = await fetch(`http://127.0.0.1:${A.server.port}${offer.url}`, { headers: { Authorization: `Bearer ${A.server.token}` } });
    expect(response.status).toBe(200);
    const rows = csvRows(await response.text());
    expect(rows).toHaveLength(165);
    expect(rows.every((r) => r.is_pie === '')).toBe(true);
  });

  it('reports what the reference computed independently, with no PIE flag while blind', async () => {
    const report = await value<ApiResponse<'study.report'>>(A, 'study.report', { studyId: studyA });
    const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'study', 'reference.json'), 'utf8')) as Record<string, unknown>;
    expect(report.annotators).toEqual(['ann-1', 'ann-2', 'ann-3']);
    expect([report.n_pies, report.n_controls, report.pies_labeled, report.controls_labeled, report.blind]).toEqual([30, 30, 30, 30, true]);
    const close = (a: unknown, b: unknown, what: string): void => {
      if (b === null) expect(a, what).toBeNull();
      else expect(Math.abs(Number(a) - Number(b)), `${what}: ${String(a)} vs ${String(b)}`).toBeLessThanOrEqual(1e-9);
    };
    const categories = report.categories as unknown as Record<string, unknown>[];
    const expected = reference.categories as Record<string, unknown>[];
    expect(categories.map((c) => c.name)).toEqual(expected.map((c) => c.name));
    categories.forEach((c, i) => {
      const e = expected[i] ?? {};
      for (const key of ['pie_count', 'control_count']) expect(c[key], `${String(c.name)} ${key}`).toBe(e[key]);
      for (const key of ['pie_share', 'control_share', 'ratio', 'fisher_p', 'fleiss_kappa', 'krippendorff_alpha']) close(c[key], e[key], `${String(c.name)} ${key}`);
      for (const key of ['pie_ci', 'control_ci']) {
        close((c[key] as number[])[0], (e[key] as number[])[0], `${String(c.name)} ${key} low`);
        close((c[key] as number[])[1], (e[key] as number[])[1], `${String(c.name)} ${key} high`);
      }
    });
    close(report.overall.krippendorff_alpha, (reference.overall as { krippendorff_alpha: number }).krippendorff_alpha, 'overall alpha');
    expect(JSON.stringify(report)).not.toMatch(/is_pie/);
  });

  it('unblinds: the report and the export then carry is_pie', async () => {
    const unblinded = await value<ApiResponse<'study.unblind'>>(A, 'study.unblind', { studyId: studyA });
    expect(unblinded.blind).toBe(false);
    const report = await value<ApiResponse<'study.report'>>(A, 'study.report', { studyId: studyA });
    expect(report.consensus).toHaveLength(60);
    expect(report.consensus.filter((c) => c.is_pie === true)).toHaveLength(30);
    // study items stay free of the PIE flag even then
    expect(JSON.stringify(await value(A, 'study.items', { studyId: studyA, annotator: 'ann-1' }))).not.toMatch(/is_pie|isPie/);
    const response = await fetch(`http://127.0.0.1:${A.server.port}/download/export?table=study&format=json&studyId=${studyA}`, { headers: { Authorization: `Bearer ${A.server.token}` } });
    const rows = (await response.json()) as { image_index: number; is_pie: number | null }[];
    expect(rows).toHaveLength(165);
    // Every row's flag is the one the Python reference recomputed from the population.
    const reference = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'study', 'reference.json'), 'utf8')) as { pie_images: number[]; control_images: number[] };
    const expectedFlag = new Map([...reference.pie_images.map((i) => [i, 1] as const), ...reference.control_images.map((i) => [i, 0] as const)]);
    for (const row of rows) expect(row.is_pie, `image ${row.image_index}`).toBe(expectedFlag.get(row.image_index));
    const consensusPies = report.consensus.filter((c) => c.is_pie === true).map((c) => c.image_index).sort((a, b) => a - b);
    expect(consensusPies).toEqual(reference.pie_images);
  });
});
