import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* Bad input gets a clear error with a stable code, never a 500 or a stack trace. */
let h: Harness;
let postId: number;
beforeAll(async () => {
  h = await createHarness();
  postId = await addPost(h.database.db, { slug: 'post', authorId: await addAuthor(h.database.db) });
  await addThread(h.database.db, postId, [draft(null, 1), draft(null, 2)]);
});
afterAll(() => h.close());

async function expectCode(query: string, code: string, variables?: Record<string, unknown>) {
  const result = await h.gql(query, variables);
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  expect(result.errors![0]!.extensions!.code).toBe(code);
  expect(JSON.stringify(result)).not.toMatch(/\n\s+at |stack/);
  return result;
}

describe('bad input', () => {
  it('answers null for an unknown slug or a well-formed ID of nothing', async () => {
    const { status, data, errors } = await h.gql(`{ post(slug: "no-such-post") { id } author(slug: "nobody") { id } node(id: "${encodeGlobalId('Comment', 12345)}") { id } }`);
    expect(status).toBe(200);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ post: null, author: null, node: null });
  });

  it('rejects malformed and mistyped global IDs', async () => {
    for (const id of ['not-an-id', '', 'Ym9ndXM=', encodeGlobalId('Post', 0), encodeGlobalId('Secret', 1), encodeGlobalId('Post', 2 ** 40)]) {
      const { errors, data } = await expectCode(`query ($id: ID!) { node(id: $id) { id } }`, 'BAD_USER_INPUT', { id });
      expect(errors![0]!.message).toMatch(/Invalid ID/);
      expect(data).toEqual({ node: null });
    }
    const wrongType = await expectCode(`query ($id: ID!) { comment(id: $id) { id } }`, 'BAD_USER_INPUT', { id: encodeGlobalId('Post', postId) });
    expect(wrongType.errors![0]!.message).toBe('`id` must be a Comment ID');
  });

  it('rejects page sizes outside 1–100, naming the argument', async () => {
    for (const [args, argument] of [['first: 1000', 'first'], ['first: 0', 'first'], ['last: 101', 'last'], ['first: -1', 'first'], ['first: 2, last: 2', 'last']] as const) {
      const { errors } = await expectCode(`{ posts(${args}) { edges { cursor } } }`, 'BAD_USER_INPUT');
      expect(errors![0]!.extensions!.argument).toBe(argument);
    }
    await expectCode(`{ post(slug: "post") { comments(first: 1000) { totalCount } } }`, 'BAD_USER_INPUT');
    await expectCode(`{ post(slug: "post") { thread(first: 101) { totalCount } } }`, 'BAD_USER_INPUT');
  });

  it('rejects cursors that are not cursors of the connection', async () => {
    const { data } = await h.gql(`{ posts(first: 1) { pageInfo { endCursor } } post(slug: "post") { comments(first: 1) { pageInfo { endCursor } } } }`);
    const postCursor = data.posts.pageInfo.endCursor;
    const commentCursor = data.post.comments.pageInfo.endCursor;
    const ok = await h.gql(`query ($after: String) { post(slug: "post") { comments(first: 1, after: $after) { edges { cursor } } } }`, { after: commentCursor });
    expect(ok.data.post.comments.edges).toHaveLength(1);
    for (const after of ['garbage', postCursor]) {
      const { errors } = await expectCode(`query ($after: String) { post(slug: "post") { comments(after: $after) { totalCount } } }`, 'BAD_USER_INPUT', { after });
      expect(errors![0]!.extensions!.argument).toBe('after');
    }
  });

  it('wants exactly one of id and slug, and a reasonable search', async () => {
    await expectCode(`{ post { id } }`, 'BAD_USER_INPUT');
    await expectCode(`{ post(slug: "post", id: "${encodeGlobalId('Post', postId)}") { id } }`, 'BAD_USER_INPUT');
    await expectCode(`{ author { id } }`, 'BAD_USER_INPUT');
    await expectCode(`query ($q: String) { posts(search: $q) { totalCount } }`, 'BAD_USER_INPUT', { q: 'x'.repeat(201) });
  });

  it('answers syntax and validation errors the standard GraphQL way', async () => {
    const syntax = await h.gql(`{ post(slug: "post") { id `);
    expect(syntax.status).toBe(400);
    expect(syntax.errors![0]!.message).toMatch(/^Syntax Error/);
    const validation = await h.gql(`{ post(slug: "post") { nope } }`);
    expect(validation.status).toBe(400);
    expect(validation.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await h.gql(`query ($n: Int) { posts(first: $n) { totalCount } }`, { n: 'ten' });
    expect(badVariable.status).toBe(400);
    expect(badVariable.errors![0]!.message).toMatch(/Int cannot represent/);
  });
});

describe('unexpected errors', () => {
  it('are masked for the client and logged in full on the server', async () => {
    const broken = await createHarness();
    // Every read of posts now fails inside the database (a closed pool would be SERVICE_UNAVAILABLE).
    await queryRows(broken.database.db, sql`alter table posts rename to posts_gone`);
    const { status, errors, data } = await broken.gql(`{ post(slug: "post") { id } }`);
    expect(status).toBe(200);
    expect(data).toEqual({ post: null });
    expect(errors![0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(errors)).not.toMatch(/posts_gone|relation|pglite|postgres|stack/i);
    const logged = broken.logs.filter((entry) => entry.level === 'error');
    expect(logged.length).toBeGreaterThan(0);
    expect(String((logged[0]!.args[0] as Error).stack ?? logged[0]!.args[0])).toMatch(/\n\s+at /);
    await broken.close().catch(() => {});
  });

  it("include graphql-js's own errors raised while resolving a field, masked and logged once with the operation", async () => {
    // A nullable variable with a default passes validation in a non-null position; an explicit null
    // then fails in graphql-js while it resolves the field: a GraphQLError without one of our codes.
    const query = `query Commented($id: ID = "${encodeGlobalId('Comment', 1)}") { comment(id: $id) { id } }`;
    const before = h.logs.length;
    const { status, data, errors } = await h.gql(query, { id: null });
    expect(status).toBe(200);
    expect(data).toEqual({ comment: null });
    expect(errors).toEqual([
      { message: 'Unexpected error.', locations: [{ line: 1, column: query.indexOf('$id)') + 1 }], path: ['comment'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
    const logged = h.logs.slice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe('error');
    const [error, where] = logged[0]!.args as [Error, unknown];
    expect(error.message).toMatch(/Argument "id" of non-null type "ID!" must not be null/);
    expect(error.stack).toMatch(/\n\s+at /);
    expect(where).toEqual({ requestId: expect.any(String), operation: 'Commented', path: 'comment' });
  });
});
