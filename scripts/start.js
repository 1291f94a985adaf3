#!/usr/bin/env node
// npm start: build, then run the desktop app, or browser mode where Electron cannot run.
//
//   1. `npm run build` (electron-vite: out/main, out/preload, out/renderer). Its output
//      goes to stderr, so stdout carries only the app's own lines (the URL).
//   2. Can Electron start? require('electron') returns the binary's path, or throws when
//      the binary was never downloaded (npm 11 blocks electron's postinstall here, see
//      "allowScripts" in package.json). If it is missing, one download attempt with a
//      short timeout. On Linux a display is needed too. Electron also needs
//      better-sqlite3 built for its own ABI: that build is fetched into
//      out/node_modules, where only the Electron main (out/main) finds it, so Node-side
//      commands keep the Node build.
//   3. Electron: spawn it on the package (package.json "main" = out/main/index.js).
//      Otherwise: one line saying why, then `pie-audit serve` (browser mode), whose
//      URL line is forwarded to stdout.
//
// Arguments after `npm start --` go to `pie-audit serve` in browser mode (e.g. --port,
// --db). --browser skips Electron. The environment (PIE_AUDIT_DB, ...) passes through.
// SIGINT/SIGTERM/SIGHUP are forwarded once to the child; the exit code is the child's.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmRunBuild } from './npm-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const DOWNLOAD_TIMEOUT_MS = Number(process.env.PIE_AUDIT_ELECTRON_DOWNLOAD_TIMEOUT_MS ?? 45_000);

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser') || process.env.PIE_AUDIT_MODE === 'browser';
const serveArgs = args.filter((a) => a !== '--browser');

build();
const electron = forceBrowser ? { ok: false, reason: 'browser mode requested' } : electronStatus();
if (electron.ok) runElectron(electron.path);
else {
  process.stderr.write(`Electron cannot start here (${electron.reason}); starting browser mode instead\n`);
  runBrowserMode();
}

function build() {
  const why = npmRunBuild(root, 2);
  if (why) {
    process.stderr.write(`pie-audit: npm run build failed (${why})\n`);
    process.exit(1);
  }
}

/** { ok: true, path } when Electron can start, else { ok: false, reason }. */
function electronStatus() {
  let binary = electronBinary();
  if (!binary.ok && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    process.stderr.write(`Electron binary missing (${binary.reason}); trying to download it once...\n`);
    const install = spawnSync(process.execPath, [path.join(root, 'node_modules', 'electron', 'install.js')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: DOWNLOAD_TIMEOUT_MS,
      encoding: 'utf8',
    });
    binary = electronBinary();
    if (!binary.ok) {
      const why = install.error?.code === 'ETIMEDOUT' ? `download timed out after ${DOWNLOAD_TIMEOUT_MS / 1000} s` : lastLine(install.stderr) || 'download failed';
      return { ok: false, reason: `no Electron binary: ${why}` };
    }
  }
  if (!binary.ok) return binary;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'no display: DISPLAY and WAYLAND_DISPLAY are unset' };
  }
  const native = electronNativeModules();
  if (!native.ok) return native;
  return binary;
}

function electronBinary() {
  try {
    const binary = require('electron');
    if (typeof binary !== 'string' || !fs.existsSync(binary)) return { ok: false, reason: `${binary} does not exist` };
    return { ok: true, path: binary };
  } catch (error) {
    return { ok: false, reason: oneLine(error) };
  }
}

/**
 * better-sqlite3 talks to V8 directly, so Electron (another ABI) needs its own build.
 * It goes to out/node_modules/better-sqlite3: resolved first from out/main/index.js,
 * invisible to Node-side commands. prebuild-install fetches the published Electron build.
 */
function electronNativeModules() {
  const electronVersion = require('electron/package.json').version;
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')).version;
  const target = path.join(root, 'out', 'node_modules', 'better-sqlite3');
  const stamp = path.join(target, '.pie-audit-electron');
  const wanted = `better-sqlite3 ${sqliteVersion} for electron ${electronVersion} ${process.platform}-${process.arch}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return { ok: true };

  process.stderr.write(`Fetching ${wanted}...\n`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'lib', 'binding.gyp']) {
    fs.cpSync(path.join(source, entry), path.join(target, entry), { recursive: true });
  }
  const prebuild = path.join(path.dirname(require.resolve('prebuild-install/package.json')), 'bin.js');
  const result = spawnSync(
    process.execPath,
    [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform],
    { cwd: target, stdio: ['ignore', 'ignore', 'pipe'], timeout: DOWNLOAD_TIMEOUT_MS, encoding: 'utf8' },
  );
  if (result.status !== 0 || !fs.existsSync(path.join(target, 'build', 'Release', 'better_sqlite3.node'))) {
    fs.rmSync(target, { recursive: true, force: true });
    const why = result.error?.code === 'ETIMEDOUT' ? 'timed out' : lastLine(result.stderr) || `exit code ${result.status}`;
    return { ok: false, reason: `no better-sqlite3 build for Electron ${electronVersion}: ${why}` };
  }
  fs.writeFileSync(stamp, wanted);
  return { ok: true };
}

function runElectron(binary) {
  if (!fs.existsSync(path.join(root, 'out', 'main', 'index.js'))) {
    process.stderr.write('pie-audit: out/main/index.js is missing after the build\n');
    process.exit(1);
  }
  // The desktop app reads its database from PIE_AUDIT_DB; honour `npm start -- --db FILE`.
  const db = optionValue(serveArgs, '--db');
  const env = db ? { ...process.env, PIE_AUDIT_DB: path.resolve(db) } : process.env;
  const child = spawn(binary, [root], { cwd: root, stdio: 'inherit', env });
  supervise(child);
}

function runBrowserMode() {
  const cli = path.join(root, 'bin', 'pie-audit.js');
  // Own process group: a terminal's Ctrl+C reaches only this script, which forwards it
  // once, instead of the server receiving it twice (the second would kill it mid-close).
  const child = spawn(process.execPath, [cli, 'serve', ...serveArgs], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: process.platform !== 'win32',
  });
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.startsWith('http://127.0.0.1:')) process.stderr.write('Open this address in your browser (Ctrl+C stops the server):\n');
      process.stdout.write(`${line}\n`);
    }
  });
  child.stdout.on('end', () => {
    if (pending) process.stdout.write(pending);
  });
  supervise(child);
}

/** Forwards signals to the child, exits with its status, never leaves it behind. */
function supervise(child) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  child.on('error', (error) => {
    process.stderr.write(`pie-audit: cannot start ${child.spawnfile}: ${oneLine(error)}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

function optionValue(list, name) {
  for (let i = 0; i < list.length; i++) {
    if (list[i] === name) return list[i + 1];
    if (list[i].startsWith(`${name}=`)) return list[i].slice(name.length + 1);
  }
  return undefined;
}

function oneLine(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The error line of a child's stderr (e.g. "RequestError: getaddrinfo ENOTFOUND github.com"). */
function lastLine(text) {
  const lines = String(text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /^(\w*Error|ERR!?|prebuild-install (warn|err))\b/i.test(l));
  return oneLine(error ?? lines.at(-1) ?? '').slice(0, 200);
}
