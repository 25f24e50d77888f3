import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and integration tests that talk to the real
// Kafka broker and Elasticsearch of `ria stack up` (one file at a time: they share the services).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'engine/**/*.test.ts',
            'bench/**/*.test.ts',
            'docker/**/*.test.ts',
            'scripts/**/*.test.ts',
            'deploy/**/*.test.ts',
          ],
          // helm and Prometheus (promtool) for the chart and rules tests: installed when missing.
          globalSetup: ['test/tools-setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Brings the local stack up when it is not running (and stops it after).
          globalSetup: ['test/global-setup.ts'],
          // The fault-injection tests stop and freeze the shared services: run on purpose with
          // `npm run test:faults` (RIA_FAULT_TESTS=1), not in every `npm test`.
          exclude: process.env.RIA_FAULT_TESTS
            ? []
            : ['test/integration/faults.test.ts', 'test/integration/operations.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
