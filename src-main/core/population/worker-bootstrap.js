// Entry of a training worker thread. The worker's code is TypeScript when run from
// the sources (tsx registers a loader for this thread) and JavaScript when built.
import { workerData } from 'node:worker_threads';

const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(entry);
