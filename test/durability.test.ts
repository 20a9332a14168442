import { sql } from 'drizzle-orm';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDb, queryRows } from '../src/db/client.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { tcpProxy } from './faults.js';
import { addAuthor, addPost, counterDrift } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * Write durability through a database blip: 200 guests post a comment at once, through an API
 * whose Postgres connection (a TCP proxy) is cut for 2 s while they do. Each answer is either the
 * comment (which then exists exactly once) or a retryable SERVICE_UNAVAILABLE (and nothing of it
 * was written), and the counters are exact afterwards.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe.runIf(backend === 'postgres')('write durability through a database blip', () => {
  it('200 concurrent addComment: each written exactly once or refused as retryable with nothing written; counters exact', { timeout: 120_000 }, async () => {
    const postId = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'blip' });
    const [{ name }] = (await queryRows<{ name: string }>(h.database.db, sql`select current_database() as name`)) as [{ name: string }];
    const target = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    url.pathname = `/${name}`;
    const database = createDb({ databaseUrl: url.toString(), poolSize: 10, connectTimeoutSeconds: 2 });
    // As in production, with the response cache (its schedule check reads the database on every request).
    const config = loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '300', COMMENT_FLOOD_SECONDS: '0', TRUSTED_PROXIES: '127.0.0.1' });
    const app = createApp({ db: database.db, config, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const server: Server = createServer(app.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const add = (n: number) =>
        fetch(`${origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.20.${n >> 8}.${n & 255}` },
          body: JSON.stringify({
            query: `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { comment { id } } ... on Error { code } } }`,
            variables: { input: { postId: encodeGlobalId('Post', postId), body: `Durable ${n}`, name: `Guest ${n}`, email: `guest${n}@example.com` } },
          }),
        }).then(async (r) => ({ n, status: r.status, body: (await r.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } }));

      const answers = Array.from({ length: 200 }, (_, n) => add(n));
      // The blip: a moment into the burst, for 2 s.
      await sleep(50);
      proxy.cut();
      await sleep(2_000);
      proxy.restore();
      const results = await Promise.all(answers);

      const written = new Map(
        (
          await queryRows<{ body: string; count: number }>(
            h.database.db,
            sql`select body_markdown as body, count(*)::int as count from comments where post_id = ${postId} group by body_markdown`,
          )
        ).map((row) => [row.body, row.count]),
      );
      const succeeded = results.filter((r) => r.body.data?.addComment?.__typename === 'AddCommentPayload');
      const refused = results.filter((r) => !succeeded.includes(r));
      for (const r of succeeded) expect(written.get(`Durable ${r.n}`), `comment ${r.n}`).toBe(1);
      for (const r of refused) {
        expect(r.status, `comment ${r.n}`).toBe(503);
        expect(r.body.errors?.[0]?.extensions?.code, `comment ${r.n}`).toBe('SERVICE_UNAVAILABLE');
        expect(written.has(`Durable ${r.n}`), `comment ${r.n} was refused but written`).toBe(false);
      }
      // The blip hit the burst, and the API served again after it.
      expect(refused.length).toBeGreaterThan(0);
      expect(succeeded.length + refused.length).toBe(200);
      expect(await counterDrift(h.database.db)).toEqual([]);
      expect((await add(1000)).body.data.addComment.__typename).toBe('AddCommentPayload');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await app.dispose();
      await database.close();
      await proxy.close();
    }
  });
});
