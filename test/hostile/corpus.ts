import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/client.js';
import { encodeGlobalId } from '../../src/schema/ids.js';
import { encodeCursor } from '../../src/schema/pagination.js';

/*
 * Every hostile request ever found against Palaver, kept so that each hole stays closed: the
 * findings of the hostile-client probes (issue 8, "Safe on the open internet"; issue 20, "Bounded
 * work per request"), each as the request that found it, with what it must get now. CI runs them
 * all through the real listener (test/hostile.test.ts, on PGlite and Postgres), and
 * `npm run bench:hostile` sends them at 10 clients for 10 s against the production build while a
 * probe times `/health` (bench/hostile.ts).
 *
 * A request names what it needs of the database through `Target` (found or made by
 * `hostileTarget`, on any database: the test's, or the benchmark's).
 *
 * Findings that are not one request are kept by their own tests, named here so that the corpus is
 * the index of them all:
 * - issue 20 #4, an IPv6 /64 taking every subscription slot: test/subscriptions.test.ts › "counts
 *   an IPv6 /64 as one client…" (streams held open; also the `streams` entry below);
 * - issue 20 #5, deeply nested XML: test/import-wordpress.test.ts, test/import-disqus.test.ts,
 *   test/import-cli.test.ts › "…nested too deep…" (also the `import` check in test/hostile.test.ts);
 * - issue 20 #6, a failed guest comment rolling back its flood mark: test/add-comment.test.ts ›
 *   "counts a guest's comment that failed after the flood check…";
 * - issue 20 #7, junk operation names filling the metrics' labels: test/metrics.test.ts › "name only
 *   operations that ran…" (the metrics live in the server process; also the `junk-operation-name` entry);
 * - issue 20 #8, a purge webhook without a token: test/config.test.ts › "refuses a purge webhook
 *   without a token…";
 * - issue 20 #9, password-protected WordPress posts: test/import-wordpress.test.ts › "password-protected posts";
 * - issue 8 §2.1 the moderation race (test/cache.test.ts), §2.2 editOwnComment (test/moderation.test.ts),
 *   §2.5 ownComment after its window (test/moderation.test.ts), §2.6 the Redis prefix
 *   (test/cache.test.ts), §4.2 the PGlite lock (test/data-dir-lock.test.ts), §4.3 GraphiQL in a
 *   browser (test/graphiql-browser.test.ts).
 */

/** What the requests aim at: ids in the database they run against. */
export interface Target {
  /** A public post with a long thread (at least 30 comments), its slug and global ID. */
  slug: string;
  postId: string;
  /** Where writes go (the benchmark's inbox, whose comments it removes after a run; the same post in tests). */
  writePostId: string;
  /** The deepest listed comment of that thread, and a comment of it. */
  deepId: string;
  commentId: string;
  /** A draft (public readers must learn nothing of it): its cursor, and that of an id that does not exist. */
  draftCursor: string;
  unknownCursor: string;
}

export interface Expected {
  /** HTTP status (one of them). */
  status: number | number[];
  /** `extensions.code` of the first error (one of them); `null`: no errors at all. Omitted: not checked. */
  code?: string | null | (string | null)[];
  /** Patterns neither the response's headers nor its body may contain. */
  absent?: RegExp[];
}

export interface HostileRequest {
  id: string;
  /** Where it was found. */
  source: string;
  /** What it did, in one line. */
  what: string;
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  /** A GraphQL request (sent as JSON), or a raw body. */
  graphql?: (t: Target) => { query: string; variables?: Record<string, unknown>; operationName?: string };
  body?: (t: Target) => string | Uint8Array;
  expect: Expected;
  /** Too heavy to send at load (bench:hostile sends it once, not in the loop). */
  once?: boolean;
}

const fragmentBomb = (levels: number) =>
  `query { ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { posts(first: 1) { totalCount } }`;
const reentered = (levels: number): string => (levels === 0 ? 'id' : `id post { thread(first: 30) { edges { node { ${reentered(levels - 1)} } } } }`);
const ancestors = (levels: number): string => (levels === 0 ? 'id' : `id ancestors { ${ancestors(levels - 1)} }`);
const REFUSED_COST = { status: 400, code: 'LIMIT_EXCEEDED' } as const;
const json = { 'content-type': 'application/json' };

export const corpus: HostileRequest[] = [
  // --- Issue 20: bounded work per request -----------------------------------------------------
  {
    id: 'reentered-thread',
    source: 'issue 20 #1',
    what: 'a thread re-entered from each of its comments, 4 levels of 30: 810,000 comments, 29 MB, 4.1 GB',
    graphql: (t) => ({ query: `{ post(id: "${t.postId}") { thread(first: 30) { edges { node { ${reentered(3)} } } } } }` }),
    expect: REFUSED_COST,
  },
  {
    id: 'reentered-thread-31',
    source: 'issue 20 #1',
    what: 'the same with one number changed, past the response cache',
    graphql: (t) => ({ query: `{ post(id: "${t.postId}") { thread(first: 31) { edges { node { ${reentered(3)} } } } } }` }),
    expect: REFUSED_COST,
  },
  {
    id: 'nested-ancestors',
    source: 'issue 20 #2',
    what: 'ancestors nested 8 levels under a deep reply chain: 49k–62k objects, the event loop blocked 26.9 s',
    graphql: (t) => ({
      query: `query ($p: ID!, $d: ID!) { node(id: $p) { ... on Post { thread(around: $d, first: 14) { edges { node { ${ancestors(8)} } } } } } }`,
      variables: { p: t.postId, d: t.deepId },
    }),
    expect: REFUSED_COST,
  },
  {
    id: 'nodes-times-aliases',
    source: 'issue 20 #3',
    what: '15 aliases of nodes(ids:) with 100 IDs and replies(first: 100): 1–3 s each, Postgres backends at 800 MB',
    graphql: (t) => ({
      query: `query ($i: [ID!]!) { ${Array.from({ length: 15 }, (_, k) => `a${k}: nodes(ids: $i) { ... on Comment { replies(first: 100) { edges { node { id } } } } }`).join(' ')} }`,
      variables: { i: Array.from({ length: 100 }, () => t.commentId) },
    }),
    expect: REFUSED_COST,
  },
  {
    id: 'nodes-one-comment-100-times',
    source: 'issue 20 #3',
    what: 'one comment 100 times over with a page of its replies each: answered within the budget, or refused whole',
    graphql: (t) => ({ query: `query ($i: [ID!]!) { nodes(ids: $i) { ... on Comment { id replies(first: 40) { edges { node { id } } } } } }`, variables: { i: Array.from({ length: 100 }, () => t.commentId) } }),
    expect: { status: 200 },
  },
  {
    id: 'negative-page-size',
    source: 'issue 20 (probe of the new cost)',
    what: 'a page size of −1,000,000 beside a large request, to subtract from its cost',
    graphql: (t) => ({ query: `{ a: posts(first: -1000000) { totalCount } b: post(id: "${t.postId}") { thread(first: 30) { edges { node { ${reentered(2)} } } } } }` }),
    expect: REFUSED_COST,
  },
  {
    id: 'nested-introspection',
    source: 'issue 20 (probe of the new cost)',
    what: 'introspection nested through types and fields',
    graphql: () => ({ query: `{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } }` }),
    // Yoga's own introspection depth rule, or the cost (which counts introspection exactly).
    expect: { status: [200, 400], code: ['GRAPHQL_VALIDATION_FAILED', 'LIMIT_EXCEEDED'] },
  },
  {
    id: 'nul-slug',
    source: 'issue 20 #6',
    what: 'a NUL in post(slug:): a masked 500 and 7 KB of log',
    graphql: () => ({ query: `{ post(slug: "\\u0000") { id } }` }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'nul-legacy-url',
    source: 'issue 20 #6',
    what: 'a NUL in post(legacyUrl:)',
    graphql: () => ({ query: `query ($u: String) { post(legacyUrl: $u) { id } }`, variables: { u: 'https://old.example/\u0000' } }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'date-before-year-1',
    source: 'issue 20 #6',
    what: 'commentCountSince(since: "-000001-01-01T00:00:00Z")',
    graphql: (t) => ({ query: `{ post(slug: "${t.slug}") { commentCountSince(since: "-000001-01-01T00:00:00Z") } }` }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'nul-comment-body',
    source: 'issue 20 #6',
    what: 'addComment with a NUL in its body',
    graphql: (t) => ({
      query: `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }`,
      variables: { input: { postId: t.writePostId, body: 'Hello\u0000world', name: 'Guest', email: 'guest@example.com' } },
    }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'junk-operation-name',
    source: 'issue 20 #7',
    what: 'an operationName naming no operation (700 of them filled the metrics labels)',
    graphql: () => ({ query: `query Real { __typename }`, operationName: `Junk${Math.floor(Math.random() * 1e9)}` }),
    expect: { status: 400 },
  },

  // --- Issue 8: safe on the open internet ---------------------------------------------------
  {
    id: 'fragment-bomb-22',
    source: 'issue 8 §1.1',
    what: 'fragments spreading fragments twice, 22 levels: 20 s of the limits walk',
    graphql: () => ({ query: fragmentBomb(22) }),
    expect: REFUSED_COST,
  },
  {
    id: 'fragment-bomb-150',
    source: 'issue 8 §1.1',
    what: 'the same, 150 levels',
    graphql: () => ({ query: fragmentBomb(150) }),
    expect: REFUSED_COST,
  },
  {
    id: 'nodes-5000-ids',
    source: 'issue 8 §1.2',
    what: 'nodes(ids:) with 5,000 copies of one ID: 74 MB, 950 MB RSS',
    graphql: (t) => ({ query: `query ($i: [ID!]!) { nodes(ids: $i) { id } }`, variables: { i: Array.from({ length: 5000 }, () => t.postId) } }),
    expect: { status: 400, code: 'BAD_USER_INPUT' },
  },
  {
    id: 'padded-extensions',
    source: 'issue 8 §1.3',
    what: 'a read padded with 15 KB of extensions, to fill the plan cache with one query',
    body: (t) => JSON.stringify({ query: `{ post(slug: "${t.slug}") { title } }`, extensions: { pad: 'x'.repeat(15_000 + Math.floor(Math.random() * 1000)) } }),
    headers: json,
    expect: { status: 200, code: null },
  },
  {
    id: 'graphiql-page',
    source: 'issue 8 §1.4',
    what: "GraphiQL's page, 9 MB uncompressed per GET",
    method: 'GET',
    headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br' },
    // Served where GRAPHIQL is on; where it is off, a GET without a query is refused.
    expect: { status: [200, 400] },
  },
  {
    id: 'draft-tags',
    source: 'issue 8 §2.3',
    what: "a draft's tags (\"Secret Merger\") listed to the public",
    graphql: () => ({ query: `{ tags(first: 100) { edges { node { name postCount } } } }` }),
    expect: { status: 200, code: null, absent: [/Secret Merger/i] },
  },
  {
    id: 'draft-cursor',
    source: 'issue 8 §2.4',
    what: "a draft's id as a cursor, answering differently from an unknown one",
    graphql: (t) => ({ query: `query ($a: String) { posts(first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`, variables: { a: t.draftCursor } }),
    expect: { status: 200, code: null, absent: [/hostile-draft/] },
  },
  {
    id: 'csrf-form-post',
    source: 'issue 8 §3.1',
    what: 'a cross-site form POST running addComment',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example' },
    body: (t) => new URLSearchParams({ query: `mutation { addComment(input: { postId: "${t.writePostId}", body: "Forged", name: "Victim", email: "victim@example.com" }) { __typename } }` }).toString(),
    expect: { status: 415, code: 'BAD_REQUEST' },
  },
  {
    id: 'csrf-text-plain',
    source: 'issue 8 §3.1',
    what: 'the same as text/plain (a "simple" cross-site request)',
    headers: { 'content-type': 'text/plain', origin: 'https://attacker.example' },
    body: (t) => JSON.stringify({ query: `mutation { addComment(input: { postId: "${t.writePostId}", body: "Forged", name: "Victim", email: "victim@example.com" }) { __typename } }` }),
    expect: { status: 415, code: 'BAD_REQUEST' },
  },
  {
    id: 'reflected-request-method',
    source: 'issue 8 §3.2',
    what: 'Access-Control-Request-Method on an actual request, replayed to everyone by a shortcut',
    headers: { ...json, origin: 'https://attacker.example', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-evil' },
    graphql: (t) => ({ query: `{ post(slug: "${t.slug}") { title } }` }),
    expect: { status: 200, code: null, absent: [/x-evil/i] },
  },
  {
    id: 'if-none-match-key',
    source: 'issue 8 §3.3',
    what: 'If-None-Match: Post (a Redis key of another type): a 500 with a stack trace',
    headers: { ...json, 'if-none-match': 'Post' },
    graphql: (t) => ({ query: `{ post(slug: "${t.slug}") { title } }` }),
    expect: { status: 200, code: null, absent: [/WRONGTYPE/, /at .*\.js:\d+/] },
  },
  {
    id: 'script-in-guest-url',
    source: 'issue 8 §3.4',
    what: 'a guest URL with markup, stored raw',
    graphql: (t) => ({
      query: `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { comment { author { url name } } } ... on Error { code } } }`,
      variables: { input: { postId: t.writePostId, body: `Nice post ${Math.random()}`, name: 'Mallory\u202e', email: 'm@example.com', url: 'https://x.example/"><script>alert(1)</script>' } },
    }),
    expect: { status: 200, absent: [/<script>/, /\u202e/] },
  },
  {
    id: 'same-id-twice',
    source: 'issue 8 §4.1',
    what: 'one ID asked for twice (node and nodes): an unmasked error',
    graphql: (t) => ({ query: `{ a: node(id: "${t.postId}") { id } b: node(id: "${t.postId}") { id } c: nodes(ids: ["${t.postId}", "${t.postId}"]) { id } }` }),
    expect: { status: 200, code: null },
  },
  {
    id: 'body-under-the-cap',
    source: 'issue 20 (bench:hostile)',
    what: "a 7 MB body, under the 8 MB cap: yoga's adapter made a string of every byte's index (2 s of CPU, 700 MB)",
    headers: json,
    body: () => JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(7 * 1024 * 1024) } }),
    expect: { status: 200, code: null },
    once: true,
  },
  {
    id: 'huge-body',
    source: 'issue 8 §3.3',
    what: 'a 9 MB body',
    headers: json,
    body: () => JSON.stringify({ query: '{ __typename }', variables: { x: 'x'.repeat(9 * 1024 * 1024) } }),
    expect: { status: 413, code: 'LIMIT_EXCEEDED' },
    once: true,
  },
];

/**
 * The database objects the corpus aims at: the public post with the longest thread, its deepest
 * comment, and a draft with a secret tag (made if missing: idempotent).
 */
export async function hostileTarget(db: Db, writePostSlug?: string): Promise<Target> {
  const [post] = await queryRows<{ id: number; slug: string }>(
    db,
    sql`select p.id, p.slug from posts p where p.status = 'published' and p.published_at <= now() order by p.comment_count desc, p.id limit 1`,
  );
  if (!post) throw new Error('hostileTarget: the database has no public post');
  const [deep] = await queryRows<{ id: number }>(db, sql`select id from comments where post_id = ${post.id} and listed order by depth desc, id limit 1`);
  const [some] = await queryRows<{ id: number }>(db, sql`select id from comments where post_id = ${post.id} and listed and reply_count > 0 order by id limit 1`);
  let [draft] = await queryRows<{ id: number }>(db, sql`select id from posts where slug = 'hostile-draft'`);
  if (!draft) {
    [draft] = await queryRows<{ id: number }>(
      db,
      sql`insert into posts (slug, title, body_markdown, body_html, author_id, status)
          select 'hostile-draft', 'Secret Merger With Acme', 'Secret.', '<p>Secret.</p>', min(id), 'draft' from authors returning id`,
    );
    await db.execute(sql`insert into tags (slug, name) values ('secret-merger', 'Secret Merger') on conflict do nothing`);
    await db.execute(sql`insert into post_tags (post_id, tag_id) select ${draft!.id}, id from tags where slug = 'secret-merger' on conflict do nothing`);
  }
  const [write] = writePostSlug ? await queryRows<{ id: number }>(db, sql`select id from posts where slug = ${writePostSlug}`) : [post];
  return {
    slug: post.slug,
    postId: encodeGlobalId('Post', post.id),
    writePostId: encodeGlobalId('Post', write!.id),
    deepId: encodeGlobalId('Comment', deep!.id),
    commentId: encodeGlobalId('Comment', some!.id),
    draftCursor: encodeCursor('Post', draft!.id),
    unknownCursor: encodeCursor('Post', 2_000_000_000),
  };
}

/** The HTTP request an entry sends. */
export function requestOf(entry: HostileRequest, target: Target): { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array } {
  const method = entry.method ?? 'POST';
  const headers = { ...(entry.graphql && !entry.headers ? json : {}), ...entry.headers };
  const body = entry.body ? entry.body(target) : entry.graphql ? JSON.stringify(entry.graphql(target)) : undefined;
  return { method, path: entry.path ?? '/graphql', headers, ...(method === 'GET' ? {} : { body }) };
}
