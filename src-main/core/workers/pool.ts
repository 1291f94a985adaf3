import { Worker } from 'node:worker_threads';

/** What a worker's message meant for the pool. */
export type WorkerReply =
  /** The worker has loaded and waits for a job. */
  | 'ready'
  /** The worker is still on its job (progress). */
  | 'busy'
  /** The worker finished its job (done or failed) and waits for the next. */
  | 'finished'
  /** The worker gave up its job because the stop flag was raised, and waits. */
  | 'stopped';

/** A flag every worker reads between batches (a SharedArrayBuffer): raised, they give up their jobs. */
export interface StopFlag {
  raise(): void;
}

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
   * A throw (a user error a worker reported, a failed write) stops the pool with that error;
   * with `stop`, the message that threw counts as the end of its worker's job.
   */
  onMessage: (message: Message) => WorkerReply;
  /** The error a crashed worker stops the pool with. */
  workerError: (error: Error) => Error;
  signal?: AbortSignal;
  /**
   * A graceful stop, for workers that must not be terminated mid-job (inside an ONNX
   * Runtime call that aborts the whole process). On cancel or on a throw no job is handed
   * out any more, the flag is raised, and the pool ends only once every running job has
   * answered (finished or stopped); messages until then are still handled. Without it the
   * pool ends at once and terminates its workers wherever they are.
   */
  stop?: StopFlag;
}

/**
 * Runs jobs in worker threads, one job per worker at a time, handing out ready jobs as
 * workers come free; resolves when no job is running and none is ready, or on cancel
 * (`cancelled`: true): at once, or with `stop` once the running jobs have answered.
 * Messages that arrive after the pool has ended are ignored, so a cancelled run writes
 * nothing more.
 */
export function runWorkerPool<Job, Message>(options: PoolOptions<Job, Message>): Promise<{ cancelled: boolean }> {
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const idle: Worker[] = [];
    // the workers on a job: a Set, so a message that throws ends its worker's job at most once
    const busy = new Set<Worker>();
    let settled = false;
    let cancelled = false;
    let stopping = false;
    // the first error wins: a later crash does not hide the model that stopped the run
    let failure: Error | undefined;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      failure ??= error;
      for (const w of workers) void w.terminate();
      if (failure) reject(failure);
      else resolve({ cancelled });
    };
    /** Cancel or error: at once, or, with a stop flag, once no job is running. */
    const halt = (error?: Error): void => {
      if (!options.stop) return finish(error);
      failure ??= error;
      if (!stopping) options.stop.raise();
      stopping = true;
      if (busy.size === 0) finish();
    };
    const pump = (): void => {
      while (idle.length > 0 && !stopping) {
        const job = options.nextReady();
        if (job === undefined) break;
        const worker = idle.pop() as Worker;
        busy.add(worker);
        worker.postMessage(options.start(job));
      }
      if (busy.size === 0) {
        if (!stopping) for (const w of workers) w.postMessage({ type: 'exit' });
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
      halt();
    });
    for (let i = 0; i < Math.max(1, options.size); i++) {
      const worker = new Worker(options.bootstrap, { workerData: options.workerData });
      workers.push(worker);
      worker.on('message', (message: Message) => {
        if (settled) return;
        let reply: WorkerReply;
        try {
          reply = options.onMessage(message);
        } catch (error) {
          busy.delete(worker);
          halt(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (reply === 'busy') return;
        if (reply === 'finished' || reply === 'stopped') busy.delete(worker);
        idle.push(worker);
        pump();
      });
      worker.on('error', (error) => finish(options.workerError(error)));
    }
  });
}
