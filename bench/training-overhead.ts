import os from 'node:os';
import type { Db } from '../src-main/core/db/database.js';
import { loadSplit, normalisationOf, normalise } from '../src-main/core/training/data.js';
import { predict } from '../src-main/core/training/evaluate.js';
import { trainModel } from '../src-main/core/training/trainer.js';
import { matMulFloor } from './floors.js';

interface Timing {
  wall: number;
  cpu: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

function timed(fn: () => void | Promise<void>): Promise<Timing> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  return Promise.resolve(fn()).then(() => {
    const cpu = process.cpuUsage(cpuStarted);
    return { wall: (performance.now() - started) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
  });
}

/**
 * The overhead around the products (issue 16, point 2): the one-epoch MLP job (LeNet-300-100,
 * Adam 1e-3, batch 128, one thread, test predictions included) against its matrix products
 * alone (matMulFloor), in interleaved repetitions (job then floor, floor then job, ...) so
 * that a change in the machine's load falls on both; medians in CPU and wall-clock time.
 */
export async function benchTrainingOverhead(db: Db, datasetId: number, backend: string, repetitions = 5): Promise<void> {
  const train = loadSplit(db, datasetId, 'train');
  const test = loadSplit(db, datasetId, 'test');
  const norm = normalisationOf(train.pixels);
  const x = normalise(train.pixels, norm);
  const testX = normalise(test.pixels, norm);
  let top1 = NaN;
  const job = (): Promise<Timing> =>
    timed(async () => {
      const result = await trainModel({ arch: 'mlp', seed: 1, epochs: 1, batchSize: 128, learningRate: 1e-3, targetSparsity: 0 }, { x, labels: train.labels, count: train.count, input: train.input, numClasses: 10 });
      top1 = predict('mlp', result.weights, testX, test.labels, test.input, 10).top1;
    });
  const floor = (): Promise<Timing> => Promise.resolve(matMulFloor(train.count, test.count));
  const jobs: Timing[] = [];
  const floors: Timing[] = [];
  const load: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    load.push(os.loadavg()[0] ?? NaN);
    if (r % 2 === 0) {
      jobs.push(await job());
      floors.push(await floor());
    } else {
      floors.push(await floor());
      jobs.push(await job());
    }
  }
  const pairs = jobs.map((j, i) => `${j.cpu.toFixed(2)}/${(floors[i]?.cpu ?? NaN).toFixed(2)}`).join(', ');
  const cpuRatio = median(jobs.map((j) => j.cpu)) / median(floors.map((f) => f.cpu));
  const wallRatio = median(jobs.map((j) => j.wall)) / median(floors.map((f) => f.wall));
  const pairRatio = median(jobs.map((j, i) => j.cpu / (floors[i]?.cpu ?? NaN)));
  console.log(
    `training job over its products (${backend}, ${repetitions} interleaved repetitions, load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}; top-1 ${top1.toFixed(4)}): ` +
      `job ${median(jobs.map((j) => j.cpu)).toFixed(2)} s CPU / ${median(jobs.map((j) => j.wall)).toFixed(2)} s wall, ` +
      `products ${median(floors.map((f) => f.cpu)).toFixed(2)} s CPU / ${median(floors.map((f) => f.wall)).toFixed(2)} s wall (medians); ` +
      `job / products ${cpuRatio.toFixed(2)} CPU, ${wallRatio.toFixed(2)} wall, median of the pairs ${pairRatio.toFixed(2)} (target <= 1.3)`,
  );
  console.log(`  job/products CPU seconds per repetition: ${pairs}`);
}
