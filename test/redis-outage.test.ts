import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { tcpProxy, type TcpProxy } from './faults.js';
import { addAuthor, addPost, addThread, counterDrift, draft } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * Redis, which holds the response cache, becomes unreachable (a TCP proxy in front of the
 * machine's Redis, cut and restored): reads are answered from the database, writes succeed, and
 * when Redis answers again nothing it held from before is served, though the invalidations made
 * while it was away never reached it.
 */
const url = `redis://127.0.0.1:6379/${backend === 'pglite' ? 10 : 11}`;
let redis: Redis;
let available = false;
let proxy: TcpProxy;
let h: Harness;
let postId: number;
beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  available = await redis.connect().then(() => true, () => false);
  if (!available) return;
  await redis.flushdb();
  const target = new URL(url);
  proxy = await tcpProxy({ host: target.hostname, port: Number(target.port) });
  target.port = String(proxy.port);
  h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: target.toString(), COMMENT_FLOOD_SECONDS: '0' }, { http: true });
  postId = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'outage' });
  await addThread(h.database.db, postId, [draft(null, 1)]);
});
afterAll(async () => {
  if (available) {
    await h.close();
    await proxy.close();
  }
  redis.disconnect();
});

const READ = `{ post(slug: "outage") { commentCount comments(first: 20) { edges { node { bodyHtml } } } } }`;
let guest = 0;
const addComment = (body: string) =>
  h.gql(`mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status } } }`, {
    input: { postId: encodeGlobalId('Post', postId), body, name: 'G', email: `outage${++guest}@example.com` },
  });

describe('Redis outage', () => {
  it('reads come from the database, writes succeed, and nothing stale is served once Redis is back', async ({ skip }) => {
    if (!available) skip();
    // Cached in Redis: the repeat costs no SQL.
    expect((await h.gql(READ)).data.post.commentCount).toBe(1);
    expect((await h.gql(READ)).statements).toBe(0);
    const stored = await redis.keys('*response:*');
    expect(stored.length).toBeGreaterThan(0);

    proxy.cut();
    // Answered from the database (SQL runs), right, every time.
    for (let i = 0; i < 3; i++) {
      const read = await h.gql(READ);
      expect(read.status).toBe(200);
      expect(read.data.post.commentCount).toBe(1);
      expect(read.statements).toBeGreaterThan(0);
    }
    // The write succeeds; its invalidation cannot reach Redis, which still holds the old response.
    expect((await addComment('Written during the outage')).data.addComment.status).toBe('APPROVED');
    expect((await h.gql(READ)).data.post.commentCount).toBe(2);
    expect(await redis.exists(...stored)).toBe(stored.length);

    proxy.restore();
    // Until the cache serves again (a repeat costs no SQL), every read shows the new comment.
    let cachedAgain = false;
    for (let i = 0; i < 100 && !cachedAgain; i++) {
      const read = await h.gql(READ);
      expect(read.status).toBe(200);
      expect(read.data.post.commentCount).toBe(2);
      expect(read.data.post.comments.edges.map((e: any) => e.node.bodyHtml).join()).toContain('Written during the outage');
      cachedAgain = read.statements === 0;
      if (!cachedAgain) await sleep(100);
    }
    expect(cachedAgain).toBe(true);
    expect(h.logs.some((log) => log.level === 'info' && String(log.args[0]).includes('Redis answers again'))).toBe(true);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });
});
