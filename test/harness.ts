import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { expect } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger, type Logger } from '../src/logger.js';

/*
 * The test harness: a fresh, migrated database per test file (in-memory PGlite, or a new database
 * on the server at TEST_DATABASE_URL), the real app on top of it, and a `gql` helper that sends
 * HTTP requests through `app.fetch` (or, with `{ http: true }`, over a socket to `app.listener`,
 * the way server.ts serves) and reports how many SQL statements each one cost.
 */

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
  statements: number;
}

export interface Harness {
  database: Database;
  app: ReturnType<typeof createApp>;
  logs: { level: string; args: unknown[] }[];
  /** Where the app listens (`{ http: true }`), or a placeholder for `app.fetch`. */
  origin: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export interface RequestOptions {
  /** An API token, sent as a bearer token. */
  token?: string;
  /** The address the request seems to come from (the socket's peer). */
  ip?: string;
  headers?: Record<string, string>;
  /** Answer through the resolvers alone (an app with `engine: 'reference'` on the same database). */
  reference?: boolean;
}

export const backend = process.env.PALAVER_TEST_BACKEND === 'postgres' ? 'postgres' : 'pglite';

/** A new, empty database on the server at TEST_DATABASE_URL: its URL, and how to drop it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL!;
  const name = `palaver_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  return {
    url: testUrl.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function freshDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const database = createDb({});
    return { database, drop: async () => {} };
  }
  const { url, drop } = await createTestDatabase();
  return { database: createDb({ databaseUrl: url, poolSize: 10 }), drop };
}

/**
 * `env` configures the app as environment variables would (see src/config.ts). With `http`, requests
 * go over a real socket to the Node listener; `ip` is then sent as X-Forwarded-For from 127.0.0.1
 * (set TRUSTED_PROXIES to 127.0.0.1 for the app to believe it). `engine: 'reference'` answers every
 * read through the resolvers (see createApp). `logger` replaces the one that records into `logs`.
 */
export async function createHarness(
  env: Record<string, string> = {},
  { http = false, engine = 'sql', logger: given }: { http?: boolean; engine?: 'sql' | 'reference'; logger?: Logger } = {},
): Promise<Harness> {
  const { database, drop } = await freshDatabase();
  await migrate(database);
  const logs: Harness['logs'] = [];
  const record = (level: string) => (...args: unknown[]) => void logs.push({ level, args });
  const logger: Logger = given ?? { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') };
  // The response cache is off unless a test turns it on: fixtures write behind the API's back.
  const config = loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0', ...env });
  const app = createApp({ db: database.db, config, logger, engine });
  let reference: ReturnType<typeof createApp> | undefined;
  let server: Server | undefined;
  let origin = 'http://palaver.test';
  if (http) {
    server = createServer(app.listener);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    database,
    app,
    logs,
    origin,
    async gql(query, variables, options = {}) {
      const before = database.statements.count;
      const init = {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(http && options.ip ? { 'x-forwarded-for': options.ip } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      };
      const target = options.reference ? (reference ??= createApp({ db: database.db, config, logger, engine: 'reference' })) : app;
      const response =
        http && !options.reference
          ? await fetch(`${origin}/graphql`, init)
          : await target.fetch(`${origin}/graphql`, init, { req: { socket: { remoteAddress: options.ip ?? '127.0.0.1' } } as never });
      const body = (await response.json()) as { data: any; errors?: GqlResult['errors'] };
      return { status: response.status, ...body, statements: database.statements.count - before };
    },
    async close() {
      if (server) {
        // Subscription streams hold their connections open: end them, then close the rest.
        await app.endSubscriptions();
        const closed = new Promise((resolve) => server!.close(resolve));
        server.closeAllConnections();
        await closed;
      }
      await app.dispose();
      await reference?.dispose();
      await database.close();
      await drop();
    },
  };
}

/**
 * The comment budget's edge for `query`, which holds `count` comments: with a budget of `count`, an
 * app on `h`'s database answers it in one statement; with one less, it refuses with LIMIT_EXCEEDED.
 * Returns the answer at the budget.
 */
export async function expectBudgetEdge(h: Harness, query: string, count: number) {
  const ask = async (budget: number) => {
    const app = createApp({ db: h.database.db, config: loadConfig({ COMMENT_BUDGET: String(budget), RESPONSE_CACHE_TTL_SECONDS: '0' }), logger: createLogger('error') });
    const before = h.database.statements.count;
    const response = await app.fetch('http://t/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { data: any; errors?: { extensions: { code: string } }[] };
    await app.dispose();
    return { ...body, statements: h.database.statements.count - before };
  };
  const at = await ask(count);
  expect(at.errors).toBeUndefined();
  expect(at.statements).toBe(1);
  const past = await ask(count - 1);
  expect(past.errors?.[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
  return at;
}
