// `npm run build` for the scripts that build before they run (start.js, package.js).
import { spawnSync } from 'node:child_process';

/**
 * Runs `npm run build` in `root` with the npm that runs this script (npm_execpath), or
 * `npm` from PATH. `stdout` is where the build's output (stdout and stderr) goes ('inherit' or a
 * descriptor; start.js sends it to stderr so its own stdout carries only the URL).
 * Returns undefined on success, else the reason it failed.
 */
export function npmRunBuild(root, stdout) {
  const npmCli = process.env.npm_execpath;
  const [command, commandArgs] =
    npmCli && /\.[cm]?js$/.test(npmCli) ? [process.execPath, [npmCli, 'run', 'build']] : ['npm', ['run', 'build']];
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: ['ignore', stdout, stdout],
    shell: process.platform === 'win32' && command === 'npm',
  });
  if (result.error) return result.error.message;
  if (result.status !== 0) return `exit code ${result.status ?? result.signal}`;
  return undefined;
}
