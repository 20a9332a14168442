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
 * leaves alone), on a thread with placeholders, held comments, guests and registered authors:
 * the data must be the same.
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
  draftId = await addPost(db, { authorId: authors[1]!.id, slug: 'hidden', status: 'draft', publishedAt: null });
  await addThread(db, draftId, threadDrafts(random(8), { comments: 5, topLevel: 2, maxDepth: 2, moderation: false }, new Date('2024-01-01'), authors));
});
afterAll(() => h.close());

const commentFields = `__typename id bodyHtml bodyMarkdown createdAt updatedAt depth replyCount descendantCount isPlaceholder
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
  ['a draft is not found', `{ post(slug: "hidden") { title comments { edges { node { id } } } } }`],
  ['an unknown slug', `{ post(slug: "nope") { title } }`],
];

/** The same query, but through the resolvers. */
const uncompiled = (query: string) => query.replace(/(post\([^)]*\))/, '$1 @include(if: true)');

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
    ] as const) {
      const result = await h.gql(query, {}, options);
      expect(result.errors).toBeUndefined();
      expect(result.statements).toBeGreaterThan(1);
    }
    const refused = await h.gql(`{ post(slug: "tree") { comments(first: 1000) { edges { node { id } } } } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('give a tree larger than the comment budget to the resolvers, which refuse it', async () => {
    const app = createApp({
      db: h.database.db,
      config: loadConfig({ COMMENT_BUDGET: '40', RESPONSE_CACHE_TTL_SECONDS: '0' }),
      logger: createLogger('error'),
    });
    const ask = async (query: string) => {
      const response = await app.fetch('http://t/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return (await response.json()) as { data: any; errors?: { extensions: { code: string } }[] };
    };
    const small = await ask(`{ post(slug: "tree") { comments(first: 40) { edges { node { id } } } } }`);
    expect(small.data.post.comments.edges.length).toBeGreaterThan(0);
    const big = await ask(`{ post(slug: "tree") { comments(first: 30) { edges { node { id ${nested(3, '(first: 50)')} } } } } }`);
    expect(big.errors?.[0]?.extensions.code).toBe('LIMIT_EXCEEDED');
    await app.dispose();
  });
});
