import { Worker } from 'node:worker_threads';

/** What a worker's message meant for the pool. */
export type WorkerReply =
  /** The worker has loaded and waits for a job. */
  | 'ready'
  /** The worker is still on its job (progress). */
  | 'busy'
  /** The worker finished its job (done or failed) and waits for the next. */
  | 'finished';

export interface PoolOptions<Job, Message> {
  /** The worker threads' bootstrap file and the data each is started with. */
  bootstrap: URL;
  workerData: unknown;
  /** How many workers to start (at least 1). */
  size: number;
  /**
   * The ready-job picker: takes the next job that can start now off the caller's queue,
   * or gives undefined when none can (the queue is empty, or what is left waits for a
   * job still running). The pool ends when nothing is running and none is ready.
   */
  nextReady: () => Job | undefined;
  /** Marks the job as started and gives the message that hands it to a worker. */
  start: (job: Job) => unknown;
  /**
   * Handles a worker's message (saves a result, reports progress) and says what it meant.
   * A throw (a user error a worker reported, a failed write) stops the pool with that error.
   */
  onMessage: (message: Message) => WorkerReply;
  /** The error a crashed worker stops the pool with. */
  workerError: (error: Error) => Error;
  signal?: AbortSignal;
}

/**
 * Runs jobs in worker threads, one job per worker at a time, handing out ready jobs as
 * workers come free; resolves when no job is running and none is ready, or at once when
 * the signal aborts (`cancelled`: true). Messages that arrive after the pool has ended
 * are ignored, so a cancelled run writes nothing more.
 */
export function runWorkerPool<Job, Message>(options: PoolOptions<Job, Message>): Promise<{ cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const idle: Worker[] = [];
    let active = 0;
    let settled = false;
    let cancelled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve({ cancelled });
    };
    const pump = (): void => {
      while (idle.length > 0) {
        const job = options.nextReady();
        if (job === undefined) break;
        const worker = idle.pop() as Worker;
        active++;
        worker.postMessage(options.start(job));
      }
      if (active === 0) {
        for (const w of workers) w.postMessage({ type: 'exit' });
        finish();
      }
    };
    if (options.signal?.aborted) {
      cancelled = true;
      finish();
      return;
    }
    options.signal?.addEventListener('abort', () => {
      cancelled = true;
      finish();
    });
    for (let i = 0; i < Math.max(1, options.size); i++) {
      const worker = new Worker(options.bootstrap, { workerData: options.workerData });
      workers.push(worker);
      worker.on('message', (message: Message) => {
        if (settled) return;
        try {
          const reply = options.onMessage(message);
          if (reply === 'busy') return;
          if (reply === 'finished') active--;
          idle.push(worker);
          pump();
        } catch (error) {
          finish(error instanceof Error ? error : new Error(String(error)));
        }
      });
      worker.on('error', (error) => finish(options.workerError(error)));
    }
  });
}
