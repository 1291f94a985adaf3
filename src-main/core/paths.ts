import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const APP_FOLDER = 'pie-audit';

/** The app's data folder, by the OS's convention (the same one Electron's userData uses). */
export function dataFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIE_AUDIT_DATA_DIR) return env.PIE_AUDIT_DATA_DIR;
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_FOLDER);
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), APP_FOLDER);
  }
}

/** Where downloaded dataset files are kept between runs. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIE_AUDIT_CACHE_DIR) return env.PIE_AUDIT_CACHE_DIR;
  if (process.platform === 'linux') {
    return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), APP_FOLDER);
  }
  return path.join(dataFolder(env), 'cache');
}

/** The database used when neither --db nor PIE_AUDIT_DB is given. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIE_AUDIT_DB ?? path.join(dataFolder(env), 'pie-audit.db');
}

let root: string | undefined;

/**
 * The package's root folder (the one holding db/ and package.json). Found by walking
 * up from this module, so it works from src-main (tsx), from out/ (built) and inside
 * a packaged app.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'db', '001_initial.sql')) && fs.existsSync(path.join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('PIE Audit: cannot find the package root (db/ migrations missing)');
    dir = parent;
  }
}
