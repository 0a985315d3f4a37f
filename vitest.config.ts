import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'hosts/**/*.test.ts', 'cli/**/*.test.ts', 'shared/**/*.test.ts', 'renderer/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real sockets and child processes: keep files isolated but don't oversubscribe two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
