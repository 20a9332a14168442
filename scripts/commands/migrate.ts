import { migrate, pendingMigrations } from '../../src/db/migrate.js';
import { fail, openConfiguredDatabase, parseArgsOrFail, usageError } from '../cli.js';

export const usage = `Usage: palaver migrate

Applies the pending database migrations (drizzle/) to the configured database (DATABASE_URL, or
the embedded PGlite in PGLITE_DIR), e.g. as a release step before new API processes start. The
server does the same at every start, so this is never required. On Postgres it takes the lock
that starting servers take: it waits for them, and they for it.`;

/** `palaver migrate` */
export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgsOrFail({ args, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } }, 'migrate');
  if (values.help) fail(usage, 0);
  if (positionals.length > 0) usageError('migrate', `unexpected "${positionals[0]}"`);

  const database = openConfiguredDatabase('Stop it first: the server migrates at start.');
  try {
    const pending = await database.exclusive(async () => {
      const before = await pendingMigrations(database.db);
      await migrate(database);
      return before;
    });
    console.log(pending ? `Migrations applied (before: ${pending}).` : 'Already up to date: no migration pending.');
  } finally {
    await database.close();
  }
}
