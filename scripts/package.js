#!/usr/bin/env node
// npm run package [-- linux|mac|win] [electron-builder options]: the installable app.
//
//   1. `npm run build` (out/main with the training worker, out/preload, out/renderer).
//   2. electron-builder with electron-builder.yml for this OS: AppImage and deb on Linux,
//      dmg on macOS, an NSIS installer on Windows, into release/. Other OSes are refused:
//      node_modules holds native modules (better-sqlite3, sharp's @img/sharp-<os>-<arch>)
//      for this OS only, so a package for another OS would not start.
//      electron-builder downloads Electron and rebuilds better-sqlite3 for Electron's ABI
//      (its published Electron build, else a compile against Electron's headers). Both need
//      the network: without it this fails, with one line saying why.
//   3. That rebuild happens in node_modules, and a failed one deletes the module's build/.
//      Node-side commands (the CLI, tests, browser mode) need the Node build, so each native
//      module's build output is saved before and put back afterwards, success or not.
//
// electron-builder's full output goes to release/package.log; its progress lines are shown.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmRunBuild } from './npm-build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const PLATFORMS = { linux: 'linux', mac: 'darwin', win: 'win32' };
const NAMES = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' };
const REQUIRED_OUTPUT = [
  'out/main/index.js',
  'out/main/worker.js',
  'out/main/worker-bootstrap.js',
  'out/preload/preload.cjs',
  'out/renderer/index.html',
];

const args = process.argv.slice(2);
const target = Object.hasOwn(PLATFORMS, args[0] ?? '') ? args.shift() : hostTarget();
const builderArgs = args;

if (!target) fail(`packaging on ${process.platform} is not supported (Linux, macOS or Windows only)`);
if (PLATFORMS[target] !== process.platform) {
  fail(
    `cannot package for ${NAMES[PLATFORMS[target]]} on ${NAMES[process.platform] ?? process.platform}: ` +
      `node_modules holds native modules (better-sqlite3, sharp) built for ${NAMES[process.platform] ?? process.platform}; ` +
      `run npm run package on ${NAMES[PLATFORMS[target]]}`,
  );
}
let builderCli;
try {
  builderCli = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
} catch {
  fail('electron-builder is not installed: run npm install');
}
const electronVersion = readJson(path.join(root, 'node_modules', 'electron', 'package.json'))?.version ?? '(unknown)';

build();
const missing = REQUIRED_OUTPUT.filter((file) => !fs.existsSync(path.join(root, file)));
if (missing.length > 0) fail(`the build did not produce ${missing.join(', ')}`);

const saved = saveNativeBuilds();
let restored = false;
const restore = () => {
  if (restored) return;
  restored = true;
  restoreNativeBuilds(saved);
};
process.on('exit', restore);
runBuilder();

function hostTarget() {
  return Object.keys(PLATFORMS).find((key) => PLATFORMS[key] === process.platform);
}

function build() {
  const why = npmRunBuild(root, 'inherit');
  if (why) fail(`npm run build failed (${why})`);
}

/** Packages in node_modules that @electron/rebuild rebuilds: those with a binding.gyp. */
function nativePackages() {
  const nodeModules = path.join(root, 'node_modules');
  const found = [];
  const visit = (dir) => {
    for (const entry of safeReaddir(dir)) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.startsWith('@')) visit(full);
      else {
        if (fs.existsSync(path.join(full, 'binding.gyp'))) found.push(full);
        if (fs.existsSync(path.join(full, 'node_modules'))) visit(path.join(full, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return found;
}

/** Copies each native package's build/ and its other *.node files to a temporary folder. */
function saveNativeBuilds() {
  const backup = fs.mkdtempSync(path.join(os.tmpdir(), 'pie-audit-native-'));
  const entries = [];
  for (const pkg of nativePackages()) {
    const files = [];
    if (fs.existsSync(path.join(pkg, 'build'))) files.push('build');
    for (const file of walk(pkg, (name) => name !== 'node_modules' && name !== 'build')) {
      if (file.endsWith('.node')) files.push(path.relative(pkg, file));
    }
    for (const file of files) {
      fs.cpSync(path.join(pkg, file), path.join(backup, path.relative(root, pkg), file), { recursive: true, preserveTimestamps: true });
    }
    entries.push({ pkg, files });
  }
  return { backup, entries };
}

function restoreNativeBuilds({ backup, entries }) {
  for (const { pkg, files } of entries) {
    for (const file of files) {
      const target = path.join(pkg, file);
      fs.rmSync(target, { recursive: true, force: true });
      fs.cpSync(path.join(backup, path.relative(root, pkg), file), target, { recursive: true, preserveTimestamps: true });
    }
  }
  fs.rmSync(backup, { recursive: true, force: true });
  if (entries.length > 0) {
    const names = entries.map(({ pkg }) => path.relative(path.join(root, 'node_modules'), pkg)).join(', ');
    process.stderr.write(`package: restored the Node builds of ${names} in node_modules\n`);
  }
}

function runBuilder() {
  const platformFlag = { linux: '--linux', mac: '--mac', win: '--win' }[target];
  const logDir = path.join(root, 'release');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'package.log');
  const log = fs.createWriteStream(logFile);
  // npm passes its config to scripts as npm_config_* variables. A "nodedir" (Debian's npm
  // sets /usr) makes node-gyp compile against Node's headers instead of Electron's, without
  // a word: the app would then fail to load better-sqlite3. Those that pick the headers go.
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)) delete env[key];
  }
  const child = spawn(process.execPath, [builderCli, platformFlag, '--publish', 'never', ...builderArgs], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  const onData = (chunk) => {
    const text = chunk.toString('utf8');
    log.write(text);
    output += text;
    pending += text;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      // Progress lines only; errors are summed up below, stack traces stay in the log.
      if (/^\s*•/.test(line)) process.stdout.write(`${line}\n`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    restore();
    fail(`cannot start electron-builder: ${error.message}`);
  });
  child.on('close', (code, signal) => {
    log.end();
    restore();
    if (code === 0) {
      const artifacts = safeReaddir(logDir)
        .filter((entry) => entry.isFile() && /\.(AppImage|deb|dmg|exe)$/.test(entry.name))
        .map((entry) => path.join('release', entry.name));
      process.stdout.write(`package: done${artifacts.length ? `: ${artifacts.join(', ')}` : ''}\n`);
      process.exitCode = 0;
      return;
    }
    const reason = signal ? `stopped by ${signal}` : builderError(output);
    const network = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network connectivity|getaddrinfo|socket hang up/i.test(output);
    process.stderr.write(`package: electron-builder failed: ${reason}\n`);
    if (network) {
      process.stderr.write(
        `package: packaging downloads Electron ${electronVersion} and better-sqlite3's build for it ` +
          '(from github.com, else Electron\'s headers from electronjs.org to compile it); this machine cannot reach them. ' +
          'Run it where those downloads work.\n',
      );
    }
    process.stderr.write(`package: full output in ${path.relative(root, logFile)}\n`);
    process.exitCode = 1;
  });
}

/** The first error electron-builder reported (its "⨯" lines), without the stack trace. */
function builderError(output) {
  const lines = output.split('\n');
  for (const line of lines) {
    const match = /^\s*⨯\s*(.*)$/.exec(line);
    if (!match) continue;
    const text = (match[1] ?? '').replace(/\s+(failedTask|stackTrace)=.*$/, '').trim();
    if (text) return text.slice(0, 300);
  }
  const error = lines.find((line) => /^\s*(\w*Error)\b/.test(line));
  return (error ?? lines.filter((line) => line.trim()).at(-1) ?? 'unknown error').trim().slice(0, 300);
}

function* walk(dir, descend) {
  for (const entry of safeReaddir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (descend(entry.name)) yield* walk(full, descend);
    } else if (entry.isFile()) yield full;
  }
}

function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function fail(message) {
  process.stderr.write(`package: ${message}\n`);
  process.exit(1);
}
