import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { redisPrefix } from '../src/cache.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, draft } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';
import { LARGE_RESPONSE_BYTES } from '../src/engine/index.js';

/*
 * The response cache, both ways: a repeated anonymous read costs no SQL; every write that
 * changes what a cached response shows makes the next read fresh; nothing private is cached.
 */
let h: Harness;
let editor: { id: number; token: string };
let postId: number;
let rootId: number;
beforeAll(async () => {
  // Over a real socket, as server.ts serves: repeats are answered by replays before yoga.
  h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', COMMENT_FLOOD_SECONDS: '0', TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
  editor = await addWriter(h.database.db, 'editor');
  postId = await addPost(h.database.db, { authorId: await addAuthor(h.database.db, { name: 'Ann' }), slug: 'cached', title: 'Cached' });
  rootId = (await addThread(h.database.db, postId, [draft(null, 1), draft(0, 2)]))[0]!;
});
afterAll(() => h.close());

const POST = `{ post(slug: "cached") { title commentCount author { name }
  comments { edges { node { replyCount bodyHtml author { name } replies { edges { node { bodyHtml } } } } } } } }`;
const FRONT = `{ posts(first: 5) { edges { node { slug title commentCount } } } }`;
let ip = 0;
const comment = (fields: Record<string, unknown>) =>
  h.gql(
    `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status guestToken comment { id } } } }`,
    { input: { postId: encodeGlobalId('Post', postId), name: 'G', email: `g${++ip}@example.com`, ...fields } },
    { ip: `10.8.0.${ip}` },
  );
const moderate = (id: string, action: string) =>
  h.gql(`mutation ($ids: [ID!]!, $action: ModerationAction!) { moderateComments(ids: $ids, action: $action) { __typename } }`, { ids: [id], action }, { token: editor.token });

/** Reads twice: the second read must be a replay of the cached response (no SQL, no yoga). */
async function cachedRead(query: string) {
  const first = await h.gql(query);
  const served = h.app.replays!.served;
  const second = await h.gql(query);
  expect(second.statements).toBe(0);
  expect(h.app.replays!.served).toBe(served + 1);
  expect(second.data).toEqual(first.data);
  return first;
}


/*
 * The moderation race: 8 readers of one post keep reading it in 48 variants (`first:` values,
 * half through the compiled read, half through the resolvers), so that reads which miss the
 * cache are in flight while a moderator marks a comment as spam. A read that started before the
 * moderation may finish after it dropped the cached responses; it must not store what it read.
 * After each round every variant is read again: none may still show the comment. Then the
 * comment is approved again for the next round.
 */
const RACE_MARKER = 'Race marker';
const RACE_VARIANTS = 48;
const raceQuery = (i: number) =>
  `{ post(slug: "race") { comments(first: ${1 + (i % 12)}) { ${i % 2 ? 'pageInfo { hasNextPage } ' : ''}edges { node { bodyHtml replies(first: ${1 + Math.floor(i / 12)}) { edges { node { bodyHtml } } } } } } } }`;

async function addRaceThread(db: Harness['database']['db']): Promise<number> {
  const post = await addPost(db, { authorId: await addAuthor(db), slug: 'race' });
  const drafts = [draft(null, 0, { bodyMarkdown: RACE_MARKER })];
  for (let i = 1; i <= 12; i++) drafts.push(draft(null, i * 10), draft(drafts.length - 1, i * 10 + 1), draft(drafts.length - 1, i * 10 + 2));
  return (await addThread(db, post, drafts))[0]!;
}

async function staleAfterModerationRounds(
  rounds: number,
  readers: ((query: string) => Promise<unknown>)[],
  moderate: (action: 'SPAM' | 'APPROVE') => Promise<void>,
): Promise<{ stale: number; reads: number }> {
  let stale = 0;
  let reads = 0;
  for (let round = 0; round < rounds; round++) {
    let stop = false;
    const loops = Array.from({ length: 8 }, async (_, reader) => {
      const read = readers[reader % readers.length]!;
      for (let i = reader * 6; !stop; i++) {
        await read(raceQuery(i % RACE_VARIANTS));
        reads++;
      }
    });
    await sleep(3 + (round % 5) * 4);
    await moderate('SPAM');
    stop = true;
    await Promise.all(loops);
    for (let i = 0; i < RACE_VARIANTS; i++) {
      for (const read of readers) {
        if (JSON.stringify(await read(raceQuery(i))).includes(RACE_MARKER)) stale++;
      }
    }
    await moderate('APPROVE');
  }
  return { stale, reads };
}

describe('response cache', () => {
  it('serves a repeated anonymous read without SQL', async () => {
    const first = await cachedRead(POST);
    expect(first.statements).toBeGreaterThan(0);
    await cachedRead(FRONT);
  });

  it('is fresh after a comment is approved, held, deleted, or a reply is added', async () => {
    await cachedRead(POST);
    const added = await comment({ body: 'Fresh words' });
    expect(added.data.addComment.status).toBe('APPROVED');
    const afterAdd = await cachedRead(POST);
    expect(afterAdd.data.post.commentCount).toBe(3);
    expect(JSON.stringify(afterAdd.data)).toContain('Fresh words');

    const reply = await comment({ body: 'A reply', parentId: encodeGlobalId('Comment', rootId) });
    const afterReply = await cachedRead(POST);
    expect(afterReply.data.post.comments.edges[0].node.replyCount).toBe(2);

    await moderate(added.data.addComment.comment.id, 'HOLD');
    const afterHold = await cachedRead(POST);
    expect(JSON.stringify(afterHold.data)).not.toContain('Fresh words');
    expect(afterHold.data.post.commentCount).toBe(3);

    await moderate(reply.data.addComment.comment.id, 'DELETE');
    expect((await cachedRead(POST)).data.post.comments.edges[0].node.replyCount).toBe(1);
    await cachedRead(FRONT);
  });

  it('does not drop the cache for a comment nobody else can see', async () => {
    await cachedRead(POST);
    const held = await comment({ body: 'Two links https://a.example https://b.example' });
    expect(held.data.addComment.status).toBe('PENDING');
    expect((await h.gql(POST)).statements).toBe(0);
  });

  it('is fresh after a post is edited, unpublished, republished, or its author renamed', async () => {
    await cachedRead(FRONT);
    const id = encodeGlobalId('Post', postId);
    const { data } = await h.gql(`{ post(slug: "cached") { version } }`, {}, { token: editor.token });
    const updated = await h.gql(`mutation ($id: ID!, $v: Int!) { updatePost(id: $id, version: $v, fields: { title: "Renamed" }) { __typename ... on Error { message } } }`, { id, v: data.post.version }, { token: editor.token });
    expect(updated.data.updatePost.__typename).toBe('Post');
    expect((await cachedRead(FRONT)).data.posts.edges.find((e: any) => e.node.slug === 'cached').node.title).toBe('Renamed');

    await cachedRead(POST);
    await h.gql(`mutation ($id: ID!) { unpublishPost(id: $id) { __typename } }`, { id }, { token: editor.token });
    expect((await h.gql(POST)).data.post).toBeNull();
    expect((await cachedRead(FRONT)).data.posts.edges.map((e: any) => e.node.slug)).not.toContain('cached');
    await h.gql(`mutation ($id: ID!) { publishPost(id: $id) { __typename } }`, { id }, { token: editor.token });
    expect((await cachedRead(POST)).data.post.title).toBe('Renamed');

    const authorId = (await h.gql(`{ post(slug: "cached") { author { id } } }`)).data.post.author.id;
    await h.gql(`mutation ($id: ID!) { updateAuthor(id: $id, fields: { name: "Annabel" }) { __typename } }`, { id: authorId }, { token: (await addWriter(h.database.db, 'admin')).token });
    expect((await cachedRead(POST)).data.post.author.name).toBe('Annabel');
  });

  it('never caches nor serves responses for token holders', async () => {
    await addPost(h.database.db, { authorId: editor.id, slug: 'secret-draft', status: 'draft', publishedAt: null });
    const query = `{ posts(status: [DRAFT]) { edges { node { slug } } } }`;
    expect((await cachedRead(query)).data.posts.edges).toEqual([]); // the public's answer, cached
    const asEditor = await h.gql(query, {}, { token: editor.token });
    expect(asEditor.statements).toBeGreaterThan(0);
    expect(asEditor.data.posts.edges).toEqual([{ node: { slug: 'secret-draft' } }]);
    const again = await h.gql(query, {}, { token: editor.token });
    expect(again.statements).toBeGreaterThan(0);
    expect((await h.gql(query)).data.posts.edges).toEqual([]);
  });

  it("never caches a guest's own pending comment", async () => {
    const held = await comment({ body: 'Pending https://a.example https://b.example' });
    const { guestToken, comment: c } = held.data.addComment;
    const own = `query ($id: ID!, $t: String!) { ownComment(id: $id, guestToken: $t) { ... on OwnComment { comment { bodyMarkdown } } ... on Error { code } } }`;
    const first = await h.gql(own, { id: c.id, t: guestToken });
    expect(first.data.ownComment.comment.bodyMarkdown).toContain('Pending');
    const second = await h.gql(own, { id: c.id, t: guestToken });
    expect(second.statements).toBeGreaterThan(0);
    const other = await h.gql(own, { id: c.id, t: 'guest_not-the-token' });
    expect(other.data.ownComment).toEqual({ code: 'NOT_FOUND' });
  });

  it('lets a scheduled post appear when its time comes, with no write to invalidate anything', async () => {
    const scheduled = await addPost(h.database.db, { authorId: editor.id, slug: 'later', status: 'draft', publishedAt: null });
    const at = new Date(Date.now() + 2000);
    await h.gql(`mutation ($id: ID!, $at: DateTime!) { schedulePost(id: $id, publishAt: $at) { __typename } }`, { id: encodeGlobalId('Post', scheduled), at }, { token: editor.token });
    const query = `{ posts(first: 50) { edges { node { slug } } } }`;
    const slugs = (r: any) => r.data.posts.edges.map((e: any) => e.node.slug);
    expect(slugs(await cachedRead(query))).not.toContain('later');
    await sleep(at.getTime() - Date.now() + 300);
    expect(slugs(await h.gql(query))).toContain('later');
  });

  it(`keeps a response over ${LARGE_RESPONSE_BYTES} bytes under every object it names (without walking it, which held the event loop ~1 s), and drops it when one changes`, async () => {
    // 120 comments with 2 KB bodies: ≈250 KB of JSON.
    const big = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'big' });
    const ids = await addThread(h.database.db, big, Array.from({ length: 120 }, (_, i) => draft(null, i, { bodyMarkdown: `${'long words '.repeat(200)}${i}` })));
    const query = `{ post(slug: "big") { comments(first: 100) { edges { node { id bodyHtml author { name } } } } } }`;
    const response = await fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const text = await response.text();
    expect(text.length).toBeGreaterThan(LARGE_RESPONSE_BYTES);
    expect(text).not.toMatch(/__responseCache/);
    const first = JSON.parse(text) as any;
    expect(first.data.post.comments.edges).toHaveLength(100);
    // Kept: the repeat is a replay.
    const again = await cachedRead(query);
    expect(again.data).toEqual(first.data);
    // A comment deep in it is spammed: the next read is fresh, without it.
    const spammed = encodeGlobalId('Comment', ids[57]!);
    expect(JSON.stringify(first.data)).toContain(spammed);
    await moderate(spammed, 'SPAM');
    const fresh = await h.gql(query);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(JSON.stringify(fresh.data)).not.toContain(spammed);
  });

  it('does not cache lookups that found nothing, which no write could invalidate', async () => {
    const query = `{ comment(id: "${encodeGlobalId('Comment', 999_999)}") { id } }`;
    await h.gql(query);
    expect((await h.gql(query)).statements).toBeGreaterThan(0);
  });
});

describe('response cache in memory, racing moderation', () => {
  it('stores no response read before a moderation after it: zero stale keys in 12 rounds', async () => {
    const raceId = encodeGlobalId('Comment', await addRaceThread(h.database.db));
    const { stale, reads } = await staleAfterModerationRounds(
      12,
      [(query) => h.gql(query).then((r) => r.data)],
      async (action) => void (await moderate(raceId, action)),
    );
    expect(reads).toBeGreaterThan(12 * 8);
    expect(stale).toBe(0);
  });
});

describe('replays of cached responses', () => {
  const raw = async (headers: Record<string, string>, query = FRONT) => {
    const response = await fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, type: response.headers.get('content-type'), length: response.headers.get('content-length'), body: await response.text() };
  };

  it('answers a repeat with the bytes and headers yoga sent, per Accept header', async () => {
    const query = `{ posts(first: 3) { edges { node { slug } } } }`;
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const served = h.app.replays!.served;
      const first = await raw({ accept }, query);
      const second = await raw({ accept }, query);
      expect(first.type).toBe(`${accept}; charset=utf-8`);
      expect(second).toEqual(first);
      expect(h.app.replays!.served).toBe(served + 1);
    }
  });

  it('replays only single JSON responses, not event streams', async () => {
    const served = h.app.replays!.served;
    const first = await raw({ accept: 'text/event-stream' });
    const second = await raw({ accept: 'text/event-stream' });
    expect(first.type).toContain('text/event-stream');
    expect(second).toEqual(first);
    expect(h.app.replays!.served).toBe(served);
  });

  it('never answers a request with credentials, nor a different request, from a replay', async () => {
    await cachedRead(FRONT);
    const served = h.app.replays!.served;
    const asEditor = await h.gql(FRONT, {}, { token: editor.token });
    expect(asEditor.statements).toBeGreaterThan(0);
    expect((await raw({ accept: 'application/json', cookie: 'a=b' })).status).toBe(200);
    const variant = await h.gql(`${FRONT} `); // another body: answered by yoga (from the cache)
    expect(variant.data).toEqual((await h.gql(FRONT)).data);
    expect(h.app.replays!.served).toBe(served + 1); // only the last, byte-identical read
  });
});

describe('response cache in Redis', () => {
  // Two API processes over one database, sharing the machine's Redis (a database of its own per
  // test backend, emptied first). Skipped where no Redis answers.
  const url = `redis://127.0.0.1:6379/${backend === 'pglite' ? 7 : 8}`;
  let redis: Redis;
  let available = false;
  let a: Harness;
  let b: ReturnType<typeof createApp>;
  beforeAll(async () => {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    available = await redis.connect().then(() => true, () => false);
    if (!available) return;
    await redis.flushdb();
    a = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url, COMMENT_FLOOD_SECONDS: '0' }, { http: true });
    b = createApp({ db: a.database.db, config: loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url }), logger: createLogger('error') });
    const post = await addPost(a.database.db, { authorId: await addAuthor(a.database.db), slug: 'shared' });
    await addThread(a.database.db, post, [draft(null, 1)]);
  });
  afterAll(async () => {
    if (available) {
      await b.dispose();
      await a.close();
    }
    redis.disconnect();
  });

  const readOnB = async (query: string) => {
    const before = a.database.statements.count;
    const response = await b.fetch('http://b/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return { data: ((await response.json()) as any).data, statements: a.database.statements.count - before };
  };

  it('is shared by processes: one caches, the other serves; one writes, the other reads fresh', async ({ skip }) => {
    if (!available) skip();
    const query = `{ post(slug: "shared") { commentCount } }`;
    const cached = await a.gql(query);
    expect(cached.data.post.commentCount).toBe(1);
    // The plugin stores a response after answering it: A's second read proves it is stored.
    expect((await a.gql(query)).statements).toBe(0);
    // (B's first request also reads when the next scheduled post goes public: one statement.)
    await readOnB('{ __typename }');
    expect(await readOnB(query)).toEqual({ data: cached.data, statements: 0 });

    const added = await a.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status } } }`,
      { input: { postId: (await a.gql(`{ post(slug: "shared") { id } }`)).data.post.id, body: 'Shared', name: 'G', email: 'shared@example.com' } },
    );
    expect(added.data.addComment.status).toBe('APPROVED');
    const fresh = await readOnB(query);
    expect(fresh.data.post.commentCount).toBe(2);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(await redis.dbsize()).toBeGreaterThan(0);
  });

  it('stores no response read before a moderation after it, on either process: zero stale keys in 8 rounds', async ({ skip }) => {
    if (!available) skip();
    const raceId = encodeGlobalId('Comment', await addRaceThread(a.database.db));
    const editor = await addWriter(a.database.db, 'editor');
    const { stale } = await staleAfterModerationRounds(
      8,
      [(query) => a.gql(query).then((r) => r.data), async (query) => (await readOnB(query)).data],
      async (action) => {
        const result = await a.gql(`mutation ($ids: [ID!]!, $action: ModerationAction!) { moderateComments(ids: $ids, action: $action) { __typename } }`, { ids: [raceId], action }, { token: editor.token });
        expect(result.data.moderateComments.__typename).toBe('ModerateCommentsPayload');
      },
    );
    expect(stale).toBe(0);
  });

  it("does not replay a response another process's write made stale", async ({ skip }) => {
    if (!available) skip();
    const query = `{ post(slug: "shared") { commentCount } }`;
    const before = (await a.gql(query)).data.post.commentCount;
    // The replay is kept once Redis confirmed the entry, a round trip after the response went out.
    let replayed = false;
    for (let i = 0; i < 50 && !replayed; i++) {
      const before = a.app.replays!.served;
      expect((await a.gql(query)).statements).toBe(0);
      replayed = a.app.replays!.served === before + 1;
    }
    expect(replayed).toBe(true);
    const served = a.app.replays!.served;

    const postId = (await readOnB(`{ post(slug: "shared") { id } }`)).data.post.id;
    const response = await b.fetch('http://b/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status } } }`,
        variables: { input: { postId, body: 'From B', name: 'G', email: 'from-b@example.com' } },
      }),
    }, { req: { socket: { remoteAddress: '10.9.0.1' } } } as never);
    expect(((await response.json()) as any).data.addComment.status).toBe('APPROVED');
    const fresh = await a.gql(query);
    expect(fresh.data.post.commentCount).toBe(before + 1);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(a.app.replays!.served).toBe(served);
  });

  it('keeps two deployments on two databases apart in one Redis: each key under its own prefix', async ({ skip }) => {
    if (!available) skip();
    const other = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url }, { http: true });
    try {
      for (const [harness, title] of [[a, 'Production'], [other, 'Demo']] as const) {
        await addPost(harness.database.db, { authorId: await addAuthor(harness.database.db), slug: 'same-slug', title });
      }
      const query = `{ post(slug: "same-slug") { title } }`;
      expect((await a.gql(query)).data.post.title).toBe('Production');
      expect((await a.gql(query)).statements).toBe(0);
      const demo = await other.gql(query);
      expect(demo.data.post.title).toBe('Demo');
      expect(demo.statements).toBeGreaterThan(0);
      expect((await other.gql(query)).data.post.title).toBe('Demo');
      expect((await a.gql(query)).data.post.title).toBe('Production');

      const [prefixA, prefixOther] = [await redisPrefix(loadConfig({ REDIS_URL: url }), a.database.db), await redisPrefix(loadConfig({ REDIS_URL: url }), other.database.db)];
      expect(prefixA).toMatch(/^palaver:[0-9a-f]{16}:$/);
      expect(prefixOther).not.toBe(prefixA);
      const keys = await redis.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((key) => !key.startsWith(prefixA) && !key.startsWith(prefixOther))).toEqual([]);
      expect(keys.some((key) => key.startsWith(prefixOther))).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('puts every key under REDIS_PREFIX when it is set', async ({ skip }) => {
    if (!available) skip();
    const named = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url, REDIS_PREFIX: 'staging:' }, { http: true });
    try {
      await addPost(named.database.db, { authorId: await addAuthor(named.database.db), slug: 'named' });
      await named.gql(`{ post(slug: "named") { title } }`);
      expect((await named.gql(`{ post(slug: "named") { title } }`)).statements).toBe(0);
      expect((await redis.keys('staging:*')).length).toBeGreaterThan(0);
    } finally {
      await named.close();
    }
  });

  it('never lets a request header reach Redis: If-None-Match is answered normally, never a 500', async ({ skip }) => {
    if (!available) skip();
    const query = `{ post(slug: "shared") { title } }`;
    const plain = await a.gql(query);
    for (const value of ['Post', 'Comment:1', 'palaver:cache:generation', '0:abc', '"*"', '*', 'x'.repeat(5000)]) {
      for (const extra of [{}, { 'if-modified-since': new Date().toUTCString() }] as Record<string, string>[]) {
        const response = await fetch(`${a.origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'if-none-match': value, ...extra },
          body: JSON.stringify({ query }),
        });
        expect(response.status, value).toBe(200);
        expect(response.headers.get('etag')).toBeNull();
        expect(((await response.json()) as any).data).toEqual(plain.data);
      }
    }
  });
});
