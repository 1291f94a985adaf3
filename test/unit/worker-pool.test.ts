import { describe, expect, it } from 'vitest';
import { runWorkerPool, type WorkerReply } from '../../src-main/core/workers/pool.js';

/** A job: `batches` 0 runs until the stop flag is raised, -1 fails at once. */
interface Job {
  id: string;
  batches: number;
}
interface Message {
  type: 'ready' | 'progress' | 'done' | 'failed' | 'stopped';
  id?: string;
}

const WORKER = new URL('../fixtures/pool/batch-worker.mjs', import.meta.url);

/** Runs the jobs with a graceful stop and records, in order, every job started and every message handled. */
function run(jobs: Job[], options: { size: number; onMessage?: (m: Message, log: string[]) => void; signal?: AbortSignal }) {
  const stop = new SharedArrayBuffer(4);
  const queue = [...jobs];
  const log: string[] = [];
  const pool = runWorkerPool<Job, Message>({
    bootstrap: WORKER,
    workerData: { stop },
    size: options.size,
    signal: options.signal,
    stop: { raise: () => Atomics.store(new Int32Array(stop), 0, 1) },
    nextReady: () => queue.shift(),
    start: (job) => {
      log.push(`start ${job.id}`);
      return { type: 'job', job };
    },
    onMessage: (message): WorkerReply => {
      if (message.type !== 'ready') log.push(`${message.type} ${message.id}`);
      options.onMessage?.(message, log);
      if (message.type === 'ready') return 'ready';
      if (message.type === 'progress') return 'busy';
      if (message.type === 'stopped') return 'stopped';
      if (message.type === 'failed') throw new Error(`job ${message.id} failed`);
      return 'finished';
    },
    workerError: (error) => error,
  });
  return { pool, log };
}

describe('worker pool with a graceful stop', () => {
  it('runs every job and ends when none is left', async () => {
    const { pool, log } = run([{ id: 'a', batches: 2 }, { id: 'b', batches: 2 }, { id: 'c', batches: 1 }], { size: 2 });
    await expect(pool).resolves.toEqual({ cancelled: false });
    expect(log.filter((l) => l.startsWith('done')).sort()).toEqual(['done a', 'done b', 'done c']);
  });

  it('on cancel hands out no more jobs and ends only once the running job has stopped', async () => {
    const controller = new AbortController();
    const { pool, log } = run([{ id: 'endless', batches: 0 }, { id: 'never', batches: 1 }], {
      size: 1,
      signal: controller.signal,
      onMessage: (m) => {
        if (m.type === 'progress') controller.abort();
      },
    });
    await expect(pool).resolves.toEqual({ cancelled: true });
    // the worker was not terminated mid-job: its answer came before the pool ended
    expect(log).toEqual(['start endless', 'progress endless', 'stopped endless']);
  });

  it('on a failed job raises the flag, waits for the others, then rejects with the first error', async () => {
    const { pool, log } = run([{ id: 'endless', batches: 0 }, { id: 'bad', batches: -1 }, { id: 'never', batches: 1 }], { size: 2 });
    await expect(pool).rejects.toThrow('job bad failed');
    expect(log).toContain('stopped endless');
    expect(log.indexOf('stopped endless')).toBeGreaterThan(log.indexOf('failed bad'));
    expect(log).not.toContain('start never');
  });
});
