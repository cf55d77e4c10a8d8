import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Deadlines, not speed targets: three files at once on two cores stretch what a test of
    // the binary takes, and a test that waits asserts the state it waits for, not the time.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Files overlap three at a time whatever the core count: most of the suite waits on real
    // schedulers, time limits and the binary's subprocesses, not on a core. Each file uses its
    // own temp folder, job names and run ids, and asserts only on its own jobs.
    maxWorkers: 3,
  },
});
