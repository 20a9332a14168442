import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread, addWriter } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Compiled reads (src/compiled.ts): a post with its comment tree is answered by one statement
 * that builds the JSON in Postgres. Every query here is asked twice, compiled and through the
 * resolvers (the same query with `@include(if: true)` on its root field, which the compiler
 * leaves alone), on a thread with placeholders, held comments, edited comments, guests and
 * registered authors: the data must be the same.
 */
let h: Harness;
let postId: number;
let draftId: number;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const authors = [];
  for (const name of ['Ann', 'Ben', 'Cy']) authors.push({ id: await addAuthor(db, { name }), name });
  postId = await addPost(db, { authorId: authors[0]!.id, slug: 'tree', title: 'Tree' });
  const drafts = threadDrafts(random(7), { comments: 400, topLevel: 30, maxDepth: 9, moderation: true }, new Date('2024-01-01'), authors);
  await addThread(db, postId, drafts);
  // Some comments were edited by their guests (shown while public only).
  await db.execute(sql`update comments set edited_at = created_at + interval '5 minutes' where id % 3 = 0`);
  draftId = await addPost(db, { authorId: authors[1]!.id, slug: 'hidden', status: 'draft', publishedAt: null });
  await addThread(db, draftId, threadDrafts(random(8), { comments: 5, topLevel: 2, maxDepth: 2, moderation: false }, new Date('2024-01-01'), authors));
});
afterAll(() => h.close());

const commentFields = `__typename id bodyHtml bodyMarkdown createdAt updatedAt editedAt depth replyCount descendantCount isPlaceholder
  author { __typename name url avatarUrl }`;
const nested = (levels: number, args = '(first: 7)'): string =>
  levels === 0 ? '' : `replies${args} { __typename edges { __typename node { ${commentFields} ${nested(levels - 1, args)} } } }`;

const queries: [string, string, Record<string, unknown>?][] = [
  [
    'every field, nine levels',
    `{ post(slug: "tree") { __typename id slug title excerpt bodyHtml bodyMarkdown version commentsOpen commentCount publishedAt createdAt updatedAt
        author { __typename id slug name bio avatarUrl website }
        comments(first: 30) { __typename edges { __typename node { ${commentFields} ${nested(8)} } } } } }`,
  ],
  [
    'newest first, aliases, by ID',
    `query ($id: ID!) { p: post(id: $id) { t: title who: author { n: name }
        latest: comments(first: 5, order: NEWEST_FIRST) { e: edges { n: node { i: id c: createdAt
          r: replies(first: 3, order: NEWEST_FIRST) { edges { node { id createdAt author { name } } } } } } }
        oldest: comments(first: 2) { edges { node { id } } } } }`,
    { id: encodeGlobalId('Post', 1) },
  ],
  [
    'variables and the default page size',
    `query ($slug: String!, $n: Int, $order: SortOrder) { post(slug: $slug) { comments(first: $n, order: $order) { edges { node { id replies { edges { node { id } } } } } } } }`,
    { slug: 'tree', n: 12, order: 'OLDEST_FIRST' },
  ],
  [
    'a page of posts',
    `{ posts(first: 5) { __typename edges { __typename node { __typename id title slug commentCount publishedAt author { name } } } } }`,
  ],
  [
    'a page of posts, oldest first, with their first comments',
    `query ($n: Int) { latest: posts(first: $n, order: OLDEST_FIRST) { edges { node { slug comments(first: 2) { edges { node { id author { name } } } } } } } }`,
    { n: 3 },
  ],
  ['a draft is not found', `{ post(slug: "hidden") { title comments { edges { node { id } } } } }`],
  ['an unknown slug', `{ post(slug: "nope") { title } }`],
];

/** The same query, but through the resolvers. */
const uncompiled = (query: string) => {
  const changed = query.replace(/(\bposts?\([^)]*\))/, '$1 @include(if: true)');
  expect(changed).not.toBe(query);
  return changed;
};

describe('compiled reads', () => {
  for (const [name, query, variables] of queries) {
    it(`answer like the resolvers: ${name}`, async () => {
      const vars = variables?.id ? { id: encodeGlobalId('Post', postId) } : variables;
      const compiled = await h.gql(query, vars);
      const resolved = await h.gql(uncompiled(query), vars);
      expect(compiled.errors).toBeUndefined();
      expect(resolved.errors).toBeUndefined();
      expect(compiled.data).toEqual(resolved.data);
      expect(JSON.stringify(compiled.data)).toBe(JSON.stringify(resolved.data)); // key order too
      expect(compiled.statements).toBe(1);
      if (query.includes('editedAt')) expect(JSON.stringify(compiled.data)).toMatch(/"editedAt":"\d{4}-/); // not only nulls
    });
  }

  it('cost one statement however deep the tree, where the resolvers cost one per level', async () => {
    const query = `{ post(slug: "tree") { comments(first: 30) { edges { node { id ${nested(8, '(first: 50)')} } } } } }`;
    const compiled = await h.gql(query);
    const resolved = await h.gql(uncompiled(query));
    expect(compiled.statements).toBe(1);
    expect(resolved.statements).toBeGreaterThanOrEqual(9);
    expect(compiled.data).toEqual(resolved.data);
    expect(JSON.stringify(compiled.data).match(/"id"/g)!.length).toBeGreaterThan(100); // nested pages were read
  });

  it('leave every other shape to the resolvers', async () => {
    const token = (await addWriter(h.database.db, 'editor')).token;
    const thread = `comments(first: 3) { edges { node { id replies { edges { node { id } } } } } }`;
    for (const [query, options] of [
      [`{ post(slug: "tree") { ${thread.replace('edges {', 'pageInfo { hasNextPage } edges {')} } }`, {}],
      [`{ post(slug: "tree") { ...F } } fragment F on Post { ${thread} }`, {}],
      [`{ post(slug: "tree") { tags { slug } ${thread} } }`, {}],
      [`{ post(slug: "tree") { ${thread} } }`, { token }],
      // The same key twice is one field merged from both selections.
      [`{ post(slug: "tree") { ${thread} comments(first: 3) { edges { node { bodyHtml } } } } }`, {}],
    ] as const) {
      const result = await h.gql(query, {}, options);
      expect(result.errors).toBeUndefined();
      expect(result.statements).toBeGreaterThan(1);
    }
    const refused = await h.gql(`{ post(slug: "tree") { comments(first: 1000) { edges { node { id } } } } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('count comments exactly for the budget: at it, one statement; one past it, the resolvers refuse', async () => {
    const query = `{ post(slug: "tree") { comments(first: 30) { edges { node { id author { name } ${nested(3, '(first: 50)')} } } } } }`;
    const count = (JSON.stringify((await h.gql(query)).data).match(/"node":/g) ?? []).length;
    expect(count).toBeGreaterThan(100);
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
  });
});

describe('compiled reads with the response cache', () => {
  it('answer a miss in one statement, with the objects the cache needs to invalidate it', async () => {
    const cached = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300' });
    const author = await addAuthor(cached.database.db, { name: 'Ann' });
    const post = await addPost(cached.database.db, { authorId: author, slug: 'c' });
    const ids = await addThread(cached.database.db, post, threadDrafts(random(5), { comments: 20, topLevel: 4, maxDepth: 3, moderation: false }, new Date('2024-01-01'), [{ id: author, name: 'Ann' }]));
    const query = `{ post(slug: "c") { commentCount comments { edges { node { id bodyHtml replies { edges { node { id bodyHtml } } } } } } } }`;
    await cached.gql('{ __typename }'); // the cache's check for scheduled posts, once a second
    const miss = await cached.gql(query);
    expect(miss.statements).toBe(1);
    expect((await cached.gql(query)).statements).toBe(0);
    expect(miss.data).toEqual((await cached.gql(uncompiled(query))).data);
    // A reply deep in the tree names its ancestors: the cached tree is dropped.
    const editor = await addWriter(cached.database.db, 'editor');
    await cached.gql(`mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: TRASH) { __typename } }`, { ids: [encodeGlobalId('Comment', ids[1]!)] }, { token: editor.token });
    const fresh = await cached.gql(query);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(fresh.data.post.commentCount).toBe(miss.data.post.commentCount - 1);
    await cached.close();
  });
});

describe('compiled plans', () => {
  // Over a real socket, as server.ts serves, without the response cache: a repeat of a compiled
  // read is rerun from its plan, past yoga.
  let web: Harness;
  beforeAll(async () => {
    web = await createHarness({}, { http: true });
    const author = await addAuthor(web.database.db, { name: 'Ann' });
    const post = await addPost(web.database.db, { authorId: author, slug: 'planned', title: 'Planned' });
    await addThread(web.database.db, post, threadDrafts(random(3), { comments: 30, topLevel: 5, maxDepth: 3, moderation: false }, new Date('2024-01-01'), [{ id: author, name: 'Ann' }]));
  });
  afterAll(() => web.close());

  const raw = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${web.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answer a repeat from the plan, with fresh data and the headers yoga sent', async () => {
    const query = `{ post(slug: "planned") { title commentCount comments(first: 3) { edges { node { id bodyHtml replies { edges { node { id } } } } } } } }`;
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const served = web.app.plans!.served;
      const first = await raw(query, { accept });
      const second = await raw(query, { accept });
      expect(web.app.plans!.served).toBe(served + 1);
      expect(second).toEqual(first);
      expect(first.type).toBe(`${accept}; charset=utf-8`);
    }
    // The data changes behind the API's back: a plan reruns its statement, nothing is kept.
    const before = await web.gql(query);
    expect(before.statements).toBe(1);
    await web.database.db.execute(sql`update posts set title = 'Replanned' where slug = 'planned'`);
    const after = await web.gql(query);
    expect(after.statements).toBe(1);
    expect(after.data.post.title).toBe('Replanned');
    expect({ ...after.data.post, title: 'Planned' }).toEqual(before.data.post);
  });

  it('stand only for single JSON responses, not event streams', async () => {
    const query = `{ post(slug: "planned") { title } }`;
    const served = web.app.plans!.served;
    const first = await raw(query, { accept: 'text/event-stream' });
    const second = await raw(query, { accept: 'text/event-stream' });
    expect(first.type).toContain('text/event-stream');
    expect(second).toEqual(first);
    expect(web.app.plans!.served).toBe(served);
  });

  it('are not made for requests the resolvers answered, nor used with credentials', async () => {
    const served = web.app.plans!.served;
    const other = `{ post(slug: "planned") { tags { slug } } }`;
    await web.gql(other);
    expect((await web.gql(other)).statements).toBeGreaterThan(0);
    const token = (await addWriter(web.database.db, 'editor')).token;
    const query = `{ post(slug: "planned") { title } }`;
    await web.gql(query);
    await web.gql(query, {}, { token });
    expect(web.app.plans!.served).toBe(served);
    await web.gql(query);
    expect(web.app.plans!.served).toBe(served + 1);
  });
});
