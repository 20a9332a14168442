import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule, TestSuite, Vitest } from 'vitest/node';

/*
 * A vitest reporter for `npm run test:mutation` (see scripts/mutation.ts): after every run in
 * which a mutant was switched on, it appends one line to the file MUTATION_HOOK_LOG names for each
 * test file or suite whose beforeAll/afterAll failed, with the mutant's id. The script then checks
 * that no such mutant is counted as survived.
 */
export default class MutationHookReporter implements Reporter {
  private vitest!: Vitest;

  onInit(vitest: Vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const log = process.env.MUTATION_HOOK_LOG;
    const context = this.vitest.getProvidedContext() as Record<string, unknown>;
    if (!log || context.mode !== 'mutant') return;
    for (const module of modules) {
      const failed: (TestModule | TestSuite)[] = [module, ...module.children.allSuites()].filter((entity) => entity.errors().length > 0);
      for (const entity of failed) {
        const line = {
          mutant: String(context.activeMutant),
          file: module.moduleId,
          suite: entity.type === 'suite' ? entity.fullName : null,
          // The first line is enough to judge whether the mutant caused it (a failed query's is the query).
          error: (entity.errors()[0]?.message ?? '').split('\n')[0]!.slice(0, 160),
        };
        appendFileSync(log, `${JSON.stringify(line)}\n`);
      }
    }
  }
}
