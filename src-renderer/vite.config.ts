/**
 * Renderer-only build (`npm run build:renderer`, run from the package root): the same
 * output as the renderer part of electron.config.ts, for browser-mode work without
 * rebuilding main and preload.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'chrome144',
  },
});
