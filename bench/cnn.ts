import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openDatabase, type Db } from '../src-main/core/db/database.js';
import { addKnownIdxDataset } from '../src-main/core/datasets/add.js';
import { FASHION_MNIST } from '../src-main/core/datasets/known.js';
import { findDataset } from '../src-main/core/datasets/store.js';
import { trainPopulation } from '../src-main/core/population/train.js';
import { experimentModelRows } from '../src-main/core/sql/models.js';
import { selectBackend } from '../src-main/core/training/backend.js';
import { loadSplit, normalisationOf, normalise } from '../src-main/core/training/data.js';
import { trainModel } from '../src-main/core/training/trainer.js';

const PYTHON = '/usr/bin/python3';
const HERE = path.dirname(new URL(import.meta.url).pathname);
const BATCH = 128;

type Shape = number[];
/** One product of a training step: a convolution (stride 1, 'valid', input already padded) or a plain matMul. */
type Product = { kind: 'conv'; x: Shape; kernel: Shape } | { kind: 'matMul'; a: Shape; b: Shape };

/**
 * The products of one LeNet-5 training step as PIE Audit computes them (batch b):
 * forward conv1 (28x28 padded to 32x32, 1 -> 6) and conv2 (14x14, 6 -> 16) in XNNPACK,
 * the three dense layers; backward the two filter gradients (the input, batch and
 * channels swapped, convolved by the output gradient), conv2's input gradient (the
 * padded output gradient convolved by the rotated kernel), and the dense layers' dW
 * and dX (dense1's dX feeds conv2).
 */
function lenet5Step(b: number): Product[] {
  return [
    { kind: 'conv', x: [b, 32, 32, 1], kernel: [5, 5, 1, 6] },
    { kind: 'conv', x: [b, 14, 14, 6], kernel: [5, 5, 6, 16] },
    { kind: 'matMul', a: [b, 400], b: [400, 120] },
    { kind: 'matMul', a: [b, 120], b: [120, 84] },
    { kind: 'matMul', a: [b, 84], b: [84, 10] },
    { kind: 'conv', x: [1, 32, 32, b], kernel: [28, 28, b, 6] },
    { kind: 'conv', x: [6, 14, 14, b], kernel: [10, 10, b, 16] },
    { kind: 'conv', x: [b, 18, 18, 16], kernel: [5, 5, 16, 6] },
    { kind: 'matMul', a: [400, b], b: [b, 120] },
    { kind: 'matMul', a: [120, b], b: [b, 84] },
    { kind: 'matMul', a: [84, b], b: [b, 10] },
    { kind: 'matMul', a: [b, 120], b: [120, 400] },
    { kind: 'matMul', a: [b, 84], b: [84, 120] },
    { kind: 'matMul', a: [b, 10], b: [10, 84] },
  ];
}

/**
 * Seconds of this thread's CPU time for the products alone of training LeNet-5 on
 * `images` images, measured as the MLP's floor is: every product gets fresh operands
 * (the weights change every step), the time to make them is measured apart and
 * subtracted.
 */
export function lenet5ProductsFloorSeconds(images: number): number {
  const steps = Math.ceil(images / BATCH);
  const products = lenet5Step(BATCH);
  const data = new Map<string, Float32Array>();
  const operand = (shape: Shape): tf.Tensor => {
    const key = shape.join('x');
    let values = data.get(key);
    if (!values) {
      values = Float32Array.from({ length: shape.reduce((p, n) => p * n, 1) }, () => Math.random() * 2 - 1);
      data.set(key, values);
    }
    return tf.tensor(values, shape);
  };
  const step = (compute: boolean): void =>
    tf.tidy(() => {
      for (const p of products) {
        if (p.kind === 'conv') {
          const x = operand(p.x) as tf.Tensor4D;
          const kernel = operand(p.kernel) as tf.Tensor4D;
          if (compute) tf.conv2d(x, kernel, 1, 'valid');
        } else {
          const a = operand(p.a) as tf.Tensor2D;
          const b = operand(p.b) as tf.Tensor2D;
          if (compute) tf.matMul(a, b);
        }
      }
    });
  const cpu = (compute: boolean): number => {
    const started = process.cpuUsage();
    for (let i = 0; i < steps; i++) step(compute);
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1e6;
  };
  for (let i = 0; i < 3; i++) step(true); // warm-up
  return Math.max(0, cpu(true) - cpu(false));
}

function pythonHasTorch(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * LeNet-5 training on the selected backend (WASM where tfjs-node is absent), one
 * thread, one pass over the first `images` training images of Fashion-MNIST, against
 * PyTorch's same network, and the floor of its products.
 */
export async function benchCnnTraining(db: Db, datasetId: number, folder: string, images: number): Promise<void> {
  const { name: backend } = await selectBackend();
  const train = loadSplit(db, datasetId, 'train', images);
  const x = normalise(train.pixels, normalisationOf(train.pixels));
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await trainModel({ arch: 'cnn', seed: 1, epochs: 1, batchSize: BATCH, learningRate: 1e-3, targetSparsity: 0 }, { x, labels: train.labels, count: train.count, input: train.input, numClasses: 10 });
  const cpuUsed = process.cpuUsage(cpuStarted);
  const ours = (performance.now() - started) / 1000;
  const oursCpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  const rate = (seconds: number): string => Math.round(train.count / seconds).toLocaleString('en');
  let line = `CNN training (LeNet-5, batch 128, one thread, ${train.count.toLocaleString('en')} images): ours ${rate(ours)} images/s on ${backend} (${ours.toFixed(1)} s, CPU ${oursCpu.toFixed(1)} s)`;
  let torchSeconds: number | undefined;
  if (!pythonHasTorch()) line += '; PyTorch peer: python3-torch is not installed';
  else {
    const torch = JSON.parse(execFileSync(PYTHON, [path.join(HERE, 'peers', 'torch_lenet5.py'), folder, String(train.count)], { encoding: 'utf8' })) as { seconds: number; cpu_seconds: number; torch: string };
    torchSeconds = torch.cpu_seconds;
    line += `; PyTorch ${torch.torch} ${rate(torch.seconds)} images/s (${torch.seconds.toFixed(1)} s, CPU ${torch.cpu_seconds.toFixed(1)} s); ours / PyTorch = ${(ours / torch.seconds).toFixed(2)}, in CPU time ${(oursCpu / torch.cpu_seconds).toFixed(2)}`;
  }
  console.log(line);
  const floor = lenet5ProductsFloorSeconds(train.count);
  const versusTorch = torchSeconds === undefined ? '' : `, ${(floor / torchSeconds).toFixed(2)} x PyTorch's whole job in CPU time`;
  console.log(`  floor on ${backend}: its convolutions and matrix products alone take ${floor.toFixed(1)} s of CPU (${((floor / oursCpu) * 100).toFixed(0)}% of ours${versusTorch})`);
}

/** Issue 16's target for the `quick` population with `--arch cnn`: the dense models' mean top-1. */
const DENSE_TOP1_TARGET = 0.89;

/**
 * The `quick` preset with `--arch cnn` (16 trained models and 4 int8 copies, its own
 * recipe, all cores), as `pie-audit train` runs it: wall and CPU time (this process
 * and its workers), each variant's top-1 and the dense mean against the target.
 */
export async function benchCnnQuickPopulation(db: Db, file: string): Promise<void> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const outcome = await trainPopulation(db, file, { dataset: 'fashion-mnist', preset: 'quick', overrides: { arch: 'cnn' } });
  const cpu = process.cpuUsage(cpuStarted);
  const wall = (performance.now() - started) / 1000;
  const rows = experimentModelRows(db, outcome.experimentId);
  const variants = [...new Set(rows.map((r) => r.variant))].map((variant) => {
    const top1 = rows.filter((r) => r.variant === variant).map((r) => r.top1 ?? NaN);
    return { variant, top1, mean: top1.reduce((a, b) => a + b, 0) / top1.length };
  });
  const dense = variants.find((v) => v.variant === 'dense');
  const c = outcome.config;
  console.log(
    `preset quick --arch cnn (Adam ${c.learningRate}, ${c.learningRateSchedule ?? 'constant'}): ${outcome.done} models in ${wall.toFixed(1)} s on ${outcome.backend}, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; mean top-1 ${variants.map((v) => `${v.variant} ${v.mean.toFixed(4)}`).join(', ')}`,
  );
  console.log(`  dense top-1 ${dense?.top1.map((t) => t.toFixed(4)).join(', ')}: mean ${dense?.mean.toFixed(4)}, target ${DENSE_TOP1_TARGET} ${(dense?.mean ?? 0) >= DENSE_TOP1_TARGET ? 'reached' : 'NOT reached'}`);
}

/**
 * The CNN part of `npm run bench`: one epoch of Fashion-MNIST and the `quick` population
 * with `--arch cnn` (about half an hour on two quiet cores), or 6,400 images and no
 * population with --fast.
 */
export async function benchCnn(dir: string, options: { fast: boolean }): Promise<void> {
  const file = path.join(dir, 'cnn.db');
  const db = openDatabase(file);
  try {
    try {
      await addKnownIdxDataset(db, 'fashion-mnist', { cacheDir: path.join(dir, 'cache'), systemFolders: undefined });
    } catch (error) {
      console.log(`CNN training bench skipped: Fashion-MNIST unavailable (${(error as Error).message})`);
      return;
    }
    await benchCnnTraining(db, findDataset(db, 'fashion-mnist').id, FASHION_MNIST.systemFolders[0] ?? '', options.fast ? 6_400 : 60_000);
    if (options.fast) console.log('preset quick --arch cnn: skipped (--fast)');
    else await benchCnnQuickPopulation(db, file);
  } finally {
    db.close();
  }
}
