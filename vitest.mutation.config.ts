import { defineConfig } from 'vitest/config';

/*
 * The vitest configuration `npm run test:mutation` (scripts/mutation.ts) gives Stryker: one project
 * (Stryker's vitest runner cannot tell two projects' runs of one test apart), on embedded PGlite
 * only, over the test files the script names in MUTATION_TEST_FILES (comma-separated) for the
 * module being mutated. The file list is set here rather than with Stryker's `testFiles` option
 * because that option switches mutants on at run time even where only loading a module runs them
 * (see the header of scripts/mutation.ts).
 */
const files = (process.env.MUTATION_TEST_FILES ?? '').split(',').filter(Boolean);

export default defineConfig({
  // As in vitest.config.ts: graphql's CommonJS build, one graphql module instance.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: files.length ? files : ['test/**/*.test.ts'],
    env: { PALAVER_TEST_BACKEND: 'pglite' },
    // Records every run in which a hook failed (scripts/mutation.ts checks none was a survivor).
    reporters: ['default', './scripts/mutation-hook-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
