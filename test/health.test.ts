import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxiedPostgres } from './faults.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * GET /health (the process answers) and GET /ready (the database answers and is migrated; Redis
 * answers when in use), over a real socket; and /ready through a database that stops answering:
 * 503 within its deadline, never a hung probe, and ready again by itself once it answers.
 */
const get = async (origin: string, path: string) => {
  const response = await fetch(`${origin}${path}`);
  return { status: response.status, body: (await response.json()) as { status: string; checks?: Record<string, string> }, headers: response.headers };
};

let h: Harness;
beforeAll(async () => {
  h = await createHarness({}, { http: true });
});
afterAll(() => h.close());

describe('health and readiness', () => {
  it('/health answers 200, /ready 200 with each check', async () => {
    expect(await get(h.origin, '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await get(h.origin, '/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: 'ok' } } });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('/ready is 503 while a migration this build ships is not applied', async () => {
    const [last] = await queryRows<{ id: number; hash: string; created_at: string }>(
      h.database.db,
      sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    await queryRows(h.database.db, sql`delete from drizzle.__drizzle_migrations where id = ${last!.id}`);
    try {
      expect(await get(h.origin, '/ready')).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: '1 migration(s) pending' } } });
      expect((await get(h.origin, '/health')).status).toBe(200);
    } finally {
      await queryRows(h.database.db, sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last!.id}, ${last!.hash}, ${last!.created_at})`);
    }
    expect((await get(h.origin, '/ready')).status).toBe(200);
  });

  it('checks Redis when it is configured, for the response cache or the thread events alone', async ({ skip }) => {
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    for (const ttl of ['60', '0']) {
      const withRedis = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: ttl, REDIS_URL: url, REDIS_PREFIX: `palaver-health-${process.pid}:` }, { http: true });
      try {
        const ready = await get(withRedis.origin, '/ready');
        if (ready.body.checks?.redis === 'unreachable') skip();
        expect(ready, `cache TTL ${ttl}`).toMatchObject({ status: 200, body: { checks: { database: 'ok', redis: 'ok' } } });
      } finally {
        await withRedis.close();
      }
    }
  });
});

describe.runIf(backend === 'postgres')('readiness through a database that stops answering', () => {
  it('reads get 503 SERVICE_UNAVAILABLE and /ready 503 while the database is cut off; both recover by themselves', { timeout: 60_000 }, async () => {
    const { proxy, database } = await proxiedPostgres(h.database.db, { poolSize: 2, connectTimeoutSeconds: 2 });
    const app = createApp({ db: database.db, config: loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0' }), logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const server: Server = createServer(app.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const query = () =>
        fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ posts(first: 1) { totalCount } }' }) }).then(
          async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } }),
        );
      expect((await get(origin, '/ready')).status).toBe(200);
      expect((await query()).status).toBe(200);
      proxy.cut();
      // Reads fail with a retryable 503 (after the connect timeout at worst), never hang, never a 500.
      const failed = await query();
      expect(failed).toMatchObject({ status: 503, retryAfter: '5' });
      expect(failed.body.errors![0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(failed.body)).not.toMatch(/ECONN|postgres|127\.0\.0\.1/i);
      // A hung probe would fail the test by its timeout: the check's own deadline answers first.
      const down = await get(origin, '/ready');
      expect(down.status).toBe(503);
      expect(down.body.checks!.database).toMatch(/^(unreachable|no answer within 2000 ms)$/);
      expect((await get(origin, '/health')).status).toBe(200);
      proxy.restore();
      let ready = false;
      for (let i = 0; i < 50 && !ready; i++) {
        ready = (await get(origin, '/ready')).status === 200;
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready).toBe(true);
      expect((await query()).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await database.close();
      await proxy.close();
    }
  });
});
