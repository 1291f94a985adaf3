/**
 * `npm start` where Electron cannot start: it says why on one line, falls back to
 * browser mode (`pie-audit serve`), prints the URL on stdout, and that URL serves the
 * built renderer with the token; SIGTERM stops the whole chain. Linux only: there the
 * test can take the display away, so Electron cannot start whether or not its binary is
 * installed (on macOS and Windows an installed Electron would open a window).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

describe.runIf(process.platform === 'linux')('npm start without a display (Linux)', () => {
  it('falls back to browser mode, prints the URL, serves the renderer, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', PIE_AUDIT_DB: undefined, PIE_AUDIT_MODE: undefined };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // Its own process group, so SIGTERM reaches npm and start.js, which forwards it to the server.
    const child = spawn(npm, ['start', '--', '--db', path.join(dir, 'start.db')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let url = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const line = stdout.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
          if (line) resolve(line.trim());
        });
        void exited.then((code) => reject(new Error(`npm start exited (${code}) before printing a URL:\n${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
      expect(stderr).toMatch(/^Electron cannot start here \(.+\); starting browser mode instead$/m);
      expect(stderr).toContain('Open this address in your browser');
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>PIE Audit<\/title>/);
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    }
    await exited;
    await expect(fetch(url)).rejects.toThrow(); // the server went with it
  });
});
