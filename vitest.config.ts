import { defineConfig } from 'vitest/config';

// Every test file runs against embedded PGlite, and again against a Postgres server when
// TEST_DATABASE_URL is set (.ci/run sets it). Each file gets a fresh database of its own.
const backends = ['pglite', ...(process.env.TEST_DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    projects: backends.map((backend) => ({
      // Load graphql's CommonJS build, as Node does for Pothos and yoga: vite would otherwise pick
      // its .mjs build for our sources and the schema would mix two graphql module instances.
      resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
      test: {
        name: backend,
        include: ['test/**/*.test.ts'],
        env: { PALAVER_TEST_BACKEND: backend },
        testTimeout: 60_000,
        hookTimeout: 120_000,
      },
    })),
  },
});
