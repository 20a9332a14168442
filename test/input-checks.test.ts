import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, countRows, draft } from './fixtures.js';
import { createHarness, type Harness, type RequestOptions } from './harness.js';
import { subscribe } from './sse-client.js';

/*
 * Input Postgres cannot store (a NUL character in a string, a date outside years 0001–9999) is the
 * client's mistake: BAD_USER_INPUT naming the argument or input field, HTTP 400, refused before
 * any SQL runs and without a log line, on the read engine and on the resolvers alike, for
 * literals and variables, arguments and input objects' fields, lists' items, fragments, and
 * subscriptions (src/input-checks.ts).
 */
let h: Harness;
let postGid: string;
let editor: string;
let commentCount: number;
beforeAll(async () => {
  // Over the Node listener, as served; X-Forwarded-For (the `ip` option) believed from the test.
  h = await createHarness({ TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
  const db = h.database.db;
  const postId = await addPost(db, { slug: 'post', authorId: await addAuthor(db) });
  postGid = encodeGlobalId('Post', postId);
  commentCount = (await addThread(db, postId, [draft(null, 1), draft(0, 2), draft(null, 3)])).length;
  editor = (await addWriter(db, 'editor')).token;
});
afterAll(() => h.close());

/** What `h.logs` holds that a client's mistake must never cause. */
const troubles = () => h.logs.filter((line) => line.level === 'error' || line.level === 'warn');

async function expectRefused(query: string, variables: Record<string, unknown> | undefined, argument: string, options: RequestOptions = {}, statements = 0) {
  h.logs.length = 0;
  const result = await h.gql(query, variables, options);
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  const [error] = result.errors!;
  expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  expect(error!.message).toContain(`"${argument}"`);
  expect(result.status).toBe(400);
  expect(result.data ?? null).toBeNull();
  // Refused before execution: no SQL (but a token's lookup, when one is sent), and nothing logged.
  expect(result.statements).toBe(statements);
  expect(troubles()).toEqual([]);
  return error!;
}

const NUL = 'a\u0000b';

for (const [engine, reference] of [['the read engine', false], ['the resolvers', true]] as const) {
  describe(`NUL characters, on ${engine}`, () => {
    const options = { reference };

    it('refuses them in string arguments, as literals and as variables', async () => {
      const error = await expectRefused(String.raw`{ post(slug: "\u0000") { id } }`, undefined, 'slug', options);
      expect(error.message).toMatch(/Argument "slug" of Query\.post contains the NUL character \(U\+0000\)/);
      // Again (the document's checks are kept): the same answer.
      await expectRefused(String.raw`{ post(slug: "\u0000") { id } }`, undefined, 'slug', options);
      await expectRefused(String.raw`{ post(legacyUrl: "https://blog.example/?p=1\u0000") { id } }`, undefined, 'legacyUrl', options);
      const fromVariable = await expectRefused(`query ($slug: String) { post(slug: $slug) { id } }`, { slug: NUL }, 'slug', options);
      expect(fromVariable.message).toContain('(from variable "$slug")');
      await expectRefused(`query ($url: String) { post(legacyUrl: $url) { id } }`, { url: NUL }, 'legacyUrl', options);
      await expectRefused(String.raw`query ($slug: String = "\u0000") { post(slug: $slug) { id } }`, {}, 'slug', options);
    });

    it('refuses them nested: in fragments, on deeper fields, in lists of strings and IDs', async () => {
      await expectRefused(`query ($q: String) { ...F } fragment F on Query { post(slug: "post") { comments(after: $q) { totalCount } } }`, { q: NUL }, 'after', options);
      const error = await expectRefused(`query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [postGid, NUL] }, 'ids[1]', options);
      expect(error.message).toMatch(/^Argument "ids\[1\]" of Query\.nodes \(from variable "\$ids"\)/);
    });

    it('lets everything else through', async () => {
      h.logs.length = 0;
      const result = await h.gql(`query ($slug: String) { post(slug: $slug) { id } }`, { slug: 'a\u0001b' }, options);
      expect(result).toMatchObject({ status: 200, data: { post: null } });
      expect(result.errors).toBeUndefined();
    });
  });

  describe(`dates out of range, on ${engine}`, () => {
    const options = { reference };
    const SINCE = `query ($since: DateTime!) { post(slug: "post") { commentCountSince(since: $since) } }`;

    it('refuses a DateTime before year 1 or after year 9999, as a literal or a variable', async () => {
      const error = await expectRefused(`{ post(slug: "post") { commentCountSince(since: "-000001-01-01T00:00:00Z") } }`, undefined, 'since', options);
      expect(error.message).toMatch(/Argument "since" of Post\.commentCountSince is out of range: .*0001-01-01T00:00:00\.000Z and 9999-12-31T23:59:59\.999Z/);
      for (const since of ['-000001-01-01T00:00:00Z', '0000-12-31T23:59:59.999Z', '+010000-01-01T00:00:00Z', '0001-01-01T00:30:00+01:00']) {
        await expectRefused(SINCE, { since }, 'since', options);
      }
      await expectRefused(`query ($since: DateTime) { post(slug: "post") { thread(since: $since) { totalCount } } }`, { since: '+275760-09-13T00:00:00Z' }, 'since', options);
    });

    it('accepts the first and the last millisecond of the range', async () => {
      const first = await h.gql(SINCE, { since: '0001-01-01T00:00:00.000Z' }, options);
      expect(first).toMatchObject({ status: 200, data: { post: { commentCountSince: commentCount } } });
      const last = await h.gql(SINCE, { since: '9999-12-31T23:59:59.999Z' }, options);
      expect(last).toMatchObject({ status: 200, data: { post: { commentCountSince: 0 } } });
    });
  });
}

describe('NUL characters and dates in mutations', () => {
  const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on Error { code message } } }`;
  const guest = { postId: 'x', body: 'A fine reply.', name: 'Ada', email: 'ada@example.com' };

  it("refuses a NUL in addComment's input, as variables or literals, and writes nothing", async () => {
    const before = await countRows(h.database.db, 'comments');
    const input = { ...guest, postId: postGid };
    const body = await expectRefused(ADD, { input: { ...input, body: `Hello${NUL}` } }, 'input.body', { ip: '192.0.2.1' });
    expect(body.message).toMatch(/^Input field "input\.body" of Mutation\.addComment \(from variable "\$input"\) contains the NUL character/);
    await expectRefused(ADD, { input: { ...input, name: NUL } }, 'input.name', { ip: '192.0.2.1' });
    await expectRefused(
      String.raw`mutation { addComment(input: { postId: "${postGid}", body: "Hello\u0000", name: "Ada", email: "ada@example.com" }) { __typename } }`,
      undefined,
      'input.body',
      { ip: '192.0.2.1' },
    );
    await expectRefused(
      `mutation ($body: String!) { addComment(input: { postId: "${postGid}", body: $body, name: "Ada", email: "ada@example.com" }) { __typename } }`,
      { body: NUL },
      'input.body',
      { ip: '192.0.2.1' },
    );
    expect(await countRows(h.database.db, 'comments')).toBe(before);
    // The refusals were no attempts: flood control lets the same guest comment now.
    const ok = await h.gql(ADD, { input }, { ip: '192.0.2.1' });
    expect(ok.data.addComment.__typename).toBe('AddCommentPayload');
  });

  it("refuses a NUL in a list of strings of an editor's input, and a date out of range", async () => {
    const token = { token: editor };
    const before = await countRows(h.database.db, 'posts');
    // One statement: the token's lookup, which makes the request's context.
    await expectRefused(`mutation ($tags: [String!]) { createPost(input: { title: "T", bodyMarkdown: "B", tags: $tags }) { __typename } }`, { tags: ['ok', NUL] }, 'input.tags[1]', token, 1);
    await expectRefused(String.raw`mutation { createPost(input: { title: "T\u0000", bodyMarkdown: "B" }) { __typename } }`, undefined, 'input.title', token, 1);
    await expectRefused(`mutation ($at: DateTime!) { schedulePost(id: "${postGid}", publishAt: $at) { __typename } }`, { at: '+100000-01-01T00:00:00Z' }, 'publishAt', token, 1);
    expect(await countRows(h.database.db, 'posts')).toBe(before);
  });
});

describe('NUL characters in subscriptions', () => {
  it('refuses a NUL in threadEvents(after:) with BAD_USER_INPUT, logging nothing', async () => {
    h.logs.length = 0;
    const sub = await subscribe(h.origin, `subscription ($postId: ID!, $after: String) { threadEvents(postId: $postId, after: $after) { __typename } }`, { postId: postGid, after: NUL });
    await sub.ended;
    const [error] = sub.results[0]!.errors!;
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(error!.message).toMatch(/^Argument "after" of Subscription\.threadEvents \(from variable "\$after"\) contains the NUL character/);
    expect(troubles()).toEqual([]);
  });
});
