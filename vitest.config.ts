import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * The Svelte plugin is typed against the app's Vite 8, vitest 3 against the Vite 7 it
 * bundles; the plugin hooks it uses are the same in both at run time.
 */
const sveltePlugin = svelte({ configFile: false, compilerOptions: { runes: true } }) as unknown as ViteUserConfig['plugins'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests spawn CLI processes and servers; two at a time suits two cores.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/**/*.test.ts'], exclude: ['test/renderer/**'] },
      },
      {
        // The renderer's state modules (*.svelte.ts use runes): compiled by the Svelte
        // plugin, with Svelte's client (browser) runtime and a DOM (window, location, history).
        extends: true,
        plugins: sveltePlugin,
        resolve: { conditions: ['browser'] },
        test: { name: 'renderer', include: ['test/renderer/**/*.test.ts'], environment: 'happy-dom' },
      },
    ],
  },
});
