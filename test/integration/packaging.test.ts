/**
 * Issue 5: packaging for Linux (AppImage, deb), macOS (dmg) and Windows (NSIS) with the
 * native modules unpacked. electron-builder cannot run to the end here (it downloads
 * Electron), so the configuration is checked with electron-builder's own code instead:
 *
 * - electron-builder.yml through its loader (getConfig) and its JSON-schema validator;
 * - which files go into the app and which are unpacked from app.asar, through the same
 *   file matchers electron-builder packs with, against the real build output (out/, from
 *   `npm run build`, which `npm test` runs first) and the real node_modules tree;
 * - the built main bundle and training worker import only production dependencies (the
 *   only ones electron-builder ships), and the worker starts from out/main;
 * - the afterPack guard (scripts/after-pack.js) that rejects a packed app whose native
 *   modules were not rebuilt for Electron;
 * - scripts/package.js refuses to package for another OS, in one line.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Configuration, PlatformSpecificBuildOptions } from 'app-builder-lib';
import type { FileMatcher, GetFileMatchersOptions } from 'app-builder-lib/out/fileMatcher.js';
import type { SharedSplit, WorkerOptions } from '../../src-main/core/population/jobs.js';
import type { ModelWorkerOptions } from '../../src-main/core/models/jobs.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/data.js';

const require = createRequire(import.meta.url);
// app-builder-lib is electron-builder's own library: resolve it from there.
const builderRequire = createRequire(require.resolve('electron-builder/package.json'));
// ...and the minimatch that app-builder-lib matches file patterns with.
const libRequire = createRequire(builderRequire.resolve('app-builder-lib/package.json'));

type Filter = (file: string, stat: fs.Stats) => boolean;
interface MinimatchModule {
  Minimatch: new (pattern: string, options: { dot: boolean }) => { match(file: string): boolean };
}
interface DebugLoggerClass {
  new (isEnabled?: boolean): object;
}
interface ConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Configuration | null): Promise<Configuration>;
  validateConfiguration(config: Configuration, debugLogger: object): Promise<void>;
}
/** The matchers electron-builder packs with (the last two are internal: typed here). */
interface FileMatcherModule {
  getFileMatchers(
    config: Configuration,
    name: 'files' | 'asarUnpack',
    defaultDestination: string,
    options: GetFileMatchersOptions,
  ): FileMatcher[] | null;
  getMainFileMatchers(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: PlatformSpecificBuildOptions,
    platformPackager: PackagerLike,
    outDir: string,
    isElectronCompile: boolean,
  ): FileMatcher[];
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    macroExpander: (pattern: string) => string,
    platformSpecificBuildOptions: PlatformSpecificBuildOptions,
    packager: PackagerLike['info'],
  ): FileMatcher;
}
/** The part of a PlatformPackager that the file matchers read. */
interface PackagerLike {
  info: {
    projectDir: string;
    buildResourcesDir: string;
    isPrepackedAppAsar: boolean;
    config: Configuration;
    debugLogger: object;
  };
}
interface AfterPackModule {
  afterPack: unknown;
  nativeAbi(file: string): number | undefined;
  electronAbi(electronVersion: string): number;
  checkUnpacked(unpackedDir: string, abi: number): string[];
  IN_ASAR: string[];
}

const { getConfig, validateConfiguration } = builderRequire('app-builder-lib/out/util/config/config') as ConfigModule;
const matchers = builderRequire('app-builder-lib/out/fileMatcher') as FileMatcherModule;
const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: DebugLoggerClass };
const { isLibOrExe } = builderRequire('app-builder-lib/out/asar/unpackDetector') as { isLibOrExe(file: string): boolean };
const afterPackHook = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'after-pack.js')).href)) as AfterPackModule;

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const electronVersion = (require('electron/package.json') as { version: string }).version;
const APP_DIR_DEST = '/packaged/resources/app';
const same = (pattern: string): string => pattern;
const PLATFORMS = ['linux', 'mac', 'win'] as const;

/** Native binaries: Node addons and the shared libraries they link to. */
const NATIVE = /\.(node|dll|dylib|so(\.\d+)*)$/;
const WASM_DIST = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

let config: Configuration;

function walk(dir: string, found: string[] = []): string[] {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, found);
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');

function platformOptions(platform: (typeof PLATFORMS)[number], of: Configuration = config): PlatformSpecificBuildOptions {
  return of[platform] ?? {};
}

/** electron-builder's asarUnpack filter for one platform. */
function unpackFilter(platform: (typeof PLATFORMS)[number], of: Configuration = config): Filter {
  const found = matchers.getFileMatchers(of, 'asarUnpack', APP_DIR_DEST, {
    macroExpander: same,
    customBuildOptions: platformOptions(platform, of),
    globalOutDir: path.join(ROOT, 'release'),
    defaultSrc: ROOT,
  });
  const first = found?.[0];
  if (!first) throw new Error('asarUnpack is empty');
  return first.createFilter() as Filter;
}

function packagerLike(of: Configuration): PackagerLike {
  return {
    info: {
      projectDir: ROOT,
      buildResourcesDir: of.directories?.buildResources ?? 'build',
      isPrepackedAppAsar: false,
      config: of,
      debugLogger: new DebugLogger(false),
    },
  };
}

/** electron-builder's filter of the app's own files (everything but node_modules). */
function appFilesFilter(platform: (typeof PLATFORMS)[number]): Filter {
  const found = matchers.getMainFileMatchers(ROOT, APP_DIR_DEST, same, platformOptions(platform), packagerLike(config), path.join(ROOT, 'release'), false);
  expect(found).toHaveLength(1);
  const first = found[0];
  if (!first) throw new Error('no file matcher');
  return first.createFilter() as Filter;
}

/** electron-builder's filter of files inside node_modules packages (expander: its ${arch}-style macros). */
function nodeModulesFilter(platform: (typeof PLATFORMS)[number], expander: (pattern: string) => string = same): Filter {
  const matcher = matchers.getNodeModuleFileMatcher(ROOT, APP_DIR_DEST, expander, platformOptions(platform), packagerLike(config).info);
  return matcher.createFilter() as Filter;
}

/** A plain file's stat, for the package-layout paths of a module not installed here. */
const FILE_STAT = Object.assign(new fs.Stats(), { mode: 0o100644 });
const passes = (filter: Filter, file: string): boolean => filter(file, fs.existsSync(file) ? fs.statSync(file) : FILE_STAT);

beforeAll(async () => {
  config = await getConfig(ROOT, null, null);
});

describe('electron-builder configuration', () => {
  it('is electron-builder.yml and passes electron-builder’s schema validation', async () => {
    expect(fs.existsSync(path.join(ROOT, 'electron-builder.yml'))).toBe(true);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator is live: a misspelt option fails it.
    const misspelt = { ...config, asarUnpak: config.asarUnpack } as Configuration;
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });

  it('names the app and builds AppImage and deb, dmg, and an NSIS installer', () => {
    expect(config.appId).toMatch(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/);
    expect(config.productName).toBe('PIE Audit');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Science');
    expect(config.linux?.maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(config.linux?.executableName).toBe('pie-audit');
    expect(config.mac?.target).toEqual(['dmg']);
    expect(['public.app-category.education', 'public.app-category.developer-tools']).toContain(config.mac?.category);
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.publish).toBeNull();
    // The .deb needs a project URL: package.json has none, extraMetadata supplies it.
    expect((config.extraMetadata as { homepage?: string } | undefined)?.homepage).toMatch(/^https:\/\//);
  });

  it('has the resources it names: icon (at least 512 px, for the .icns), entitlements allowing JIT', () => {
    const icon = path.join(ROOT, String(config.icon));
    const png = fs.readFileSync(icon);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512); // IHDR width
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512); // IHDR height
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      const plist = fs.readFileSync(path.join(ROOT, String(file)), 'utf8');
      expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
      expect(plist).toContain('<key>com.apple.security.cs.disable-library-validation</key>');
    }
    expect(config.directories?.output).toBe('release');
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^release\/$/m);
  });

  it('rebuilds native modules for Electron when packaging, never at npm install', () => {
    expect(config.npmRebuild).not.toBe(false);
    expect(config.buildDependenciesFromSource).not.toBe(true);
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook]).toBeUndefined();
    expect(pkg.allowScripts?.electron).toBe(false);
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.dependencies['electron-builder']).toBeUndefined();
    expect(pkg.scripts.package).toBe('node scripts/package.js');
    expect(pkg.scripts.build).toBe('electron-vite build -c electron.config.ts');
    expect(typeof config.afterPack).toBe('string');
    expect(path.resolve(ROOT, String(config.afterPack))).toBe(path.join(ROOT, 'scripts', 'after-pack.js'));
    expect(typeof afterPackHook.afterPack).toBe('function');
  });

  it('electron-builder loads the afterPack hook as the guard function', async () => {
    const { resolveFunction } = builderRequire('app-builder-lib/out/util/resolve') as {
      resolveFunction(type: string | undefined, executor: unknown, name: string, rootSearchDir: string): Promise<unknown>;
    };
    const cwd = process.cwd();
    process.chdir(ROOT); // electron-builder resolves "./" hooks from the working directory
    try {
      // Loaded by electron-builder itself (require, else import): not the instance vitest loaded.
      const hook = await resolveFunction('module', config.afterPack, 'afterPack', ROOT);
      expect(typeof hook).toBe('function');
      expect((hook as { name: string }).name).toBe('afterPack');
    } finally {
      process.chdir(cwd);
    }
  });
});

const TFJS_NODE = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node');
/**
 * tfjs-node's native files: those installed here, or, where it is absent (its install
 * downloads libtensorflow, which fails on some machines), the files its 4.x package
 * installs (addon and libtensorflow under lib/napi-v8 and deps/lib), so the unpack rule
 * is still checked against real paths. The test says which it used.
 */
const tfjsNodeInstalled = walk(TFJS_NODE).filter((f) => NATIVE.test(f));
function tfjsNodeBinaries(): string[] {
  if (tfjsNodeInstalled.length > 0) return tfjsNodeInstalled;
  return ['lib/napi-v8/tfjs_binding.node', 'lib/napi-v8/libtensorflow.so.2', 'deps/lib/libtensorflow.so.2', 'deps/lib/libtensorflow_framework.so.2', 'lib/napi-v8/tensorflow.dll', 'deps/lib/libtensorflow.2.dylib'].map((f) => path.join(TFJS_NODE, f));
}

describe('native modules and WASM binaries are unpacked from app.asar', () => {
  const groups = (): Record<string, string[]> => ({
    'better-sqlite3': walk(path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release')).filter((f) => NATIVE.test(f)),
    // sharp itself holds no native file since 0.33: its addon and libvips are the @img packages.
    // Every file of the platform packages: the addon finds libvips by a relative path.
    '@img': walk(path.join(ROOT, 'node_modules', '@img')),
    '@tensorflow/tfjs-node': tfjsNodeBinaries(),
    wasm: walk(WASM_DIST).filter((f) => f.endsWith('.wasm')),
  });

  it('finds the binaries in node_modules (this install: better-sqlite3, sharp for this OS, three .wasm)', () => {
    const found = groups();
    expect(found['better-sqlite3']?.some((f) => f.endsWith('better_sqlite3.node'))).toBe(true);
    expect(found['@img']?.some((f) => /sharp-[^/\\]+\.node$/.test(f))).toBe(true);
    expect(found['@img']?.some((f) => /libvips-cpp\./.test(path.basename(f)))).toBe(true);
    expect(found.wasm?.map((f) => path.basename(f)).sort()).toEqual([
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ]);
  });

  it.each(PLATFORMS)(`every one of them matches asarUnpack (%s; tfjs-node ${tfjsNodeInstalled.length > 0 ? 'as installed here' : 'not installed here: its package layout'})`, (platform) => {
    const filter = unpackFilter(platform);
    const shipped = nodeModulesFilter(platform);
    for (const [group, files] of Object.entries(groups())) {
      expect(files.length, `${group}: no files to check`).toBeGreaterThan(0);
      for (const file of files) {
        expect(passes(filter, file), `${group}: ${rel(file)} is not unpacked`).toBe(true);
        expect(passes(shipped, file), `${group}: ${rel(file)} is excluded from the app`).toBe(true);
      }
    }
    // ...and the rest of the WASM backend stays in the archive.
    expect(passes(filter, path.join(WASM_DIST, 'tf-backend-wasm.node.js'))).toBe(false);
  });

  it.each([
    ['linux', 'linux', 'x64'],
    ['linux', 'linux', 'arm64'],
    ['mac', 'darwin', 'arm64'],
    ['win', 'win32', 'x64'],
  ] as const)('a %s package carries onnxruntime-node only for %s %s, unpacked', (platform, os, arch) => {
    const bin = path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    // electron-builder expands ${platform} to the building machine's process.platform (packages are built on their own OS)
    const shipped = nodeModulesFilter(platform, (pattern) => pattern.replaceAll('${platform}', os).replaceAll('${arch}', arch));
    const unpack = unpackFilter(platform);
    const all = walk(bin);
    const own = all.filter((f) => rel(f).includes(`/napi-v6/${os}/${arch}/`));
    expect(own.some((f) => path.basename(f) === 'onnxruntime_binding.node')).toBe(true);
    for (const file of all) {
      const mine = own.includes(file);
      expect(passes(shipped, file), `${rel(file)} ${mine ? 'is missing from' : 'is shipped in'} the ${platform} ${arch} package`).toBe(mine);
      if (mine) expect(passes(unpack, file), `${rel(file)} is not unpacked`).toBe(true);
    }
    // the JavaScript of the binding ships everywhere
    expect(passes(shipped, path.join(ROOT, 'node_modules', 'onnxruntime-node', 'dist', 'index.js'))).toBe(true);
  });

  it('needs the explicit @img entry: smartUnpack does not see libvips (.so.<version>) as a library', () => {
    const libvips = walk(path.join(ROOT, 'node_modules', '@img')).filter((f) => /libvips-cpp\./.test(path.basename(f)));
    expect(libvips.length).toBeGreaterThan(0);
    const withoutImg = { ...config, asarUnpack: (config.asarUnpack as string[]).filter((p) => !p.includes('@img')) };
    for (const file of libvips) {
      if (process.platform === 'linux') expect(isLibOrExe(file)).toBe(false);
      expect(passes(unpackFilter('linux', withoutImg), file)).toBe(false);
    }
  });
});

describe('the app’s own files (needs npm run build)', () => {
  const main = path.join(ROOT, pkg.main);
  const outMain = path.dirname(main);

  beforeAll(() => {
    const missing = ['out/main/index.js', 'out/main/worker.js', 'out/preload/preload.cjs', 'out/renderer/index.html'].filter(
      (f) => !fs.existsSync(path.join(ROOT, f)),
    );
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first`);
  });

  it('every files entry exists, and each file the app loads is packed, source maps are not', () => {
    const patterns = (config.files as Array<{ filter?: string[] }>).flatMap((set) => set.filter ?? []);
    const positive = patterns.filter((p) => !p.startsWith('!'));
    expect(positive.length).toBeGreaterThan(0);
    const everything = [...walk(path.join(ROOT, 'out')), ...walk(path.join(ROOT, 'db')), path.join(ROOT, 'package.json')].map(rel);
    const { Minimatch } = libRequire('minimatch') as MinimatchModule;
    for (const pattern of positive) {
      const m = new Minimatch(pattern, { dot: true });
      expect(everything.some((f) => m.match(f)), `files entry ${pattern} matches nothing`).toBe(true);
    }

    const html = fs.readFileSync(path.join(ROOT, 'out', 'renderer', 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => path.join('out', 'renderer', m[1] ?? ''));
    expect(assets.length).toBeGreaterThan(0);
    const migrations = fs.readdirSync(path.join(ROOT, 'db')).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
    const loaded = [...afterPackHook.IN_ASAR, pkg.main, ...assets, ...migrations.map((f) => path.join('db', f))];
    for (const platform of PLATFORMS) {
      const filter = appFilesFilter(platform);
      for (const file of loaded) {
        const full = path.join(ROOT, file);
        expect(fs.existsSync(full), `${file} does not exist`).toBe(true);
        expect(passes(filter, full), `${file} is not packed (${platform})`).toBe(true);
      }
      expect(passes(filter, main + '.map')).toBe(false);
      expect(passes(filter, path.join(ROOT, 'src-main', 'app', 'main.ts'))).toBe(false);
      expect(passes(filter, path.join(ROOT, 'electron-builder.yml'))).toBe(false);
    }
  });

  it('the main bundle loads the worker files and the preload it is packed with', () => {
    const bundle = fs.readFileSync(main, 'utf8');
    expect(bundle).toContain('./worker-bootstrap.js');
    expect(bundle).toMatch(/`\.\/worker\$\{/); // ./worker + the bundle's own extension
    expect(bundle).toContain('preload.cjs');
    for (const file of ['worker.js', 'worker-bootstrap.js', 'model-worker.js']) expect(fs.existsSync(path.join(outMain, file))).toBe(true);
  });

  it('the built main and worker import only production dependencies', () => {
    const shipped = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    // out/main holds the entries and, under chunks/, the modules they share.
    for (const file of walk(outMain).filter((f) => f.endsWith('.js'))) {
      const code = fs.readFileSync(file, 'utf8');
      const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\b\w*[Rr]equire\w*\s*\(\s*)["']([^"'./][^"']*)["']/g;
      for (const match of code.matchAll(specifiers)) {
        const spec = match[1] ?? '';
        if (spec.startsWith('node:') || builtins.has(spec) || spec === 'electron') continue;
        const parts = spec.split('/');
        imported.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
      }
    }
    expect([...imported]).toEqual(expect.arrayContaining(['better-sqlite3', 'sharp', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node']));
    for (const name of imported) expect(shipped.has(name), `${name} is imported by out/main but not a production dependency`).toBe(true);
  });

  it('the built training worker starts from out/main and loads the WASM backend', async () => {
    const split = (): SharedSplit => ({ count: 1, height: 2, width: 2, channels: 1, numClasses: 2, x: new SharedArrayBuffer(16), labels: new SharedArrayBuffer(1) });
    const options: WorkerOptions = { backend: 'wasm', normalisation: { mean: 0, std: 1 }, train: split(), test: split() };
    const worker = new Worker(new URL('worker-bootstrap.js', pathToFileURL(outMain + path.sep)), {
      workerData: { entry: pathToFileURL(path.join(outMain, 'worker.js')).href, options },
    });
    try {
      const message = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(message).toEqual({ type: 'ready', backend: 'wasm', notes: [] });
    } finally {
      await worker.terminate();
    }
  });
});

describe('the built inference worker (needs npm run build)', () => {
  it('starts from out/main with ONNX Runtime and TensorFlow.js external', async () => {
    const outMain = path.dirname(path.join(ROOT, pkg.main));
    const options: ModelWorkerOptions = {
      input: { layout: 'nchw', channels: 1, height: 2, width: 2, scale: 1, mean: [0], std: [1] },
      output: 'logits',
      batchSize: 1,
      count: 1,
      numClasses: 2,
      pixels: new SharedArrayBuffer(4),
      labels: new SharedArrayBuffer(2), // one 16-bit label
      stop: new SharedArrayBuffer(4),
    };
    const worker = new Worker(new URL('worker-bootstrap.js', pathToFileURL(outMain + path.sep)), {
      workerData: { entry: pathToFileURL(path.join(outMain, 'model-worker.js')).href, options },
    });
    try {
      const message = await new Promise<unknown>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(message).toEqual({ type: 'ready' });
    } finally {
      await worker.terminate();
    }
    // ONNX Runtime stays a package import (its binaries are unpacked beside it), not bundled
    const code = walk(outMain).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(code).toMatch(/from\s*["']onnxruntime-node["']/);
  });
});

describe('the afterPack guard', () => {
  it('tells a Node build of better-sqlite3 (what node_modules holds) from an Electron one', () => {
    const sqlite = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    const nodeAbi = Number(process.versions.modules);
    const electronAbi = afterPackHook.electronAbi(electronVersion);
    expect(afterPackHook.nativeAbi(sqlite)).toBe(nodeAbi);
    expect(electronAbi).toBeGreaterThan(nodeAbi);

    // An app.asar.unpacked with node_modules' binaries as they are: right for Node, wrong for Electron.
    const unpacked = tempDir('pie-audit-unpacked-');
    const copy = (from: string): void => {
      const to = path.join(unpacked, path.relative(ROOT, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
    };
    copy(sqlite);
    for (const file of walk(path.join(ROOT, 'node_modules', '@img')).filter((f) => NATIVE.test(f))) copy(file);
    copy(path.join(WASM_DIST, 'tfjs-backend-wasm.wasm'));
    // N-API: the same binary serves Node and Electron (no module ABI to check)
    copy(path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'));
    try {
      expect(afterPackHook.checkUnpacked(unpacked, nodeAbi)).toEqual([]);
      const problems = afterPackHook.checkUnpacked(unpacked, electronAbi);
      expect(problems).toEqual([`node_modules/better-sqlite3/build/Release/better_sqlite3.node is built for module ABI ${nodeAbi}, the app's Electron needs ${electronAbi}`]);
      fs.rmSync(path.join(unpacked, 'node_modules', '@img'), { recursive: true });
      expect(afterPackHook.checkUnpacked(unpacked, nodeAbi)).toEqual([
        "sharp's native module is not in app.asar.unpacked",
        "sharp's libvips is not in app.asar.unpacked",
      ]);
    } finally {
      fs.rmSync(unpacked, { recursive: true, force: true });
    }
  });
});

describe('npm run package', () => {
  it('refuses to package for another OS, in one line', async () => {
    const other = process.platform === 'darwin' ? 'win' : 'mac';
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), other], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^package: cannot package for (macOS|Windows) on \w+: node_modules holds native modules/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

});
