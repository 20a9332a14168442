import { executeSync, getIntrospectionQuery, getOperationAST, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { check, measure, walkBound } from '../src/limits.js';
import { schema } from '../src/schema/index.js';
import { DEFAULT_PAGE_SIZE } from '../src/schema/pagination.js';
import { SEARCH_COST } from '../src/schema/post.js';

/*
 * The static cost as numbers (src/limits.ts): every rule against the count it must give, without a
 * database. test/limits.test.ts checks the same limits through the server; test/soundness.test.ts
 * holds the cost above what real responses hold.
 */

describe('the static cost, an upper bound on the response (src/limits.ts), as numbers', () => {
  const limits = { commentBudget: 50, commentDepth: 16, maxCost: 1_000_000 };
  const cost = (query: string, variables: Record<string, unknown> = {}, operationName?: string, bounds = limits) => {
    const document = parse(query);
    return measure(schema, document, getOperationAST(document, operationName)!, variables, bounds);
  };

  it('a connection costs itself, its count and its page: read rows when no edges, items with edges', () => {
    expect(cost(`{ posts(first: 98) { totalCount } }`).cost).toBe(100);
    expect(cost(`{ posts(last: 7) { totalCount } }`).cost).toBe(9);
    expect(cost(`{ posts { totalCount } }`).cost).toBe(2 + DEFAULT_PAGE_SIZE);
    expect(cost(`{ posts(first: 3) { edges { node { id title } } } }`).cost).toBe(1 + 3 * 2);
    expect(cost(`{ posts(first: 3) { edges { cursor } pageInfo { hasNextPage } } }`).cost).toBe(1 + 1 + 3 * 1);
  });

  it('a page size the resolvers refuse (0, negative, over 100, first with last) counts as an empty page, never less', () => {
    for (const size of [0, -5, -1_000_000, 101, 1_000_000]) expect(cost(`{ posts(first: ${size}) { totalCount } }`).cost).toBe(2);
    expect(cost(`query ($n: Int) { posts(first: $n) { totalCount } }`, { n: -1_000_000 }).cost).toBe(2);
    expect(cost(`{ posts(first: 5, last: 7) { totalCount } }`).cost).toBe(9);
  });

  it('nested lists multiply: three of them', () => {
    // tags: at most 100 a post; 3 posts of each author of 2 posts.
    const query = `{ posts(first: 2) { edges { node { author { posts(first: 3) { edges { node { tags { name } } } } } } } } }`;
    expect(cost(query).cost).toBe(1 + 2 * (1 + 1 + 1 + (1 + 3 * (1 + 1 + 100))));
    expect(cost(query).cost).toBe(621);
  });

  it('a field declares its extra work beside it: a search, a count', () => {
    expect(cost(`{ posts(first: 1, search: "x") { totalCount } }`).cost).toBe(1 + SEARCH_COST + 1 + 1);
    expect(cost(`{ posts(first: 1, search: "  ") { totalCount } }`).cost).toBe(3);
    expect(cost(`{ authors(first: 2) { edges { node { postCount } } } }`).cost).toBe(1 + 2 * (1 + 1 + 1));
  });

  it('a walk down one reply tree costs at most what the budget lets through, the costliest comments first', () => {
    const walk = `{ post(slug: "p") { comments(first: 10) { edges { node { id replies(first: 10) { edges { node { id } } } } } } } }`;
    // Levels: 10 comments costing 3 each (edge, node, replies), 100 costing 2 (edge, node).
    expect(walkBound([{ items: 10, each: 3 }, { items: 100, each: 2 }], 50)).toBe(10 * 3 + 40 * 2);
    expect(cost(walk).cost).toBe(1 + 1 + 10 * 3 + 40 * 2);
    expect(cost(walk, {}, undefined, { ...limits, commentBudget: 1000 }).cost).toBe(1 + 1 + 10 * 3 + 100 * 2);
    // The plain product of comments, for the engine: 10 + 100.
    expect(cost(walk).comments).toBe(110);
    // Post.thread and the replies under it are one walk too; so is a page read only for its page info.
    expect(cost(`{ post(slug: "p") { thread(first: 80) { pageInfo { hasNextPage } } } }`).cost).toBe(1 + 1 + 1 + 50);
  });

  it('re-entering the graph multiplies: a thread reached again from each comment of a thread', () => {
    const inner = 1 + (1 + 5 * 2); // the post, its thread, 5 comments of 2 objects
    expect(cost(`{ post(slug: "p") { thread(first: 5) { edges { node { post { thread(first: 5) { edges { node { id } } } } } } } } }`).cost).toBe(
      1 + 1 + 5 * (1 + 1 + inner),
    );
    // The four levels of 30: millions, where the budget would have capped a walk at 5,000 comments.
    const level = (n: number): string => (n === 0 ? 'id' : `id post { thread(first: 30) { edges { node { ${level(n - 1)} } } } }`);
    const reentry = cost(`{ post(id: "UG9zdDox") { thread(first: 30) { edges { node { ${level(3)} } } } } }`, {}, undefined, { ...limits, commentBudget: 5000 });
    expect(reentry.cost).toBeGreaterThan(1_000_000);
    expect(reentry.comments).toBe(30 + 30 ** 2 + 30 ** 3 + 30 ** 4);
  });

  it('ancestors count MAX_COMMENT_DEPTH − 1 each, nested ancestors multiply', () => {
    expect(cost(`{ comment(id: "Q29tbWVudDox") { ancestors { id } } }`).cost).toBe(1 + 15);
    expect(cost(`{ comment(id: "Q29tbWVudDox") { ancestors { id } } }`, {}, undefined, { ...limits, commentDepth: 4 }).cost).toBe(1 + 3);
    expect(cost(`{ comment(id: "Q29tbWVudDox") { ancestors { ancestors { ancestors { id } } } } }`).cost).toBe(1 + 15 * (1 + 15 * (1 + 15)));
  });

  it('nodes(ids:) charges its selection once per ID', () => {
    const ids = ['a', 'b', 'c', 'd'];
    // Each comment: itself, its replies connection and a walk of 3 comments of 2 objects.
    expect(cost(`query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Comment { replies(first: 3) { edges { node { id } } } } } }`, { ids }).cost).toBe(4 * (1 + 1 + 3 * 2));
  });

  it('fragments and inline fragments are measured, wherever they are spread', () => {
    expect(cost(`{ node(id: "x") { ... on Post { comments(first: 5) { totalCount } } } }`).cost).toBe(1 + 1 + 1 + 5);
    expect(cost(`{ node(id: "x") { ...P } } fragment P on Post { comments(first: 5) { totalCount } }`).cost).toBe(8);
    expect(cost(`{ a: node(id: "x") { ...P } b: node(id: "y") { ...P } } fragment P on Post { comments(first: 5) { totalCount } }`).cost).toBe(16);
    expect(cost(`{ posts(first: 2) { ...E } } fragment E on PostConnection { edges { node { author { name } } } }`).cost).toBe(1 + 2 * 3);
  });

  it('measures the operation the request runs', () => {
    const two = `query A { posts(first: 1) { totalCount } } query B { posts(first: 90) { totalCount } }`;
    expect(cost(two, {}, 'A').cost).toBe(3);
    expect(cost(two, {}, 'B').cost).toBe(92);
    expect(check({ ...loadConfig({}).limits, maxCost: 50 }, { schema, document: parse(two), operationName: 'B' }).error?.extensions.code).toBe('LIMIT_EXCEEDED');
    expect(check({ ...loadConfig({}).limits, maxCost: 50 }, { schema, document: parse(two), operationName: 'A' }).error).toBeNull();
    // Two operations and no name: execution refuses it, the limits measure nothing.
    expect(check(loadConfig({}).limits, { schema, document: parse(two) })).toEqual({ measured: null, error: null });
  });

  it('measures mutations and subscriptions too', () => {
    const moderated = `mutation { moderateComments(ids: ["a"], action: APPROVE) { ... on ModerateCommentsPayload { comments { id replies(first: 2) { totalCount } } } } }`;
    // The result, then up to 100 comments (one per ID), each with its replies connection, its count and 2 rows.
    expect(cost(moderated).cost).toBe(1 + 100 * (1 + 1 + 1 + 2));
    const events = `subscription { threadEvents(postId: "x") { ... on CommentAdded { comment { post { thread(first: 3) { totalCount } } } } } }`;
    expect(cost(events).cost).toBe(1 + 1 + 1 + (1 + 1 + 3));
  });

  it("counts introspection exactly, as graphql-js answers it (GraphiQL's own query included)", () => {
    const objects = (value: unknown): number =>
      Array.isArray(value) ? value.reduce((sum: number, item) => sum + objects(item), 0)
      : value !== null && typeof value === 'object' ? 1 + Object.values(value).reduce((sum: number, item) => sum + objects(item), 0) : 0;
    for (const query of [getIntrospectionQuery(), `{ __type(name: "Comment") { fields { name type { ofType { name } } } } }`]) {
      const answered = executeSync({ schema, document: parse(query) });
      expect(cost(query).cost).toBe(objects(answered.data) - 1);
    }
    expect(cost(getIntrospectionQuery()).cost).toBeLessThan(loadConfig({}).limits.maxCost / 10);
    // Nested introspection stops counting past the limit.
    const nested = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    expect(cost(nested, {}, undefined, { ...limits, maxCost: 1000 }).cost).toBe(1001);
  });

  it('fails closed on a list field without a declared length, and never multiplies nothing into NaN', () => {
    const item = new GraphQLObjectType({ name: 'Item', fields: { name: { type: GraphQLString } } });
    const bare = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { items: { type: new GraphQLList(item) } } }) });
    const document = parse(`{ items { name } }`);
    expect(measure(bare, document, getOperationAST(document)!, {}, limits).cost).toBe(Number.POSITIVE_INFINITY);
    expect(walkBound([], 10)).toBe(0);
    expect(walkBound([{ items: Number.POSITIVE_INFINITY, each: 0 }], 10)).toBe(0);
    expect(walkBound([{ items: 0, each: Number.POSITIVE_INFINITY }], 10)).toBe(0);
    // An empty page of something astronomic is nothing.
    const empty = cost(`{ posts(first: 0) { edges { node { author { posts(first: 100) { edges { node { author { posts(first: 100) { totalCount } } } } } } } } } }`);
    expect(empty.cost).toBe(1);
  });
});

describe('writes and subscriptions', () => {
  const config = loadConfig({ COMMENT_BUDGET: '50' }).limits;
  const refusal = (query: string) => check(config, { schema, document: parse(query) }).error?.extensions;

  it('a mutation that could return more comments than the budget is refused before it runs; a query is left to the run-time budget', () => {
    const thread = (n: number) => `comment { post { thread(first: ${n}) { edges { node { id } } } } }`;
    const add = (n: number) => `mutation { addComment(input: { postId: "x", body: "y" }) { ... on AddCommentPayload { ${thread(n)} } } }`;
    // The comment, and the thread: 1 + 49 = 50 comments at most, the budget; one more is past it.
    expect(refusal(add(49))).toBeUndefined();
    expect(refusal(add(50))).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'comments', value: 51, max: 50 });
    expect(refusal(`{ comment(id: "x") { post { thread(first: 100) { edges { node { id } } } } } }`)).toBeUndefined();
  });

  it('so is a subscription whose every event could', () => {
    const events = (n: number) => `subscription { threadEvents(postId: "x") { ... on CommentAdded { comment { post { thread(first: ${n}) { edges { node { id } } } } } } } }`;
    expect(refusal(events(49))).toBeUndefined();
    expect(refusal(events(50))).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'comments' });
  });
});
