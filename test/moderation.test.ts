import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addWriter, counterDrift, snapshot } from './fixtures.js';
import { createHarness, type Harness, type RequestOptions } from './harness.js';

/*
 * Guests' own comments (read, edit, delete with the guest token, within the window) and
 * moderation (queue, approve / hold / spam / trash / delete, one or many), with the counters
 * exact after every transition.
 */
let h: Harness;
let editor: string;
let postId: string;
let ipCounter = 0;
const fresh = (): RequestOptions => ({ ip: `198.51.100.${++ipCounter}` });
let n = 0;

beforeAll(async () => {
  h = await createHarness();
  editor = (await addWriter(h.database.db, 'editor')).token;
  postId = encodeGlobalId('Post', await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'p' }));
});
afterAll(() => h.close());

async function comment(fields: Record<string, unknown> = {}) {
  const { data, errors } = await h.gql(
    `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status guestToken comment { id } } ... on Error { code } } }`,
    { input: { postId, body: `Comment ${++n}`, name: 'Guest', email: `g${n}@example.com`, ...fields } },
    fresh(),
  );
  expect(errors).toBeUndefined();
  return data.addComment as { status: string; guestToken: string; comment: { id: string } };
}

const MODERATE = `mutation ($ids: [ID!]!, $action: ModerationAction!) {
  moderateComments(ids: $ids, action: $action) {
    __typename
    ... on ModerateCommentsPayload { comments { id status isDeleted isPlaceholder } }
    ... on Error { code message }
  }
}`;
const moderate = async (ids: string[], action: string) => {
  const { data, errors } = await h.gql(MODERATE, { ids, action }, { token: editor });
  expect(errors).toBeUndefined();
  return data.moderateComments;
};

const publicView = async (id: string) =>
  (await h.gql(`query ($id: ID!) { comment(id: $id) { id isPlaceholder bodyHtml replyCount descendantCount } }`, { id })).data.comment;
const counts = async () =>
  (await h.gql(`{ post(slug: "p") { commentCount comments { totalCount } thread { totalCount } } }`)).data.post;

describe("a guest's own comment", () => {
  const OWN = `query ($id: ID!, $token: String!) { ownComment(id: $id, guestToken: $token) {
    __typename ... on OwnComment { status editableUntil comment { id bodyMarkdown author { name } } } ... on Error { code } } }`;

  it('is readable with its token while pending, by nobody else', async () => {
    const held = await comment({ body: 'Links https://a.example https://b.example' });
    expect(held.status).toBe('PENDING');
    const own = await h.gql(OWN, { id: held.comment.id, token: held.guestToken });
    expect(own.data.ownComment).toMatchObject({
      __typename: 'OwnComment',
      status: 'PENDING',
      comment: { bodyMarkdown: 'Links https://a.example https://b.example', author: { name: 'Guest' } },
    });
    expect(await publicView(held.comment.id)).toBeNull();
    const other = await comment();
    const wrong = await h.gql(OWN, { id: held.comment.id, token: other.guestToken });
    expect(wrong.data.ownComment).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('can be edited and deleted with its token; an edit that adds links is held again', async () => {
    const posted = await comment();
    const EDIT = `mutation ($id: ID!, $token: String!, $body: String!) { editOwnComment(id: $id, guestToken: $token, body: $body) {
      __typename ... on OwnComment { status comment { bodyHtml } } ... on Error { code } ... on ValidationError { field } } }`;
    const edited = await h.gql(EDIT, { id: posted.comment.id, token: posted.guestToken, body: 'Better *words*' });
    expect(edited.data.editOwnComment).toEqual({ __typename: 'OwnComment', status: 'APPROVED', comment: { bodyHtml: '<p>Better <em>words</em></p>\n' } });
    const empty = await h.gql(EDIT, { id: posted.comment.id, token: posted.guestToken, body: ' ' });
    expect(empty.data.editOwnComment).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'body' });

    const before = await counts();
    const spammy = await h.gql(EDIT, { id: posted.comment.id, token: posted.guestToken, body: 'https://a.example https://b.example' });
    expect(spammy.data.editOwnComment.status).toBe('PENDING');
    expect((await counts()).commentCount).toBe(before.commentCount - 1);
    expect(await counterDrift(h.database.db)).toEqual([]);

    const DELETE = `mutation ($id: ID!, $token: String!) { deleteOwnComment(id: $id, guestToken: $token) { __typename ... on Error { code } } }`;
    const other = await comment();
    const stolen = await h.gql(DELETE, { id: posted.comment.id, token: other.guestToken });
    expect(stolen.data.deleteOwnComment).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const deleted = await h.gql(DELETE, { id: other.comment.id, token: other.guestToken });
    expect(deleted.data.deleteOwnComment.__typename).toBe('OwnComment');
    expect(await publicView(other.comment.id)).toBeNull();
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('cannot be changed once the window has closed', async () => {
    const closed = await createHarness({ COMMENT_EDIT_MINUTES: '0' });
    const post = encodeGlobalId('Post', await addPost(closed.database.db, { authorId: await addAuthor(closed.database.db) }));
    const { data } = await closed.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { guestToken comment { id } } } }`,
      { input: { postId: post, body: 'Too late to fix', name: 'G', email: 'g@example.com' } },
    );
    const { comment: c, guestToken } = data.addComment;
    const before = await snapshot(closed.database.db);
    const edit = await closed.gql(`mutation ($id: ID!, $t: String!) { editOwnComment(id: $id, guestToken: $t, body: "x") { __typename ... on Error { code } } }`, { id: c.id, t: guestToken });
    expect(edit.data.editOwnComment).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    const del = await closed.gql(`mutation ($id: ID!, $t: String!) { deleteOwnComment(id: $id, guestToken: $t) { __typename ... on Error { code } } }`, { id: c.id, t: guestToken });
    expect(del.data.deleteOwnComment).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await snapshot(closed.database.db)).toEqual(before);
    await closed.close();
  });
});

describe('moderation', () => {
  it('lists pending and spam comments newest first, with the reason each was held', async () => {
    const links = await comment({ body: 'https://a.example https://b.example' });
    const honey = await comment({ honeypot: 'gotcha' });
    const { data } = await h.gql(
      `{ moderationQueue(first: 2) { totalCount edges { node { id status heldReason bodyMarkdown post { slug } } } } }`,
      {},
      { token: editor },
    );
    expect(data.moderationQueue.edges.map((e: any) => e.node)).toEqual([
      { id: honey.comment.id, status: 'SPAM', heldReason: 'honeypot', bodyMarkdown: expect.any(String), post: { slug: 'p' } },
      { id: links.comment.id, status: 'PENDING', heldReason: '2 links', bodyMarkdown: 'https://a.example https://b.example', post: { slug: 'p' } },
    ]);
    expect(data.moderationQueue.totalCount).toBeGreaterThanOrEqual(2);
  });

  it('keeps counts exact through approve, hold, spam, trash and delete, one or many at once', async () => {
    const parent = await comment();
    const reply = await comment({ parentId: parent.comment.id });
    const replyToReply = await comment({ parentId: reply.comment.id });
    const sibling = await comment({ body: 'https://a.example https://b.example' }); // held
    const start = await counts();
    const ids = [parent, reply, replyToReply, sibling].map((c) => c.comment.id);

    // Holding the parent leaves a placeholder for its visible replies.
    await moderate([ids[0]!], 'HOLD');
    expect(await publicView(ids[0]!)).toMatchObject({ isPlaceholder: true, bodyHtml: null, replyCount: 1, descendantCount: 2 });
    expect((await counts()).commentCount).toBe(start.commentCount - 1);
    expect(await counterDrift(h.database.db)).toEqual([]);

    // Spam on the whole chain at once: nothing of it shows.
    const spam = await moderate(ids.slice(0, 3), 'SPAM');
    expect(spam.comments.map((c: any) => c.status)).toEqual(['SPAM', 'SPAM', 'SPAM']);
    expect(await publicView(ids[0]!)).toBeNull();
    expect((await counts()).commentCount).toBe(start.commentCount - 3);
    expect(await counterDrift(h.database.db)).toEqual([]);

    // Approve all four, then trash the middle one: a placeholder keeps the thread's shape.
    await moderate(ids, 'APPROVE');
    expect((await counts()).commentCount).toBe(start.commentCount + 1);
    await moderate([ids[1]!], 'TRASH');
    expect(await publicView(ids[1]!)).toMatchObject({ isPlaceholder: true, replyCount: 1, descendantCount: 1 });
    expect(await publicView(ids[0]!)).toMatchObject({ isPlaceholder: false, replyCount: 1, descendantCount: 1 });
    expect(await counterDrift(h.database.db)).toEqual([]);

    // Deleting the leaf under the trashed comment removes the placeholder too.
    const deleted = await moderate([ids[2]!], 'DELETE');
    expect(deleted.comments[0]).toMatchObject({ status: 'APPROVED', isDeleted: true });
    expect(await publicView(ids[1]!)).toBeNull();
    expect(await publicView(ids[0]!)).toMatchObject({ replyCount: 0, descendantCount: 0 });
    expect((await counts()).commentCount).toBe(start.commentCount - 1);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('refuses unknown comments and empty lists, changing nothing', async () => {
    const c = await comment();
    const before = await snapshot(h.database.db);
    expect(await moderate([c.comment.id, encodeGlobalId('Comment', 999999)], 'SPAM')).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await moderate([], 'SPAM')).toMatchObject({ __typename: 'ValidationError', code: 'BAD_USER_INPUT' });
    expect(await moderate(['nonsense'], 'SPAM')).toMatchObject({ __typename: 'ValidationError' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('shows moderators what the public does not see; the public may not ask', async () => {
    const held = await comment({ honeypot: 'x' });
    const asEditor = await h.gql(`query ($id: ID!) { comment(id: $id) { status bodyMarkdown } }`, { id: held.comment.id }, { token: editor });
    expect(asEditor.data.comment).toMatchObject({ status: 'SPAM' });
    const asPublic = await h.gql(`query ($id: ID!) { comment(id: $id) { id } moderationQueue { totalCount } }`, { id: held.comment.id });
    expect(asPublic.data).toBeNull();
    expect(asPublic.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});
