import { spawnSync } from 'node:child_process';
import { ROOT } from './cli.js';

/**
 * Whether the optional @tensorflow/tfjs-node loads on this machine (its native library
 * downloads at install on most users' machines, not everywhere). Checked in a child
 * process, as the product loads it, so a failed native load cannot disturb the tests.
 */
export const tfjsNodeLoads: boolean =
  spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { cwd: ROOT, stdio: 'ignore' }).status === 0;
