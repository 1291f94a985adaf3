import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BIN, ROOT, runCli, type CliResult } from './cli.js';
import { writeLearnableMnistFolder } from './data.js';

/**
 * Many hands on one database (issue 17, item 1), shared by the test that checks nothing
 * is lost and the bench part that reports label latency: annotators label over HTTP,
 * split over two `pie-audit serve` processes on the same file (two app instances),
 * while the command line trains a population and imports a large prediction file into
 * that file. Real processes throughout.
 */

export interface ManyHandsOptions {
  dir: string;
  /** Label calls in all (each annotator makes an equal share), undos included. */
  labels: number;
  annotators: number;
  /** Test images of the dataset (the images labeled). */
  testImages: number;
  /** Copies of the trained population in the imported file (4 models each). */
  importCopies: number;
}

export interface LabelCall {
  annotator: string;
  imageIndex: number;
  status: number;
  /** What the server said is stored (null: no label); undefined when the call failed. */
  stored?: string[] | null;
  error?: string;
  ms: number;
  undo: boolean;
}

export interface ManyHandsOutcome {
  database: string;
  experimentId: number;
  calls: LabelCall[];
  /** Per annotator: image -> the categories last acknowledged (null: removed). */
  acknowledged: Map<string, Map<number, string[] | null>>;
  train: CliResult;
  importResult: CliResult;
  servers: number;
  importRows: number;
}

export interface Server {
  child: ChildProcess;
  origin: string;
  token: string;
}

export function startServer(db: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0'], { cwd: ROOT, env: { ...process.env, PIE_AUDIT_DB: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) {
        const url = new URL(line.trim());
        resolve({ child, origin: url.origin, token: url.searchParams.get('token') ?? '' });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}

/** The trained population's predictions, copied `copies` times under new model ids and seeds. */
function writeImportFile(exported: string, out: string, copies: number): number {
  const lines = fs.readFileSync(exported, 'utf8').trim().split('\n');
  const header = lines[0] ?? '';
  const columns = header.split(',');
  const modelCol = columns.indexOf('model_id');
  const seedCol = columns.indexOf('seed');
  const rows = lines.slice(1).map((l) => l.split(','));
  const fd = fs.openSync(out, 'w');
  let count = 0;
  try {
    fs.writeSync(fd, `${header}\n`);
    for (let k = 1; k <= copies; k++) {
      const chunk = rows.map((cells) => cells.map((c, i) => (i === modelCol || i === seedCol ? String(Number(c) + k * 100_000) : c)).join(',')).join('\n');
      fs.writeSync(fd, `${chunk}\n`);
      count += rows.length;
    }
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

const CHOICES: string[][] = [['atypical'], ['noisy', 'mislabeled'], ['none'], ['fine-grained'], ['multiple-objects', 'abstract'], ['mislabeled']];

async function annotate(server: Server, annotator: string, experimentId: number, count: number, images: number, seed: number, calls: LabelCall[], acknowledged: Map<number, string[] | null>): Promise<void> {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  // What each image held before this annotator's latest change to it, for undo.
  const history: { imageIndex: number; before: string[] | null }[] = [];
  for (let n = 0; n < count; n++) {
    const undo = n % 5 === 4 && history.length > 0;
    let imageIndex: number;
    let categories: string[];
    if (undo) {
      const last = history.pop();
      imageIndex = last?.imageIndex ?? 0;
      categories = last?.before ?? [];
    } else {
      imageIndex = next() % images;
      categories = CHOICES[next() % CHOICES.length] ?? ['none'];
      history.push({ imageIndex, before: acknowledged.get(imageIndex) ?? null });
    }
    const started = performance.now();
    let call: LabelCall;
    try {
      const response = await fetch(`${server.origin}/api/labels.set`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ experimentId, imageIndex, categories, annotator }),
      });
      const json = (await response.json()) as { value?: { label: { categories: string[] } | null }; error?: unknown };
      const ms = performance.now() - started;
      if (response.status === 200 && json.value) {
        const stored = json.value.label?.categories ?? null;
        acknowledged.set(imageIndex, stored);
        call = { annotator, imageIndex, status: 200, stored, ms, undo };
      } else {
        call = { annotator, imageIndex, status: response.status, error: JSON.stringify(json), ms, undo };
      }
    } catch (error) {
      call = { annotator, imageIndex, status: 0, error: String(error), ms: performance.now() - started, undo };
    }
    calls.push(call);
  }
}

/** Prepares the database: a learnable dataset and a trained smoke population (experiment 1). */
export async function prepareManyHands(options: ManyHandsOptions): Promise<{ database: string; importFile: string; importRows: number }> {
  const data = path.join(options.dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  writeLearnableMnistFolder(data, 300, options.testImages);
  const database = path.join(options.dir, 'many-hands.db');
  const must = async (args: string[]): Promise<void> => {
    const result = await runCli(['--db', database, ...args]);
    if (result.code !== 0) throw new Error(`pie-audit ${args.join(' ')}: ${result.stderr}`);
  };
  await must(['datasets', 'add', 'mnist', '--name', 'tiny', '--from', data]);
  await must(['train', '--dataset', 'tiny', '--preset', 'smoke', '--train-limit', '300', '--workers', '1', '--seed', '1', '--backend', 'wasm']);
  const exported = path.join(options.dir, 'exported.csv');
  await must(['export', 'predictions', '--format', 'csv', '--out', exported, '--experiment', '1']);
  const importFile = path.join(options.dir, 'import.csv');
  const importRows = writeImportFile(exported, importFile, options.importCopies);
  return { database, importFile, importRows };
}

/** Runs the load: two servers, the annotators split over them, a training run and an import beside. */
export async function runManyHands(options: ManyHandsOptions): Promise<ManyHandsOutcome> {
  const { database, importFile, importRows } = await prepareManyHands(options);
  const experimentId = 1;
  const servers = [await startServer(database), await startServer(database)];
  try {
    const train = runCli(['--db', database, 'train', '--dataset', 'tiny', '--preset', 'smoke', '--models', '4', '--train-limit', '300', '--workers', '1', '--seed', '50', '--backend', 'wasm']);
    const importResult = runCli(['--db', database, 'import', 'predictions', '--format', 'long-csv', '--dataset', 'tiny', importFile]);
    const calls: LabelCall[] = [];
    const acknowledged = new Map<string, Map<number, string[] | null>>();
    const perAnnotator = Math.floor(options.labels / options.annotators);
    await Promise.all(
      Array.from({ length: options.annotators }, (_, a) => {
        const name = `annotator-${a + 1}`;
        const mine = new Map<number, string[] | null>();
        acknowledged.set(name, mine);
        const server = servers[a % servers.length] as Server;
        return annotate(server, name, experimentId, perAnnotator, options.testImages, 1000 + a, calls, mine);
      }),
    );
    return { database, experimentId, calls, acknowledged, train: await train, importResult: await importResult, servers: servers.length, importRows };
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

/** The q-quantile (0..1) of values, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
