import { randomUUID } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { is, SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './lock.js';
import * as schema from './schema.js';

export { DatabaseInUseError } from './lock.js';

export type Schema = typeof schema;
/** The driver-independent drizzle database: PGlite and postgres.js share this interface. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface StatementCounter {
  /** SQL statements sent since the database was opened; tests and the benchmark read deltas. */
  count: number;
  /** When set, every statement is also recorded here (tests EXPLAIN them). */
  log?: { query: string; params: unknown[] }[];
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  statements: StatementCounter;
  /**
   * Runs `fn` while holding a server-wide advisory lock, so that API processes starting together
   * migrate and seed one at a time. PGlite has a single process (its directory is locked to one),
   * so there it just runs `fn`.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Any constant works; it only has to be the same in every Palaver process.
const STARTUP_LOCK = 0x70616c61;

export interface DatabaseOptions {
  /** Seconds to wait for a connection to Postgres before a request fails (default 5). */
  connectTimeoutSeconds?: number;
  /** A postgres:// URL; without it the embedded PGlite database is used. */
  databaseUrl?: string | undefined;
  /**
   * PGlite data directory; omitted means in memory (tests). Only one process at a time may open
   * it: createDb locks it first, and throws DatabaseInUseError if another process holds it.
   */
  pgliteDir?: string | undefined;
  /** What to tell the user to do when the PGlite directory is in use (ends that error's line). */
  whenInUse?: string;
  poolSize?: number;
}

export function createDb(options: DatabaseOptions): Database {
  const statements: StatementCounter = { count: 0 };
  const counted = <T extends Db>(db: T) => (counters.set(db, statements), db);
  const config = {
    schema,
    casing: 'snake_case' as const,
    logger: {
      logQuery(query: string, params: unknown[]) {
        statements.count++;
        statements.log?.push({ query, params });
      },
    },
  };

  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, {
      max: options.poolSize ?? 10,
      // An unreachable database fails requests after this long (SERVICE_UNAVAILABLE), not 30 s.
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      onnotice: () => {},
      connection: { application_name: 'palaver' },
    });
    const db = counted(drizzlePostgres({ client, ...config }));
    rawJson.set(db, async ({ sql: text, params }) => {
      config.logger.logQuery(text, params);
      // `.raw()`: the column as the Buffer it arrived in, never decoded into a string.
      const [row] = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], prepared).raw();
      return (row?.[0] as Buffer | null | undefined) ?? null;
    });
    const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
      // The lock's session is a connection of its own, outside the pool: holding one of the pool's
      // would leave `fn` none with DATABASE_POOL_SIZE=1 (a start-up that waits forever).
      const connection = postgres(options.databaseUrl!, {
        max: 1,
        connect_timeout: options.connectTimeoutSeconds ?? 5,
        onnotice: () => {},
        connection: { application_name: 'palaver' },
      });
      try {
        await connection`select pg_advisory_lock(${STARTUP_LOCK})`;
        return await fn();
      } finally {
        await connection`select pg_advisory_unlock(${STARTUP_LOCK})`.catch(() => {});
        await connection.end({ timeout: 5 });
      }
    };
    // The cluster's system identifier tells two servers apart even when both are "localhost"
    // (a role may be refused pg_control_system(): then the server's address stands for it).
    identities.set(db, async () => {
      const [row] = await client.unsafe<{ name: string; system: string }[]>(
        `select current_database() as name, coalesce(inet_server_addr()::text, '') || ':' || coalesce(inet_server_port()::text, '') as system`,
      );
      const system = await client
        .unsafe<{ id: string }[]>('select system_identifier::text as id from pg_control_system()')
        .then(([r]) => r!.id, () => `${new URL(options.databaseUrl!).host}/${row!.system}`);
      return `postgres:${system}/${row!.name}`;
    });
    return { db, kind: 'postgres', statements, exclusive, close: () => client.end({ timeout: 5 }) };
  }

  let unlock = () => {};
  if (options.pgliteDir) {
    mkdirSync(options.pgliteDir, { recursive: true });
    // Before PGlite reads or writes anything in it.
    unlock = lockDataDir(options.pgliteDir, options.whenInUse);
  }
  let client;
  try {
    client = new PGlite(options.pgliteDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const db = counted(drizzlePglite({ client, ...config }));
  rawJson.set(db, async ({ sql: text, params }) => {
    config.logger.logQuery(text, params);
    const { rows } = await client.query<[string | null]>(text, params, { rowMode: 'array' });
    return rows[0]?.[0] ?? null;
  });
  const identity = `pglite:${options.pgliteDir ? realpathSync(options.pgliteDir) : `memory:${randomUUID()}`}`;
  identities.set(db, async () => identity);
  const close = async () => {
    try {
      await client.close();
    } finally {
      unlock();
    }
  };
  return { db, kind: 'pglite', statements, exclusive: (fn) => fn(), close };
}

const counters = new WeakMap<Db, StatementCounter>();

/** SQL statements sent through `db` since it was opened (the access log reads deltas). */
export function statementCount(db: Db): number {
  return counters.get(db)?.count ?? 0;
}

const identities = new WeakMap<Db, () => Promise<string>>();
const memoized = new WeakMap<Db, Promise<string>>();

/**
 * What names this database and no other, the same in every process that opens it: for a Postgres
 * server, its cluster's system identifier and the database's name; for PGlite, its directory (an
 * in-memory one is unique to the object). Keys shared with other deployments (Redis) derive from it.
 */
export function databaseIdentity(db: Db): Promise<string> {
  let identity = memoized.get(db);
  if (!identity) memoized.set(db, (identity = identities.get(db)!()));
  return identity;
}

const dialect = new PgDialect();
// postgres.js's `unsafe()` sends a statement without parameters (a front page) as a simple query,
// parsed and planned anew every time (≈0.4 ms for a front page here: most of its cost), unless
// `simple: false` asks for the extended protocol, where `prepare` keeps it prepared. The option
// is read by `unsafe()` (postgres/src/index.js) but missing from its types.
const prepared = { prepare: true, simple: false } as postgres.UnsafeQueryOptions;
const rawJson = new WeakMap<Db, (statement: Statement) => Promise<Buffer | string | null>>();

/** A statement as the driver takes it: its text and its parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

const renderedQueries = new WeakMap<SQL, Statement>();

/**
 * A statement's text and parameters, rendered once per statement object. The text is flattened:
 * drizzle builds it by concatenation, and V8 keeps a concatenated string as the tree of its
 * pieces until something reads it whole, which a statement kept to run again (a compiled plan)
 * would hold for as long as it is kept.
 */
export function renderStatement(query: SQL): Statement {
  let rendered = renderedQueries.get(query);
  if (!rendered) {
    rendered = dialect.sqlToQuery(query);
    // `| 0` converts the string to a number, which reads it whole: V8 flattens it in place.
    void ((rendered.sql as unknown as number) | 0);
    renderedQueries.set(query, rendered);
  }
  return rendered;
}

/**
 * Runs a statement whose one row and column is JSON text (or nothing), and returns that text as
 * the driver received it: with postgres.js, the bytes off the socket, never turned into a string
 * (a deep thread's megabyte of JSON goes from Postgres to the response as it is); with PGlite (or
 * inside a transaction), a string. Null when there is no row or the value is null. A statement
 * already rendered (a compiled plan's) runs only on a database, not inside a transaction.
 */
export async function queryJson(db: Db, query: SQL | Statement): Promise<Buffer | string | null> {
  const raw = rawJson.get(db);
  if (raw) return raw(is(query, SQL) ? renderStatement(query) : query);
  if (!is(query, SQL)) throw new Error('queryJson: a rendered statement runs on a database, not inside a transaction');
  const [row] = await queryRows<Record<string, string | null>>(db, query);
  return row ? (Object.values(row)[0] ?? null) : null;
}

/** Runs a raw statement and returns its rows, whichever driver answers. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

/** Whether a failed statement broke a unique constraint (drizzle wraps the driver's error). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true;
  }
  return false;
}

/**
 * postgres.js 3.4.9 can throw from a timer after a connection dropped mid-write (a write queued
 * with setImmediate runs once the socket is gone: porsager/postgres#1154, #1208, fix unreleased).
 * Nothing can catch it, and it would take the whole server down on a database blip; the query it
 * belonged to has already failed with CONNECTION_CLOSED. For a process serving requests (not for
 * tests, whose runner handles its own): that one error is logged and survived; any other uncaught
 * exception is printed and ends the process with 1, as Node's default does.
 */
export function surviveDroppedPostgresWrites(warn: (message: string) => void) {
  process.on('uncaughtException', (error) => {
    const droppedWrite =
      error instanceof TypeError && /reading 'write'/.test(error.message) && /nextWrite[^\n]*postgres[/\\]src[/\\]connection\.js/.test(error.stack ?? '');
    if (droppedWrite) return void warn('A database connection dropped while writing (postgres.js#1208); its query failed, the server goes on.');
    console.error(error);
    process.exit(1);
  });
}
