/**
 * Module customization hook (runs on Node's loader thread). The bare specifier
 * `electron` is redirected to the recording stub; every other import resolves as usual,
 * so the bundle runs with its real dependencies (better-sqlite3, tfjs, zod, ...).
 */
const STUB_URL = new URL('./electron.mjs', import.meta.url).href;
const PACKAGE_URL = new URL('../../../package.json', import.meta.url).href;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: STUB_URL, format: 'module', shortCircuit: true };
  // `npm start` may have put an Electron-ABI build of better-sqlite3 in out/node_modules,
  // which out/main finds first; plain Node needs the package root's Node build.
  if (specifier === 'better-sqlite3') return nextResolve(specifier, { ...context, parentURL: PACKAGE_URL });
  return nextResolve(specifier, context);
}
