import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, relative, resolve } from 'node:path';
import { Stryker } from '@stryker-mutator/core';
import type { MutantResult } from '@stryker-mutator/api/core';

/*
 * `npm run test:mutation [-- src/module.ts ...]`: mutation testing with StrykerJS. For each module
 * below (or only those named), Stryker changes the module's code one small way at a time (a `>`
 * made `>=`, a condition made `true`, a block emptied, ...) and runs the module's own test files
 * against each change, on embedded PGlite. A change no test notices "survives": a gap in the
 * tests. Not part of CI (.ci/run does not run it): it takes minutes per module. Reports go to
 * reports/mutation/ (HTML and JSON per module, summary.json), Stryker's sandboxes to .stryker-tmp/
 * (both git-ignored). One test runner (`concurrency: 1`), and npm runs this under `nice`: the
 * machine has two cores shared with other work.
 *
 * Each module is run with its own test files only (MODULES), so its score says what those tests
 * would notice, and with per-test coverage, so each mutant runs only the tests that reach it.
 * The vitest configuration is vitest.mutation.config.ts: one project (vitest.config.ts has two,
 * pglite and postgres, and Stryker's runner cannot tell their runs of one test apart), PGlite only.
 *
 * Two traps of Stryker's vitest runner, and what this script does about them (both seen with a
 * throwaway module and test, Stryker 9.6 and vitest 4.1):
 *
 * (a) Code that runs when a module is loaded (a module-level constant, a regular expression, an
 *     arrow function assigned at the top level) is evaluated once per test file, before any test.
 *     Stryker switches mutants on either "statically" (before the files load; it then reloads
 *     vitest and runs all the files' tests) or at run time (in a beforeAll, after the files have
 *     loaded). It picks run time whenever it has a list of tests to run, and Stryker's `testFiles`
 *     option is such a list even for mutants that only loading reaches: with it, every mutant in
 *     load-time code was never switched on and was reported as surviving. So the test files are
 *     limited in the vitest configuration (MUTATION_TEST_FILES, read by vitest.mutation.config.ts)
 *     instead, never with `testFiles`; Stryker then switches mutants that loading reaches on
 *     before the files load, and they are killed or survive on their merits. Survivors that only
 *     loading reaches are still marked "static" in the summary, so a reader can look twice.
 *
 * (b) A mutant that makes a beforeAll (or afterAll) hook throw fails the test file in vitest, yet
 *     Stryker's runner counts it as survived (the file's tests end up skipped, none failed): 40 of
 *     thread.ts's 115 mutants, run against test/thread.test.ts (whose beforeAll imports a thread). The
 *     reporter scripts/mutation-hook-reporter.ts records every run in which a hook failed, with
 *     the mutant switched on; this script counts such a mutant as killed ("killed in a hook"),
 *     lists it with the hook's error (so a failure that was not the mutant's doing can be seen),
 *     and prints both Stryker's score and the corrected one. Tests whose setup need not run the
 *     module's code are better still: the pure tests of the modules below have no setup at all,
 *     and the database-backed ones only create the harness in beforeAll and call the module in
 *     the test itself.
 *
 * Adding a module is one entry in MODULES: its path and its test files (by default
 * test/<name>.test.ts). A module that does not exist (yet) is skipped with a note.
 * `--tests a.test.ts,b.test.ts` runs the named modules against other test files instead (to measure
 * what some other tests notice, e.g. before a module had tests of its own); `--label NAME` names
 * such a run's reports (<module>-NAME.html, and "<module> (NAME)" in summary.json).
 */
const MODULES: { module: string; tests?: string[] }[] = [
  // The cost as numbers, without a database (test/limits.test.ts checks the limits through the
  // server, on a 3,000-comment thread its beforeAll writes: seconds per mutant).
  { module: 'src/limits.ts', tests: ['test/cost.test.ts'] },
  { module: 'src/budget.ts' },
  { module: 'src/domain/guest-input.ts' },
  // test/thread.test.ts tests the thread model through GraphQL, on a thread its beforeAll imports
  // (running this module): every mutant would rerun that file, and a mutant that breaks the import
  // would fail in the hook (trap b). The module's own tests are pure, and one database-backed.
  { module: 'src/domain/thread.ts', tests: ['test/thread-model.test.ts'] },
  { module: 'src/db/queries/page.ts' },
];

const REPORTS = 'reports/mutation';

interface ModuleScore {
  module: string;
  tests: string[];
  date: string;
  mutants: number;
  killed: number;
  /** Counted as survived by Stryker, but a hook failed in their run (trap b). */
  killedInHook: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Runtime and compile errors, and ignored mutants: left out of the score, as Stryker does. */
  other: number;
  /** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage). */
  strykerScore: number;
  /** The same with the mutants killed in a hook counted as killed. */
  score: number;
  survivors: string[];
  hookKills: string[];
}

const option = (flag: string) => (process.argv.includes(flag) ? (process.argv[process.argv.indexOf(flag) + 1] ?? '') : undefined);
const testsOverride = option('--tests')?.split(',').filter(Boolean);
/** Names the reports of a run with other tests (`--label before`), so they sit beside the usual ones. */
const label = option('--label') ?? (testsOverride ? 'other-tests' : undefined);
const testFilesOf = (entry: (typeof MODULES)[number]) =>
  testsOverride ?? entry.tests ?? [`test/${basename(entry.module, extname(entry.module))}.test.ts`];

function describeMutant(mutant: MutantResult): string {
  const { line, column } = mutant.location.start;
  const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
  return `${relative(process.cwd(), mutant.fileName)}:${line}:${column} ${mutant.mutatorName} → ${replacement}${mutant.static ? ' (static)' : ''}`;
}

function readHookFailures(log: string): Map<string, string> {
  const failures = new Map<string, string>();
  if (!existsSync(log)) return failures;
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { mutant: string; suite: string | null; error: string };
    if (!failures.has(entry.mutant)) failures.set(entry.mutant, `${entry.suite ?? 'file'}: ${entry.error}`);
  }
  return failures;
}

async function runModule(entry: (typeof MODULES)[number]): Promise<ModuleScore> {
  const tests = testFilesOf(entry);
  const name = entry.module.replace(/^src\//, '').replace(/\.ts$/, '').replaceAll('/', '-') + (label ? `-${label}` : '');
  // A hook log per module: runs of different modules may overlap.
  const hookLog = resolve(REPORTS, `${name}.hooks.jsonl`);
  process.env.MUTATION_TEST_FILES = tests.join(',');
  process.env.MUTATION_HOOK_LOG = hookLog;
  rmSync(hookLog, { force: true });

  const results = await new Stryker({
    mutate: [entry.module],
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    coverageAnalysis: 'perTest',
    concurrency: 1,
    // The machine is shared: a slow run is not an infinite loop (those hit Stryker's hit limit).
    timeoutMS: 20_000,
    tempDirName: '.stryker-tmp', // each run in a sandbox folder of its own
    ignorePatterns: ['/.data', '/dist', '/coverage', '/.build-test', '/bench/results', `/${REPORTS}`],
    reporters: ['progress', 'clear-text', 'html', 'json'],
    clearTextReporter: { allowColor: false, logTests: false },
    htmlReporter: { fileName: `${REPORTS}/${name}.html` },
    jsonReporter: { fileName: `${REPORTS}/${name}.json` },
  }).runMutationTest();

  const hookFailures = readHookFailures(hookLog);
  const count = (...statuses: MutantResult['status'][]) => results.filter((m) => statuses.includes(m.status)).length;
  const hookKilled = results.filter((m) => m.status === 'Survived' && hookFailures.has(m.id));
  const killed = count('Killed');
  const timeout = count('Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + timeout + survived + noCoverage;
  const percent = (n: number) => (valid ? Math.round((n / valid) * 10_000) / 100 : 100);
  return {
    module: label ? `${entry.module} (${label})` : entry.module,
    tests,
    date: new Date().toISOString().slice(0, 10),
    mutants: results.length,
    killed,
    killedInHook: hookKilled.length,
    timeout,
    survived: survived - hookKilled.length,
    noCoverage,
    other: results.length - valid,
    strykerScore: percent(killed + timeout),
    score: percent(killed + timeout + hookKilled.length),
    survivors: results
      .filter((m) => (m.status === 'Survived' && !hookFailures.has(m.id)) || m.status === 'NoCoverage')
      .map((m) => `${m.status === 'NoCoverage' ? '[no coverage] ' : ''}${describeMutant(m)}`),
    hookKills: hookKilled.map((m) => `${describeMutant(m)}: ${hookFailures.get(m.id)}`),
  };
}

async function main() {
  const flags = ['--tests', '--label'];
  const asked = process.argv.slice(2).filter((arg, i, all) => !flags.includes(arg) && !flags.includes(all[i - 1]!));
  const unknown = asked.filter((module) => !MODULES.some((entry) => entry.module === module));
  if (unknown.length) {
    console.error(`Not in MODULES (scripts/mutation.ts): ${unknown.join(', ')}`);
    process.exit(2);
  }
  if (process.env.TEST_DATABASE_URL) console.log('TEST_DATABASE_URL is ignored: mutation testing runs on PGlite only.');
  delete process.env.TEST_DATABASE_URL;
  mkdirSync(REPORTS, { recursive: true });

  const scores: ModuleScore[] = [];
  for (const entry of MODULES.filter((e) => !asked.length || asked.includes(e.module))) {
    const missing = [entry.module, ...testFilesOf(entry)].filter((file) => !existsSync(file));
    if (missing.length) {
      console.log(`Skipping ${entry.module}: ${missing.join(', ')} not found.`);
      continue;
    }
    scores.push(await runModule(entry));
  }

  for (const s of scores) {
    console.log(`\n${s.module} (${s.tests.join(', ')}): ${s.score}% (Stryker: ${s.strykerScore}%)`);
    console.log(
      `  ${s.mutants} mutants: ${s.killed} killed, ${s.killedInHook} killed in a hook, ${s.timeout} timed out, ` +
        `${s.survived} survived, ${s.noCoverage} not covered, ${s.other} errors or ignored`,
    );
    for (const line of s.hookKills) console.log(`  killed in a hook (Stryker: survived): ${line}`);
    for (const line of s.survivors) console.log(`  survived: ${line}`);
  }
  const summary = resolve(REPORTS, 'summary.json');
  const previous = existsSync(summary) ? (JSON.parse(readFileSync(summary, 'utf8')) as Record<string, ModuleScore>) : {};
  writeFileSync(summary, JSON.stringify({ ...previous, ...Object.fromEntries(scores.map((s) => [s.module, s])) }, null, 2));
  console.log(`\nReports: ${REPORTS}/ (summary.json, <module>.html)`);
}

await main();
