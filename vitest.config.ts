import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests spawn CLI processes and servers; two at a time suits two cores.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
