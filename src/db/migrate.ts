import { sql } from 'drizzle-orm';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { queryRows, type Database, type Db, type Schema } from './client.js';

/** drizzle-kit's output folder, found from this file whether it runs from src/ or a build in dist/. */
function findMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'drizzle');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('drizzle/ migrations folder not found');
    dir = parent;
  }
}

/** Applies pending drizzle-kit migrations with the driver's own migrator. */
export async function migrate(database: Database): Promise<void> {
  const migrationsFolder = findMigrationsFolder();
  if (database.kind === 'pglite') {
    await migratePglite(database.db as PgliteDatabase<Schema>, { migrationsFolder });
  } else {
    await migratePostgres(database.db as PostgresJsDatabase<Schema>, { migrationsFolder });
  }
}

/**
 * Whether the database holds every migration this build ships: drizzle's migrators apply those
 * newer than the last one recorded, so the last recorded must be the journal's last. A reason when
 * it is not (no migrations table: never migrated).
 */
export async function pendingMigrations(db: Db): Promise<string | null> {
  const journal = JSON.parse(readFileSync(join(findMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const shipped = journal.entries.map((entry) => entry.when);
  let applied: number;
  try {
    const [row] = await queryRows<{ last: string | number | null }>(db, sql`select max(created_at) as last from drizzle.__drizzle_migrations`);
    applied = Number(row?.last ?? 0);
  } catch {
    return 'not migrated';
  }
  const pending = shipped.filter((when) => when > applied).length;
  return pending === 0 ? null : `${pending} migration(s) pending`;
}
