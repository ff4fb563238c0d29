import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    coverage: { provider: 'v8', include: ['src/**/*.ts'], exclude: ['src/cli/**'] },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          exclude: [
            'test/integration/ldap/**',
            'test/integration/ad/**',
            'test/integration/conformance/sources.int.test.ts',
          ],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'ldap',
          include: ['test/integration/ldap/**/*.int.test.ts'],
          globalSetup: ['test/integration/ldap/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'ad',
          // The source conformance suite runs here: it needs the one Samba DC this project provisions
          // (as root, on 127.0.0.1:389, which a second project could not bind).
          include: ['test/integration/ad/**/*.int.test.ts', 'test/integration/conformance/sources.int.test.ts'],
          globalSetup: ['test/integration/ad/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
