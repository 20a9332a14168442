import { Lexer, Source, TokenKind } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Query limits, each at its limit and one past it; the deep-thread query passes, 20 levels of
 * replies or the deep-thread query aliased 20 times are refused before any SQL runs; and the
 * per-request comment budget stops a request that loads too much.
 */
const fields = 'id bodyHtml createdAt author { name }';
const replies = (levels: number): string => (levels === 0 ? '' : `replies(first: 50) { edges { node { ${fields} ${replies(levels - 1)} } } }`);
const deepThread = (levels = 6, alias = '') =>
  `${alias}post(slug: "deep") { comments(first: 50) { edges { node { ${fields} ${replies(levels)} } } } }`;

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  const post = await addPost(h.database.db, { slug: 'deep', authorId: await addAuthor(h.database.db) });
  await addThread(h.database.db, post, threadDrafts(random(4), { comments: 3000, topLevel: 60, maxDepth: 12, moderation: false }, new Date('2024-01-01'), []));
});
afterAll(() => h.close());

const code = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;

describe('default limits', () => {
  it('accept the deep-thread query: comments and 6 more levels of replies, 50 each', async () => {
    const result = await h.gql(`{ ${deepThread()} }`);
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data).match(/"createdAt"/g)!.length).toBeGreaterThan(1000);
  });

  it('refuse 20 levels of replies before any SQL runs', async () => {
    const result = await h.gql(`{ ${deepThread(19)} }`);
    expect(result.status).toBe(400);
    expect(code(result)).toBe('LIMIT_EXCEEDED');
    expect(result.errors![0]!.extensions).toMatchObject({ limit: 'depth' });
    expect(result.statements).toBe(0);
  });

  it('refuse the deep-thread query aliased 20 times before any SQL runs', async () => {
    const query = `{ ${Array.from({ length: 20 }, (_, i) => deepThread(6, `a${i}: `)).join('\n')} }`;
    const result = await h.gql(query);
    expect(code(result)).toBe('LIMIT_EXCEEDED');
    expect(result.statements).toBe(0);
  });
});

describe('each limit, at it and one past it', () => {
  let tight: Harness;
  beforeAll(async () => {
    tight = await createHarness({
      MAX_QUERY_DEPTH: '8',
      MAX_ALIASES: '2',
      MAX_TOKENS: '100',
      MAX_DOCUMENT_BYTES: '600',
      MAX_QUERY_COST: '100',
      COMMENT_BUDGET: '50',
    });
    const post = await addPost(tight.database.db, { slug: 'p', authorId: await addAuthor(tight.database.db) });
    await addThread(tight.database.db, post, threadDrafts(random(9), { comments: 300, topLevel: 20, maxDepth: 5, moderation: false }, new Date('2024-01-01'), []));
  });
  afterAll(() => tight.close());

  const expectLimit = async (query: string, limit: string, variables?: Record<string, unknown>) => {
    const result = await tight.gql(query, variables);
    expect(code(result), JSON.stringify(result)).toBe('LIMIT_EXCEEDED');
    expect(result.errors![0]!.extensions!.limit).toBe(limit);
    expect(result.statements).toBe(0);
  };
  const expectOk = async (query: string, variables?: Record<string, unknown>) => {
    const result = await tight.gql(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    return result;
  };

  it('depth', async () => {
    const query = (leaf: string) => `{ post(slug: "p") { comments(first: 1) { edges { node { replies(first: 1) { edges { node { ${leaf} } } } } } } } }`;
    await expectOk(query('id'));
    await expectLimit(query('author { name }'), 'depth');
    // Through fragments too.
    await expectLimit(`{ post(slug: "p") { ...A } } fragment A on Post { comments(first: 1) { edges { node { replies(first: 1) { edges { node { author { name } } } } } } } }`, 'depth');
  });

  it('aliases', async () => {
    await expectOk(`{ a: post(slug: "p") { id } b: post(slug: "p") { id } }`);
    await expectLimit(`{ a: post(slug: "p") { id } b: post(slug: "p") { id } c: post(slug: "p") { id } }`, 'aliases');
  });

  it('tokens', async () => {
    const query = (extra: number) => `{ post(slug: "p") { id ${'title '.repeat(extra)}} }`;
    const tokens = (source: string) => {
      const lexer = new Lexer(new Source(source));
      let count = 0;
      while (lexer.advance().kind !== TokenKind.EOF) count++;
      return count;
    };
    const atLimit = 100 - tokens(query(0));
    expect(tokens(query(atLimit))).toBe(100);
    await expectOk(query(atLimit));
    await expectLimit(query(atLimit + 1), 'tokens');
  });

  it('document size', async () => {
    const query = (bytes: number) => `{ post(slug: "p") { id } }`.padEnd(bytes, ' ');
    await expectOk(query(600));
    await expectLimit(query(601), 'documentBytes');
  });

  it('cost, with page sizes from variables, weighted by nesting', async () => {
    await expectOk(`{ posts(first: 100) { totalCount } }`);
    await expectLimit(`{ posts(first: 100) { edges { node { tags { id } } } } }`, 'cost');
    await expectOk(`query ($n: Int) { post(slug: "p") { comments(first: $n) { totalCount } } }`, { n: 100 });
    await expectLimit(`query ($n: Int) { post(slug: "p") { comments(first: $n) { totalCount } } }`, 'cost', { n: 101 } as never);
    // 30 posts with 35 of their author's posts each: 30 + 35 × 2 = 100 at the limit, one more is past it.
    await expectOk(`{ posts(first: 30) { edges { node { author { posts(first: 35) { totalCount } } } } } }`);
    await expectLimit(`{ posts(first: 30) { edges { node { author { posts(first: 36) { totalCount } } } } } }`, 'cost');
  });

  it('the comment budget: a request may load exactly its budget, and stops past it', async () => {
    const page = await expectOk(`{ post(slug: "p") { thread(first: 50) { edges { node { id } } } } }`);
    expect(page.data.post.thread.edges).toHaveLength(50);
    // 40 comments of the thread and the 20 top-level ones: within the static cost (70), but 60
    // comments loaded, past the budget of 50: the request stops loading and says why.
    const over = await tight.gql(`{ post(slug: "p") { thread(first: 40) { edges { node { id } } } comments(first: 30) { edges { node { id } } } } }`);
    expect(code(over)).toBe('LIMIT_EXCEEDED');
    expect(over.errors![0]!.message).toMatch(/more than 50 comments/);
    expect(over.errors![0]!.extensions).toMatchObject({ limit: 'comments', max: 50 });
  });
});
