/**
 * TrainingState: the run table from the database and the train.* events (quantized
 * models, a model cut off by Cancel, a late message after the end), Resume with the
 * start's worker count, and fields only the class writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrainingState } from '../../src-renderer/src/lib/training.svelte.ts';
import { BridgeDouble, settle } from './bridge-double.ts';

const model = (id: number, variant: string, method: string, status: string, epochs: number | null = 6) => ({
  id,
  variant,
  method,
  targetSparsity: 0,
  measuredSparsity: null,
  seed: id,
  arch: 'mlp',
  backend: null,
  epochs,
  top1: status === 'done' ? 0.85 : null,
  status,
  startedAt: status === 'done' ? '2026-01-01T00:00:00.000Z' : null,
  finishedAt: status === 'done' ? '2026-01-01T00:00:30.000Z' : null,
});

const progress = (modelId: number, step: number) => ({ type: 'train.progress' as const, modelId, variant: 'dense', seed: modelId, epoch: 1, epochs: 6, step, steps: 10, loss: 0.5, accuracy: 0.8 });

describe('TrainingState', () => {
  const bridge = new BridgeDouble();
  beforeEach(() => bridge.install());
  afterEach(() => {
    bridge.uninstall();
    bridge.calls.length = 0;
  });

  async function started(workers: number | undefined): Promise<TrainingState> {
    const state = new TrainingState();
    const start = state.start({ dataset: 'fashion-mnist', preset: 'quick', ...(workers === undefined ? {} : { workers }) });
    expect(state.busy).toBe(true);
    bridge.take('train.start').answer({ started: true, experimentId: 7 });
    await settle();
    bridge.take('experiments.models').answer([model(1, 'dense', 'dense', 'pending'), model(2, 'dense', 'dense', 'pending'), model(3, 'int8', 'int8', 'pending', 1)]);
    expect(await start).toBe(true);
    return state;
  }

  it('loads the run table from the database: quantized copies marked, the worker count kept for Resume', async () => {
    const state = await started(1);
    expect(state.running).toBe(true);
    expect(state.busy).toBe(false);
    expect(state.experimentId).toBe(7);
    expect(state.workers).toBe(1);
    expect(state.models.map((m) => [m.modelId, m.quantized, m.status])).toEqual([
      [1, false, 'pending'],
      [2, false, 'pending'],
      [3, true, 'pending'],
    ]);
  });

  it('marks the model cut off by Cancel as cancelled with nothing kept, and ignores a message that arrives after the end', async () => {
    const state = await started(1);
    state.handleEvent(progress(1, 5));
    expect(state.models[0]).toMatchObject({ status: 'running', fraction: 0.5, accuracy: 0.8 });
    state.handleEvent({ type: 'train.finished', experimentId: 7, done: 0, failed: 0, cancelled: true, seconds: 3 });
    expect(state.running).toBe(false);
    expect(state.outcome).toEqual({ experimentId: 7, done: 0, failed: 0, cancelled: true, seconds: 3 });
    expect(state.models[0]).toMatchObject({ status: 'pending', cancelled: true, fraction: 0, accuracy: null });
    state.handleEvent(progress(2, 3));
    expect(state.models[1]).toMatchObject({ status: 'pending', fraction: 0 });
  });

  it('resumes with the worker count the run was started with, and reloads the table from the database', async () => {
    const state = await started(1);
    state.handleEvent({ type: 'train.finished', experimentId: 7, done: 0, failed: 0, cancelled: true, seconds: 3 });
    const resume = state.resume(7);
    const sent = bridge.take('train.resume');
    expect(sent.payload).toEqual({ experimentId: 7, workers: 1 });
    sent.answer({ started: true, experimentId: 7 });
    await settle();
    bridge.take('experiments.models').answer([model(1, 'dense', 'dense', 'done'), model(2, 'dense', 'dense', 'pending'), model(3, 'int8', 'int8', 'pending', 1)]);
    expect(await resume).toBe(true);
    expect(state.running).toBe(true);
    expect(state.models.map((m) => [m.status, m.cancelled])).toEqual([
      ['done', false],
      ['pending', false],
      ['pending', false],
    ]);
  });

  it('resumes without a worker count when the page never started the run (the server keeps it)', async () => {
    const state = new TrainingState();
    void state.resume(7);
    expect(bridge.take('train.resume').payload).toEqual({ experimentId: 7 });
  });

  it('counts done, failed and the overall share from the events', async () => {
    const state = await started(undefined);
    state.handleEvent({ type: 'train.model-done', modelId: 1, variant: 'dense', seed: 1, top1: 0.86, measuredSparsity: 0, seconds: 20 });
    state.handleEvent({ type: 'train.model-failed', modelId: 3, variant: 'int8', message: 'no dense weights' });
    state.handleEvent(progress(2, 5));
    expect(state.overall).toMatchObject({ done: 1, failed: 1, total: 3 });
    expect(state.overall.fraction).toBeCloseTo((1 + 1 + 0.5) / 3, 10);
    expect(state.models[2]).toMatchObject({ status: 'failed', message: 'no dense weights' });
  });

  it('shows a start that the server refused, and lets it be dismissed', async () => {
    const state = new TrainingState();
    const start = state.start({ dataset: 'nope', preset: 'quick' });
    bridge.take('train.start').fail("no dataset named 'nope'");
    expect(await start).toBe(false);
    expect(state.running).toBe(false);
    expect(state.error).toBe("no dataset named 'nope'");
    state.dismissError();
    expect(state.error).toBeNull();
  });

  it('exposes no field another module can write', () => {
    const state = new TrainingState();
    for (const field of ['running', 'experimentId', 'backend', 'models', 'busy', 'error', 'outcome', 'workers', 'overall']) {
      expect(Reflect.set(state, field, null), field).toBe(false);
    }
  });
});
