// electron-builder afterPack hook (electron-builder.yml): checks the packed app before any
// installer is made from it, and fails the packaging when it would not start.
//
// - app.asar holds what the app loads: the main bundle, the training worker and its
//   bootstrap, the preload, the renderer, the migrations.
// - app.asar.unpacked holds better-sqlite3, sharp with its libvips, and every native
//   module in it is built for this Electron's ABI. A module compiled against Node's headers
//   instead (npm's "nodedir" setting makes node-gyp do that silently) would load in Node but
//   not in the app: "was compiled against a different Node.js version". N-API modules
//   (sharp, tfjs-node) work with any ABI and are not checked.
// - the Electron fuses of electron-builder.yml are the hardened set (REQUIRED_FUSES), and
//   the packed binary carries them, read back with @electron/fuses' own reader.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// app-builder-lib is electron-builder's library; @electron/asar and @electron/rebuild (with
// the node-abi table it rebuilds by) are app-builder-lib's dependencies.
const builderRequire = createRequire(createRequire(path.join(root, 'package.json')).resolve('electron-builder/package.json'));
const libRequire = createRequire(builderRequire.resolve('app-builder-lib/package.json'));

/** Files of app.asar the app loads at run time (package.json "main" and what it reads). */
export const IN_ASAR = [
  'package.json',
  'out/main/index.js',
  'out/main/worker.js',
  'out/main/worker-bootstrap.js',
  'out/preload/preload.cjs',
  'out/renderer/index.html',
  'db/001_initial.sql',
];

/** The V8 module ABI a native module was built for (node_register_module_vNNN), or undefined for N-API only. */
export function nativeAbi(file) {
  const match = /node_register_module_v(\d+)/.exec(fs.readFileSync(file).toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** Electron's module ABI, from the node-abi that @electron/rebuild uses. */
export function electronAbi(electronVersion) {
  const rebuildRequire = createRequire(libRequire.resolve('@electron/rebuild'));
  const nodeAbi = rebuildRequire('node-abi');
  return Number(nodeAbi.getAbi(electronVersion, 'electron'));
}

function walk(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, found);
    else found.push(full);
  }
  return found;
}

/** Problems with an unpacked folder (app.asar.unpacked) for an app that expects `abi`. */
export function checkUnpacked(unpackedDir, abi) {
  const problems = [];
  if (!fs.existsSync(unpackedDir)) return [`${unpackedDir} is missing`];
  const files = walk(unpackedDir).map((file) => path.relative(unpackedDir, file).split(path.sep).join('/'));
  const expect = [
    [/^node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/, 'better-sqlite3 native module'],
    [/^node_modules\/@img\/sharp-[^/]+\/lib\/sharp-[^/]+\.node$/, "sharp's native module"],
    [/^node_modules\/@img\/sharp-libvips-[^/]+\/lib\/libvips-cpp\./, "sharp's libvips"],
    [/^node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/tfjs-backend-wasm\.wasm$/, "the WASM backend's binary"],
    [/^node_modules\/onnxruntime-node\/bin\/napi-v6\/[^/]+\/[^/]+\/onnxruntime_binding\.node$/, "ONNX Runtime's native module"],
  ];
  for (const [pattern, what] of expect) {
    if (!files.some((file) => pattern.test(file))) problems.push(`${what} is not in app.asar.unpacked`);
  }
  for (const file of files.filter((f) => f.endsWith('.node'))) {
    const found = nativeAbi(path.join(unpackedDir, file));
    if (found !== undefined && found !== abi) {
      problems.push(`${file} is built for module ABI ${found}, the app's Electron needs ${abi}`);
    }
  }
  return problems;
}

function checkAsar(asarFile) {
  if (!fs.existsSync(asarFile)) return [`${asarFile} is missing`];
  const asar = libRequire('@electron/asar');
  const listed = new Set(asar.listPackage(asarFile, { isPack: false }).map((file) => file.split(path.sep).join('/').replace(/^\//, '')));
  return IN_ASAR.filter((file) => !listed.has(file)).map((file) => `${file} is not in app.asar`);
}

/**
 * The fuses the packaged app must have (electron-builder's `electronFuses` names): nothing
 * that lets another program run the binary as Node or inject code into it.
 */
export const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
};

/** Problems with the `electronFuses` of a loaded electron-builder configuration. */
export function checkFuseConfig(electronFuses) {
  return Object.entries(REQUIRED_FUSES)
    .filter(([name, value]) => electronFuses?.[name] !== value)
    .map(([name, value]) => `electronFuses.${name} is ${electronFuses?.[name] ?? 'not set'}, must be ${value}`);
}

/** Problems with the fuse wire of an Electron binary (or .app), read by @electron/fuses. */
export async function checkFuseWire(electronBinary) {
  const { getCurrentFuseWire, FuseV1Options } = libRequire('@electron/fuses');
  // The byte values of a fuse's state; the package defines but does not re-export them.
  const { FuseState } = libRequire('@electron/fuses/dist/constants.js');
  const wire = await getCurrentFuseWire(electronBinary);
  const problems = [];
  for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
    // electronFuses.runAsNode is FuseV1Options.RunAsNode, and so on.
    const index = FuseV1Options[name.charAt(0).toUpperCase() + name.slice(1)];
    const state = wire[index];
    const want = value ? FuseState.ENABLE : FuseState.DISABLE;
    if (state === want) continue;
    const found = state === FuseState.ENABLE ? 'on' : state === FuseState.DISABLE ? 'off' : state === FuseState.REMOVED ? 'removed' : 'missing';
    problems.push(`fuse ${name} is ${found} in ${path.basename(electronBinary)}, must be ${value ? 'on' : 'off'}`);
  }
  return problems;
}

/** The file electron-builder flips fuses in (as its addElectronFuses finds it). */
function electronBinaryPath(context) {
  const ext = { darwin: '.app', mas: '.app', win32: '.exe', linux: '' }[context.electronPlatformName] ?? '';
  const name = context.electronPlatformName === 'linux' ? context.packager.executableName : context.packager.appInfo.productFilename;
  return path.join(context.appOutDir, `${name}${ext}`);
}

/** @param {import('app-builder-lib').AfterPackContext} context */
export async function afterPack(context) {
  const resources = context.packager.getResourcesDir(context.appOutDir);
  const electronVersion = context.packager.info.framework.version;
  const abi = electronAbi(electronVersion);
  const electronFuses = context.packager.config.electronFuses;
  const fuseProblems = checkFuseConfig(electronFuses);
  if (fuseProblems.length === 0) {
    // electron-builder flips the fuses right after this hook; flip them here the same way
    // (its own documented call; flipping twice is idempotent) so the binary can be read back.
    const packager = context.packager;
    await packager.addElectronFuses(context, await packager.generateFuseConfig(electronFuses));
    fuseProblems.push(...(await checkFuseWire(electronBinaryPath(context))));
  }
  const problems = [
    ...checkAsar(path.join(resources, 'app.asar')),
    ...checkUnpacked(path.join(resources, 'app.asar.unpacked'), abi),
    ...fuseProblems,
  ];
  if (problems.length > 0) {
    throw new Error(`the packed app would not work (Electron ${electronVersion}, ABI ${abi}):\n  ${problems.join('\n  ')}`);
  }
}

export default afterPack;
