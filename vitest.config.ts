// Two projects: fast unit tests (no servers but loopback ones they start themselves) and integration
// tests against the real control plane started once by the global setup.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The control plane is shared; files run one at a time so the 2-core CI machine is not
          // oversubscribed by several operators, the API server and etcd at once.
          fileParallelism: false,
        },
      },
      // The long reliability suite (npm run test:reliability, which sets DATAHUB_RELIABILITY=1; see
      // RELIABILITY.md): minutes per file, so a plain `vitest run` (npm test) leaves it out. Its
      // shortened versions are the integration project's reliability-*.test.ts files.
      ...(process.env.DATAHUB_RELIABILITY === '1'
        ? [
            {
              test: {
                name: 'reliability',
                include: ['test/reliability/**/*.test.ts'],
                globalSetup: ['test/support/global-setup.ts'],
                testTimeout: 40 * 60_000,
                hookTimeout: 10 * 60_000,
                fileParallelism: false,
              },
            },
          ]
        : []),
    ],
  },
});
