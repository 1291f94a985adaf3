/**
 * Writers keep the stored analysis current (issue 15): after a predictions import, a
 * training run, an evaluation and a models import, the analysis is read through a
 * read-only handle (which cannot write) and through the real commands that read
 * (`report --json`, `export pies`), the database file stays byte-identical, and what
 * is read equals a recomputation from scratch on a copy of the file. The API service's
 * results methods (which take the explicit step for stale databases) write nothing either.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { analysisIsCurrent, ensureAnalysis } from '../../src-main/core/analysis/analyse.js';
import { experimentReport } from '../../src-main/core/analysis/report.js';
import { ApiService } from '../../src-main/core/api/service.js';
import { openDatabase } from '../../src-main/core/db/database.js';
import { classImpactRows, pieRows } from '../../src-main/core/export/analysis-tables.js';
import { LONG_COLUMNS, longRows, trueLabels, writeCsv, type LongModel } from '../fixtures/import/predictions.js';
import { runCli } from '../helpers/cli.js';
import { dbSnapshot, requireFashionMnist, runsOnFashionMnist, tempDir, writeLearnableMnistFolder } from '../helpers/data.js';
import { MODEL_FIXTURES, reference, writeFashionMnistHead } from '../helpers/models.js';

/** Values as the CLI's JSON carries them (NaN -> null). */
const plain = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

interface Read {
  report: unknown;
  pies: unknown;
  classes: unknown;
}

/** The analysis as the read-only handle sees it; the file must not change. */
function readOnly(file: string, experimentId: number): Read {
  const before = dbSnapshot(file);
  const db = openDatabase(file, { readonly: true });
  let read: Read;
  try {
    expect(analysisIsCurrent(db, experimentId)).toBe(true);
    read = {
      report: plain(experimentReport(db, experimentId, { shift: true })),
      pies: plain([...pieRows(db, experimentId)]),
      classes: plain([...classImpactRows(db, experimentId)]),
    };
  } finally {
    db.close();
  }
  expect(dbSnapshot(file)).toBe(before);
  return read;
}

/** The same, computed again from the predictions on a copy (stored analysis and shift metrics dropped first). */
function recomputed(file: string, experimentId: number): Read {
  const copy = `${file}.copy-${Date.now()}`;
  const source = new Database(file, { readonly: true });
  try {
    source.prepare('VACUUM INTO ?').run(copy);
  } finally {
    source.close();
  }
  const raw = new Database(copy);
  raw.prepare('DELETE FROM shift_analysis').run();
  raw.close();
  const db = openDatabase(copy);
  try {
    expect(ensureAnalysis(db, experimentId, { force: true }).recomputed).toBe(true);
    return {
      report: plain(experimentReport(db, experimentId, { shift: true })),
      pies: plain([...pieRows(db, experimentId)]),
      classes: plain([...classImpactRows(db, experimentId)]),
    };
  } finally {
    db.close();
    fs.rmSync(copy, { force: true });
  }
}

/** The app's results methods through the API service on a writable handle: they answer, and the file stays as it was. */
async function serviceReads(file: string, experimentId: number, report: unknown): Promise<void> {
  const before = dbSnapshot(file);
  const db = openDatabase(file);
  try {
    const service = new ApiService(db, { databasePath: file, carrier: 'http' });
    const answer = await service.call('report.get', { experimentId });
    expect(answer.ok && plain(answer.value)).toEqual({ ...(report as object), shift: [], variants: (report as { variants: object[] }).variants.map((v) => ({ ...v, mce: null })) });
    for (const method of ['classes.impact', 'pies.list', 'shift.get']) expect((await service.call(method, { experimentId })).ok, method).toBe(true);
  } finally {
    db.close();
  }
  expect(dbSnapshot(file)).toBe(before);
}

/** After a writer: read-only reads equal a recomputation, and the commands that read leave the file as it was. */
async function expectCurrent(file: string, experimentId: number, dir: string): Promise<Read> {
  const read = readOnly(file, experimentId);
  expect(read).toEqual(recomputed(file, experimentId));
  await serviceReads(file, experimentId, read.report);
  const before = dbSnapshot(file);
  const report = await runCli(['--db', file, 'report', '--json', '--experiment', String(experimentId)]);
  expect(report.code, report.stderr).toBe(0);
  expect(JSON.parse(report.stdout)).toEqual(read.report);
  const out = path.join(dir, `pies-${experimentId}.json`);
  const exported = await runCli(['--db', file, 'export', 'pies', '--experiment', String(experimentId), '--format', 'json', '--out', out]);
  expect(exported.code, exported.stderr).toBe(0);
  expect(dbSnapshot(file)).toBe(before);
  return read;
}

function storedShiftRows(file: string, experimentId: number): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM shift_analysis WHERE experiment_id = ?').pluck().get(experimentId) as number;
  } finally {
    db.close();
  }
}

const experimentOf = (stdout: string): number => Number(/experiment (\d+)/.exec(stdout)?.[1]);

describe('writers keep the stored analysis current, so reading never writes', () => {
  it('after a predictions import', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'import.db');
    const models: LongModel[] = [
      ...[1, 2, 3].map((seed) => ({ id: `d${seed}`, variant: 'dense', sparsity: 0, seed })),
      ...[1, 2, 3].map((seed) => ({ id: `p${seed}`, variant: 'magnitude-0.9', sparsity: 0.9, seed })),
    ];
    const csv = writeCsv(path.join(dir, 'p.csv'), LONG_COLUMNS, longRows(models, trueLabels(12)));
    const result = await runCli(['--db', file, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'labels-only', csv]);
    expect(result.code, result.stderr).toBe(0);
    const read = await expectCurrent(file, experimentOf(result.stdout), dir);
    expect((read.pies as unknown[]).length).toBe(12);
  });

  it('after a training run and after an evaluation (the shift metrics stored too)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'train.db');
    const source = path.join(dir, 'toy');
    fs.mkdirSync(source);
    writeLearnableMnistFolder(source, 400, 60);
    expect((await runCli(['--db', file, 'datasets', 'add', 'mnist', '--name', 'toy', '--from', source])).code).toBe(0);
    const trained = await runCli(['--db', file, 'train', '--dataset', 'toy', '--preset', 'smoke', '--models', '2', '--epochs', '1', '--workers', '1']);
    expect(trained.code, trained.stderr).toBe(0);
    const experimentId = 1;
    await expectCurrent(file, experimentId, dir);

    const evaluated = await runCli(['--db', file, 'evaluate', '--corruptions', 'identity,shot_noise', '--severities', '1']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(storedShiftRows(file, experimentId)).toBe(1);
    const read = await expectCurrent(file, experimentId, dir);
    const shift = (read.report as { shift: { eval_set: string }[] }).shift;
    expect(new Set(shift.map((r) => r.eval_set))).toEqual(new Set(['identity:1', 'shot_noise:1']));
  }, 600_000);

  it.runIf(runsOnFashionMnist)('after a models import', async () => {
    requireFashionMnist();
    const dir = tempDir();
    const file = path.join(dir, 'models.db');
    const head = writeFashionMnistHead(dir, reference().images);
    expect((await runCli(['--db', file, 'datasets', 'add', 'idx', '--name', 'fm', '--images', head.images, '--labels', head.labels])).code).toBe(0);
    const result = await runCli(['--db', file, 'models', 'import', '--dataset', 'fm', '--manifest', path.join(MODEL_FIXTURES, 'mlp.manifest.json'), '--workers', '1']);
    expect(result.code, result.stderr).toBe(0);
    await expectCurrent(file, experimentOf(result.stdout), dir);
  }, 300_000);
});
