/**
 * electron-vite build of the three parts, with explicit entries (this repository does
 * not use electron-vite's src/main, src/preload, src/renderer layout):
 *
 * - main:     src-main/app/main.ts    -> out/main/index.js (ESM; package.json "main"),
 *             with the training worker (worker.js, worker-bootstrap.js) beside it.
 *             Dependencies (better-sqlite3, sharp, tfjs, zod, ...) stay external.
 * - preload:  src-main/app/preload.ts -> out/preload/preload.cjs. CommonJS on purpose:
 *             a sandboxed renderer cannot load an ESM preload, and this package is
 *             "type": "module", so the file must end in .cjs.
 * - renderer: src-renderer/index.html -> out/renderer, with relative asset URLs
 *             (base './') so the same files work under Electron's app:// scheme and
 *             under the browser-mode server at /.
 *
 * Building needs no Electron binary (electron-vite reads only electron's package.json).
 */
import path from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;
const at = (...parts: string[]): string => path.resolve(root, ...parts);

export default defineConfig({
  main: {
    build: {
      outDir: at('out', 'main'),
      externalizeDeps: true,
      sourcemap: true,
      rolldownOptions: {
        // The training worker and its bootstrap sit beside the main bundle: runner.ts
        // starts ./worker-bootstrap.js with ./worker.js next to the file it is built into.
        input: {
          index: at('src-main', 'app', 'main.ts'),
          worker: at('src-main', 'core', 'population', 'worker.ts'),
          'worker-bootstrap': at('src-main', 'core', 'population', 'worker-bootstrap.js'),
          // the inference worker of own-model imports (src-main/core/models/runner.ts)
          'model-worker': at('src-main', 'core', 'models', 'model-worker.ts'),
          // the reading thread of a predictions import (src-main/core/import/read-in-worker.ts)
          'read-worker': at('src-main', 'core', 'import', 'read-worker.ts'),
        },
        external: ['better-sqlite3', 'sharp', /^@tensorflow\//, 'onnxruntime-node', 'onnx-proto'],
      },
    },
  },
  preload: {
    build: {
      outDir: at('out', 'preload'),
      // The preload imports only `electron` (external); nothing else may be bundled
      // into it, since a sandboxed preload can require only a few built-in modules.
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: at('src-main', 'app', 'preload.ts') },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: '[name]-[hash].cjs',
        },
      },
    },
  },
  renderer: {
    root: at('src-renderer'),
    base: './',
    plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
    build: {
      outDir: at('out', 'renderer'),
      emptyOutDir: true,
      // electron-vite leaves the renderer unminified; the browser mode serves it over HTTP.
      minify: true,
      rolldownOptions: {
        input: at('src-renderer', 'index.html'),
      },
    },
  },
});
