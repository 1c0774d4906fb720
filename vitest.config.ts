// Two test projects: fast unit tests next to the code, and end-to-end tests against the real servers.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/setup/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
          // Property tests over generated populations take seconds alone and run beside the e2e project's servers on
          // two cores: 5 s (the default) is a race with the machine, not a bound on the code.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/stack.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
