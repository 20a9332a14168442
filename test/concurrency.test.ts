import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, age, counterDrift, countRows, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Writers at the same time: no lost comment, no drifting counter, exactly one of a duplicate,
 * exactly one of a burst of edits, and exactly one winner between two editors saving the same
 * version. On Postgres the requests
 * really run in parallel over a connection pool; on PGlite they queue on its one connection.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status } ... on Error { code } } }`;

describe('concurrent writes', () => {
  it('200 comments at once on one post: 200 rows, exact counts', async () => {
    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'busy' });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        h.gql(ADD, { input: { postId: encodeGlobalId('Post', post), body: `Comment ${i}`, name: `G${i}`, email: `g${i}@example.com` } }, { ip: `10.2.${Math.floor(i / 250)}.${i % 250}` }),
      ),
    );
    expect(results.map((r) => r.data?.addComment.__typename)).toEqual(Array(200).fill('AddCommentPayload'));
    const { data } = await h.gql(`{ post(slug: "busy") { commentCount comments { totalCount } } }`);
    expect(data.post).toEqual({ commentCount: 200, comments: { totalCount: 200 } });
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('50 replies at once to one comment: 50 children, exact counts up the chain', async () => {
    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'replies' });
    const [root, parent] = await addThread(h.database.db, post, [draft(null, 1), draft(0, 2)]);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.gql(
          ADD,
          { input: { postId: encodeGlobalId('Post', post), parentId: encodeGlobalId('Comment', parent!), body: `Reply ${i}`, name: `R${i}`, email: `r${i}@example.com` } },
          { ip: `10.3.0.${i}` },
        ),
      ),
    );
    expect(results.every((r) => r.data?.addComment.__typename === 'AddCommentPayload')).toBe(true);
    const { data } = await h.gql(`query ($root: ID!, $parent: ID!) {
      root: comment(id: $root) { replyCount descendantCount }
      parent: comment(id: $parent) { replyCount descendantCount replies(first: 100) { totalCount edges { node { depth } } } }
      post(slug: "replies") { commentCount }
    }`, { root: encodeGlobalId('Comment', root!), parent: encodeGlobalId('Comment', parent!) });
    expect(data.root).toEqual({ replyCount: 1, descendantCount: 51 });
    expect(data.parent).toMatchObject({ replyCount: 50, descendantCount: 50, replies: { totalCount: 50 } });
    expect(data.parent.replies.edges).toHaveLength(50);
    expect(data.post.commentCount).toBe(52);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('10 identical submissions at once: exactly one comment, the others DUPLICATE', async () => {
    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
    const before = await countRows(h.database.db, 'comments');
    const input = { postId: encodeGlobalId('Post', post), body: 'Me too!', name: 'Twin', email: 'twin@example.com' };
    // From different addresses, so that only duplicate detection (not flood control) stands between them.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => h.gql(ADD, { input }, { ip: `10.4.0.${i}` })));
    const outcomes = results.map((r) => r.data.addComment.__typename).sort();
    expect(outcomes).toEqual(['AddCommentPayload', ...Array(9).fill('DuplicateError')]);
    expect(await countRows(h.database.db, 'comments')).toBe(before + 1);
  });

  it('30 edits of one comment at once, from 30 addresses: one is saved, 29 are RATE_LIMITED', async () => {
    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { guestToken comment { id } } } }`,
      { input: { postId: encodeGlobalId('Post', post), body: 'Innocent words', name: 'Editor', email: 'edits@example.com' } },
      { ip: '10.6.0.1' },
    );
    const { guestToken, comment } = data.addComment;
    await age(h.database.db, keyOf(comment.id, 'Comment'), 20); // past the flood window of the posting itself
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        h.gql(
          `mutation ($id: ID!, $token: String!, $body: String!) { editOwnComment(id: $id, guestToken: $token, body: $body) { __typename ... on Error { code } } }`,
          { id: comment.id, token: guestToken, body: `Edit number ${i}` },
          { ip: `10.6.1.${i}` },
        ),
      ),
    );
    const outcomes = results.map((r) => r.data.editOwnComment.__typename).sort();
    expect(outcomes).toEqual(['OwnComment', ...Array(29).fill('RateLimitedError')]);
    const revisions = await queryRows<{ n: number }>(
      h.database.db,
      sql`select count(*)::int as n from comment_revisions where comment_id = ${keyOf(comment.id, 'Comment')}`,
    );
    expect(revisions[0]!.n).toBe(1);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('two editors saving the same version: one succeeds, the other gets CONFLICT', async () => {
    const [a, b] = [await addWriter(h.database.db, 'editor'), await addWriter(h.database.db, 'editor')];
    const post = encodeGlobalId('Post', await addPost(h.database.db, { authorId: a.id, status: 'draft', publishedAt: null }));
    const save = (token: string, title: string) =>
      h.gql(`mutation ($id: ID!, $title: String!) { updatePost(id: $id, version: 1, fields: { title: $title }) { __typename ... on Post { title version } ... on ConflictError { currentVersion } } }`, { id: post, title }, { token });
    const results = await Promise.all([save(a.token, 'Title by A'), save(b.token, 'Title by B')]);
    const outcomes = results.map((r) => r.data.updatePost);
    expect(outcomes.map((o) => o.__typename).sort()).toEqual(['ConflictError', 'Post']);
    const winner = outcomes.find((o) => o.__typename === 'Post');
    expect(winner.version).toBe(2);
    expect(outcomes.find((o) => o.__typename === 'ConflictError').currentVersion).toBe(2);
    const { data } = await h.gql(`query ($id: ID!) { node(id: $id) { ... on Post { title version } } }`, { id: post }, { token: a.token });
    expect(data.node).toEqual({ title: winner.title, version: 2 });
  });

  it('moderation and replies racing in one thread keep the counters exact', async () => {
    const editor = await addWriter(h.database.db, 'editor');
    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
    const ids = await addThread(h.database.db, post, [draft(null, 1), draft(0, 2), draft(1, 3), draft(2, 4)]);
    const gid = (i: number) => encodeGlobalId('Comment', ids[i]!);
    const work = [
      ...Array.from({ length: 20 }, (_, i) =>
        h.gql(ADD, { input: { postId: encodeGlobalId('Post', post), parentId: gid(i % 4), body: `Race ${i}`, name: `N${i}`, email: `n${i}@example.com` } }, { ip: `10.5.0.${i}` }),
      ),
      ...['HOLD', 'APPROVE', 'SPAM', 'APPROVE', 'DELETE'].map((action, i) =>
        h.gql(`mutation ($ids: [ID!]!, $action: ModerationAction!) { moderateComments(ids: $ids, action: $action) { __typename } }`, { ids: [gid(i % 3 + 1)], action }, { token: editor.token }),
      ),
    ];
    const results = await Promise.all(work);
    expect(results.filter((r) => r.errors)).toEqual([]);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });
});
