import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { UserError, errorMessage } from '../errors.js';

import { BACKENDS, type BackendName } from './backend-names.js';

export { BACKENDS, type BackendName };

const requireOptional = createRequire(import.meta.url);

/**
 * Loads a TensorFlow.js backend: the one asked for, or the best that loads here
 * (tfjs-node, then WASM, then the plain CPU backend). Returns the name in use.
 */
export async function selectBackend(preferred?: BackendName): Promise<{ name: BackendName; notes: string[] }> {
  const notes: string[] = [];
  const order = preferred ? [preferred] : BACKENDS;
  for (const name of order) {
    try {
      if (name === 'tfjs-node') {
        // Optional dependency: absent where its native library could not be downloaded.
        requireOptional('@tensorflow/tfjs-node');
        if (!(await tf.setBackend('tensorflow'))) throw new Error('did not initialise');
      } else if (name === 'wasm') {
        await import('@tensorflow/tfjs-backend-wasm');
        if (!(await tf.setBackend('wasm'))) throw new Error('did not initialise');
      } else if (!(await tf.setBackend('cpu'))) {
        throw new Error('did not initialise');
      }
      await tf.ready();
      return { name, notes };
    } catch (error) {
      const raw = error instanceof Error ? error.message : String(error);
      const reason = (raw.split('\n')[0] ?? errorMessage(error)).trim() || 'failed';
      notes.push(`${name} unavailable (${reason.slice(0, 160)})`);
      if (preferred) throw new UserError(`backend ${name} cannot be used here: ${reason.slice(0, 200)}`);
    }
  }
  throw new UserError(`no TensorFlow.js backend could start: ${notes.join('; ')}`);
}
