import { Lexer, Source, TokenKind, getNullableType, isInterfaceType, isListType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { schema } from '../src/schema/index.js';
import { SEARCH_COST } from '../src/schema/post.js';

/*
 * Query limits, each at its limit and one past it; the deep-thread query passes, 20 levels of
 * replies or the deep-thread query aliased 20 times are refused before any SQL runs; and the
 * per-request comment budget stops a request that loads too much. Fragments spread within
 * fragments are measured once each (a document that doubles its fields 150 times is refused as
 * quickly as `{ __typename }` is answered), and list arguments have a length limit each.
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

  it('cost: a connection its objects and its page\'s rows, through variables and fragments', async () => {
    // 1 (the connection) + 1 (totalCount, a count) + 98 rows read = 100, at the limit; one more row is past it.
    await expectOk(`{ posts(first: 98) { totalCount } }`);
    await expectLimit(`{ posts(first: 99) { totalCount } }`, 'cost');
    await expectOk(`query ($n: Int) { posts(first: $n) { totalCount } }`, { n: 98 });
    await expectLimit(`query ($n: Int) { posts(last: $n) { totalCount } }`, 'cost', { n: 99 });
    // Nested lists multiply: 1 + 2 × (edge, node, author, and 1 + k × (edge, node)) = 11 + 4k.
    await expectOk(`{ posts(first: 2) { edges { node { author { posts(first: 22) { edges { node { id } } } } } } } }`);
    await expectLimit(`{ posts(first: 2) { edges { node { author { posts(first: 23) { edges { node { id } } } } } } } }`, 'cost');
    // A search weighs SEARCH_COST (20) more, through a variable too.
    await expectOk(`query ($q: String) { posts(first: ${98 - SEARCH_COST}, search: $q) { totalCount } }`, { q: 'tree' });
    await expectLimit(`query ($q: String) { posts(first: ${98 - SEARCH_COST + 1}, search: $q) { totalCount } }`, 'cost', { q: 'tree' });
    await expectOk(`{ posts(first: 98, search: "") { totalCount } }`);
    // Fragments count wherever they are spread.
    await expectOk(`{ ...P } fragment P on Query { posts(first: 98) { totalCount } }`);
    await expectLimit(`{ a: posts(first: 49) { ...C } b: posts(first: 49) { ...C } } fragment C on PostConnection { totalCount }`, 'cost');
  });

  it('list arguments: nodes(ids:) takes at most 100 IDs, and costs their number like a page size', async () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => encodeGlobalId('Post', 1000 + i));
    const nodes = `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Post { author { id } } } }`;
    // Its selection once per ID: 2 objects each, 100 at the limit here; one more ID is past it.
    await expectOk(nodes, { ids: ids(50) });
    await expectLimit(nodes, 'cost', { ids: ids(51) });
    for (const [query, variables] of [
      [nodes, { ids: ids(101) }],
      [`{ nodes(ids: [${ids(101).map((id) => `"${id}"`).join(',')}]) { id } }`, {}],
    ] as const) {
      const result = await h.gql(query, variables);
      expect(result.status).toBe(400);
      expect(code(result)).toBe('BAD_USER_INPUT');
      expect(result.errors![0]!.extensions).toMatchObject({ argument: 'ids' });
      expect(result.errors![0]!.message).toMatch(/at most 100/);
      expect(result.statements).toBe(0);
    }
    expect((await h.gql(nodes, { ids: ids(100) })).data.nodes).toHaveLength(100);
  });

  it('the comment budget: a response may hold exactly its budget, and is refused past it, with no data', async () => {
    for (const reference of [false, true]) {
      const page = await tight.gql(`{ post(slug: "p") { thread(first: 50) { edges { cursor } } } }`, {}, { reference });
      expect(page.errors).toBeUndefined();
      expect(page.data.post.thread.edges).toHaveLength(50);
      // 40 comments of the thread and the 20 top-level ones: within the static cost (their walk
      // counts 50 comments at most, the budget), but 60 comments: refused whole.
      const over = await tight.gql(`{ post(slug: "p") { thread(first: 40) { edges { cursor } } comments(first: 30) { edges { cursor } } } }`, {}, { reference });
      expect(code(over)).toBe('LIMIT_EXCEEDED');
      expect(over.errors).toHaveLength(1);
      expect(over.errors![0]!.message).toMatch(/more than 50 comments/);
      expect(over.errors![0]!.extensions).toMatchObject({ limit: 'comments', max: 50 });
      expect(over.data).toBeNull();
    }
  });
});

describe('fragments spread in fragments', () => {
  // F0 spreads F1 twice, which spreads F2 twice, …: 2^levels leaves once expanded.
  const bomb = (levels: number, leaf = 'posts(first: 1) { totalCount }') =>
    `query { ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F${levels} on Query { ${leaf} }`;
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const timed = async (query: string) => {
    const times: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      const start = performance.now();
      last = await h.gql(query);
      times.push(performance.now() - start);
    }
    return { time: median(times), result: last! };
  };

  it('are measured once each: 22 and 150 levels are refused for their cost, about as fast as { __typename } is answered', async () => {
    const baseline = await timed('{ __typename }');
    expect(baseline.result.data).toEqual({ __typename: 'Query' });
    for (const levels of [22, 150]) {
      const { time, result } = await timed(bomb(levels));
      expect(code(result)).toBe('LIMIT_EXCEEDED');
      expect(result.errors![0]!.extensions).toMatchObject({ limit: 'cost' });
      expect(result.errors![0]!.extensions!.value).toBeGreaterThanOrEqual(2 ** levels);
      expect(result.statements).toBe(0);
      // A ratio, not a wall-clock threshold: exponential work took seconds at 22 levels.
      expect(time / baseline.time, `${levels} levels: ${time.toFixed(2)} ms vs ${baseline.time.toFixed(2)} ms`).toBeLessThan(10);
    }
  });

  it('a fragment spread many times still counts each time, through any depth; one of nothing but __typename costs nothing', async () => {
    const result = await h.gql(bomb(3));
    expect(result.errors).toBeUndefined();
    expect(result.data.posts.totalCount).toBeGreaterThan(0);
    // Its response is one key, however often graphql-js merges it: answered.
    const names = await h.gql(bomb(150, '__typename'));
    expect(names.errors).toBeUndefined();
    expect(names.data).toEqual({ __typename: 'Query' });
  });
});

describe('list arguments and list fields', () => {
  it('every list field declares its longest value (extensions.maxLength), but connections\' edges and nodes(ids:)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type)) || field.name === 'edges' || field.args.some((a) => isListType(getNullableType(a.type)))) continue;
        if (field.extensions.maxLength === undefined) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('every list argument in the schema declares its longest accepted value (extensions.maxItems)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) {
          const listed = isListType(getNullableType(arg.type));
          if (listed && typeof arg.extensions.maxItems !== 'number') missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
