import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { renderCommentBody } from '../src/domain/markdown.js';
import { addAuthor, addPost, addThread, addWriter, age, counterDrift, draft, snapshot } from './fixtures.js';
import { createHarness, type Harness, type RequestOptions } from './harness.js';

/*
 * Guests' own comments (read, edit, delete with the guest token, within the window; edits go
 * through the pipeline of a new comment) and moderation (queue, approve / hold / spam / trash /
 * delete, one or many), with the counters exact after every transition; moderators' tools (where
 * a comment came from, editing a comment, blocking its sender).
 */
let h: Harness;
let editor: string;
let editorId: number;
let author: string;
let postId: string;
let ipCounter = 0;
const fresh = (): RequestOptions => ({ ip: `198.51.100.${++ipCounter}` });
let n = 0;

beforeAll(async () => {
  // Flood control has its own tests below: here a guest may edit right after posting.
  h = await createHarness({ COMMENT_FLOOD_SECONDS: '0', SPAM_BLOCKLIST: 'casino' });
  ({ token: editor, id: editorId } = await addWriter(h.database.db, 'editor'));
  author = (await addWriter(h.database.db, 'author')).token;
  postId = encodeGlobalId('Post', await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'p' }));
});
afterAll(() => h.close());

type Posted = { status: string; guestToken: string; comment: { id: string } };

const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) {
  __typename ... on AddCommentPayload { status guestToken editableUntil comment { id } } ... on Error { code } } }`;
async function comment(fields: Record<string, unknown> = {}, on: Harness = h, options: RequestOptions = fresh()) {
  const { data, errors } = await on.gql(
    ADD,
    { input: { postId, body: `Comment ${++n}`, name: 'Guest', email: `g${n}@example.com`, ...fields } },
    options,
  );
  expect(errors).toBeUndefined();
  return data.addComment as Posted;
}

const OWN = `query ($id: ID!, $token: String!) { ownComment(id: $id, guestToken: $token) {
  __typename ... on OwnComment { status editableUntil comment { id bodyMarkdown author { name } } } ... on Error { code } } }`;
const EDIT = `mutation ($id: ID!, $token: String!, $body: String!) { editOwnComment(id: $id, guestToken: $token, body: $body) {
  __typename
  ... on OwnComment { status comment { bodyMarkdown bodyHtml editedAt } }
  ... on Error { code }
  ... on ValidationError { field }
  ... on RateLimitedError { retryAfterSeconds } } }`;
const DELETE = `mutation ($id: ID!, $token: String!) { deleteOwnComment(id: $id, guestToken: $token) {
  __typename ... on DeleteOwnCommentPayload { deletedId } ... on Error { code } } }`;

const own = async (c: Posted, on: Harness = h) => (await on.gql(OWN, { id: c.comment.id, token: c.guestToken })).data.ownComment;
const edit = async (c: Posted, body: string, on: Harness = h, options: RequestOptions = fresh()) => {
  const { data, errors } = await on.gql(EDIT, { id: c.comment.id, token: c.guestToken, body }, options);
  expect(errors).toBeUndefined();
  return data.editOwnComment;
};
const remove = async (c: Posted, token = c.guestToken, on: Harness = h) =>
  (await on.gql(DELETE, { id: c.comment.id, token })).data.deleteOwnComment;

const MODERATE = `mutation ($ids: [ID!]!, $action: ModerationAction!) {
  moderateComments(ids: $ids, action: $action) {
    __typename
    ... on ModerateCommentsPayload { comments { id status isDeleted isPlaceholder } }
    ... on Error { code message }
  }
}`;
const moderate = async (ids: string[], action: string, on: Harness = h, token = editor) => {
  const { data, errors } = await on.gql(MODERATE, { ids, action }, { token });
  expect(errors).toBeUndefined();
  return data.moderateComments;
};

const publicView = async (id: string, on: Harness = h) =>
  (await on.gql(`query ($id: ID!) { comment(id: $id) { id isPlaceholder bodyHtml editedAt replyCount descendantCount } }`, { id })).data
    .comment;
const counts = async () =>
  (await h.gql(`{ post(slug: "p") { commentCount comments { totalCount } thread { totalCount } } }`)).data.post;
/** What a moderator sees of a comment. */
const moderatorView = async (id: string, on: Harness = h, token = editor) =>
  (
    await on.gql(
      `query ($id: ID!) { comment(id: $id) { status heldReason bodyMarkdown editedAt revisions { bodyMarkdown bodyHtml editedAt } } }`,
      { id },
      { token },
    )
  ).data.comment;
const NOT_FOUND = { __typename: 'NotFoundError', code: 'NOT_FOUND' };

describe("a guest's own comment", () => {
  it('is readable with its token while pending, by nobody else', async () => {
    const held = await comment({ body: 'Links https://a.example https://b.example' });
    expect(held.status).toBe('PENDING');
    expect(await own(held)).toMatchObject({
      __typename: 'OwnComment',
      status: 'PENDING',
      comment: { bodyMarkdown: 'Links https://a.example https://b.example', author: { name: 'Guest' } },
    });
    expect(await publicView(held.comment.id)).toBeNull();
    const other = await comment();
    const wrong = await h.gql(OWN, { id: held.comment.id, token: other.guestToken });
    expect(wrong.data.ownComment).toEqual(NOT_FOUND);
  });

  it('answers only within the edit window: afterwards its token reads, edits and deletes nothing', async () => {
    const held = await comment({ body: 'Held https://a.example https://b.example' });
    const posted = await comment({ body: 'Public words' });
    expect(await own(posted)).toMatchObject({ status: 'APPROVED', comment: { bodyMarkdown: 'Public words' } });
    expect(await own(held)).toMatchObject({ status: 'PENDING', comment: { bodyMarkdown: 'Held https://a.example https://b.example' } });

    // 16 minutes later (COMMENT_EDIT_MINUTES is 15).
    for (const c of [held, posted]) await age(h.database.db, keyOf(c.comment.id, 'Comment'), 16 * 60);
    const before = await snapshot(h.database.db);
    for (const c of [held, posted]) {
      expect(await own(c)).toEqual(NOT_FOUND); // the answer for an unknown comment
      expect(await edit(c, 'Too late')).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      expect(await remove(c)).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    expect(await snapshot(h.database.db)).toEqual(before);
    // The public still sees the approved one, never the held one.
    expect(await publicView(posted.comment.id)).toMatchObject({ bodyHtml: '<p>Public words</p>\n' });
    expect(await publicView(held.comment.id)).toBeNull();
  });

  it('once deleted, is gone to its token too: never APPROVED with a body', async () => {
    const parent = await comment({ body: 'I will regret this' });
    const reply = await comment({ parentId: parent.comment.id });
    const other = await comment();
    expect(await remove(parent, other.guestToken)).toEqual(NOT_FOUND);

    const before = await counts();
    expect(await remove(parent)).toEqual({ __typename: 'DeleteOwnCommentPayload', deletedId: parent.comment.id });
    expect(await own(parent)).toEqual(NOT_FOUND);
    const snap = await snapshot(h.database.db);
    expect(await remove(parent)).toEqual(NOT_FOUND);
    expect(await edit(parent, 'Second thoughts')).toEqual(NOT_FOUND);
    expect(await snapshot(h.database.db)).toEqual(snap);

    // Its visible reply keeps it in the tree as a placeholder, without its words.
    expect(await publicView(parent.comment.id)).toMatchObject({ isPlaceholder: true, bodyHtml: null, replyCount: 1 });
    expect(await publicView(reply.comment.id)).toMatchObject({ isPlaceholder: false });
    expect((await counts()).commentCount).toBe(before.commentCount - 1);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('COMMENT_EDIT_MINUTES=0 turns guest tokens off', async () => {
    const closed = await createHarness({ COMMENT_EDIT_MINUTES: '0' });
    const post = encodeGlobalId('Post', await addPost(closed.database.db, { authorId: await addAuthor(closed.database.db) }));
    const posted = await comment({ postId: post, body: 'No way back' }, closed);
    expect(posted).toMatchObject({ status: 'APPROVED', guestToken: null, editableUntil: null });
    const [row] = await queryRows<{ guest_token_hash: string | null }>(
      closed.database.db,
      sql`select guest_token_hash from comments where id = ${keyOf(posted.comment.id, 'Comment')}`,
    );
    expect(row!.guest_token_hash).toBeNull();
    await closed.close();
  });
});

describe("a guest's edit", () => {
  it('publishes clean new words at once; moderators see when it was edited and what it said before', async () => {
    const posted = await comment({ body: 'First *draft*' });
    const empty = await edit(posted, ' ');
    expect(empty).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'body' });

    const edited = await edit(posted, 'Better *words*');
    expect(edited).toMatchObject({ __typename: 'OwnComment', status: 'APPROVED', comment: { bodyHtml: '<p>Better <em>words</em></p>\n' } });
    expect(Date.parse(edited.comment.editedAt)).not.toBeNaN();
    expect(await publicView(posted.comment.id)).toMatchObject({ bodyHtml: '<p>Better <em>words</em></p>\n', editedAt: edited.comment.editedAt });

    await edit(posted, 'Best words');
    const seen = await moderatorView(posted.comment.id);
    expect(seen).toMatchObject({ status: 'APPROVED', heldReason: null, bodyMarkdown: 'Best words' });
    expect(seen.revisions.map((r: any) => [r.bodyMarkdown, r.bodyHtml])).toEqual([
      ['Better *words*', '<p>Better <em>words</em></p>\n'],
      ['First *draft*', '<p>First <em>draft</em></p>\n'],
    ]);
    expect(Date.parse(seen.revisions[0].editedAt)).toBe(Date.parse(seen.editedAt));

    // The history is for moderators only.
    const asPublic = await h.gql(`query ($id: ID!) { comment(id: $id) { revisions { bodyMarkdown } } }`, { id: posted.comment.id });
    expect(asPublic.data).toEqual({ comment: { revisions: null } });
    expect(asPublic.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['two links', 'Now with https://a.example and https://b.example', 'PENDING', '2 links'],
    ['a blocklisted word, however it is written', 'Play ＣＡＳ\u200BＩＮＯ tonight', 'SPAM', 'blocklist: casino'],
  ])('takes a public comment whose new words have %s out of the public tree, counts exact', async (what, words, status, reason) => {
    const posted = await comment({ body: `Innocent, before ${what}` });
    const reply = await comment({ parentId: posted.comment.id });
    const before = await counts();

    const edited = await edit(posted, words);
    expect(edited).toMatchObject({ status: 'PENDING', comment: { bodyMarkdown: words } });
    expect(await own(posted)).toMatchObject({ status: 'PENDING', comment: { bodyMarkdown: words } });
    // A placeholder for its visible reply: neither the new words nor the old ones, nor the edit.
    expect(await publicView(posted.comment.id)).toEqual({
      id: posted.comment.id,
      isPlaceholder: true,
      bodyHtml: null,
      editedAt: null,
      replyCount: 1,
      descendantCount: 1,
    });
    expect(await publicView(reply.comment.id)).toMatchObject({ isPlaceholder: false });
    expect((await counts()).commentCount).toBe(before.commentCount - 1);
    expect(await counterDrift(h.database.db)).toEqual([]);

    // The moderation queue shows it, with why, when it was edited, and what it said before.
    const { data } = await h.gql(
      `query ($statuses: [CommentStatus!]!) { moderationQueue(first: 50, statuses: $statuses) {
        edges { node { id status heldReason editedAt revisions { bodyMarkdown } } } } }`,
      { statuses: [status] },
      { token: editor },
    );
    const queued = data.moderationQueue.edges.map((e: any) => e.node).find((c: any) => c.id === posted.comment.id);
    expect(queued).toMatchObject({ status, heldReason: reason, revisions: [{ bodyMarkdown: `Innocent, before ${what}` }] });
    expect(queued.editedAt).toEqual(expect.any(String));
  });

  it('never releases a held comment, and keeps what held it', async () => {
    const held = await comment({ body: 'https://a.example https://b.example' });
    const edited = await edit(held, 'No links any more');
    expect(edited.status).toBe('PENDING');
    expect(await publicView(held.comment.id)).toBeNull();
    expect(await moderatorView(held.comment.id)).toMatchObject({ status: 'PENDING', heldReason: '2 links', bodyMarkdown: 'No links any more' });
  });

  it('changes nothing when the text is the same', async () => {
    const posted = await comment({ body: 'Same *old*' });
    const before = await snapshot(h.database.db);
    expect(await edit(posted, 'Same *old*')).toEqual({
      __typename: 'OwnComment',
      status: 'APPROVED',
      comment: { bodyMarkdown: 'Same *old*', bodyHtml: '<p>Same <em>old</em></p>\n', editedAt: null },
    });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('refuses a duplicate of another of the guest’s comments, and edits on a closed post, changing nothing', async () => {
    const first = await comment({ email: 'twin@example.com', body: 'Original thought' });
    const second = await comment({ email: 'twin@example.com', body: 'Another thought' });
    const before = await snapshot(h.database.db);
    expect(await edit(second, 'ORIGINAL  thought')).toEqual({ __typename: 'DuplicateError', code: 'DUPLICATE' });
    expect(await snapshot(h.database.db)).toEqual(before);
    expect((await own(first)).comment.bodyMarkdown).toBe('Original thought');

    const closedPost = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
    const onClosed = await comment({ postId: encodeGlobalId('Post', closedPost), body: 'Before closing' });
    await h.database.db.execute(sql`update posts set comments_open = false where id = ${closedPost}`);
    const snap = await snapshot(h.database.db);
    expect(await edit(onClosed, 'After closing')).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await snapshot(h.database.db)).toEqual(snap);
  });
});

describe('edits with manual moderation and flood control', () => {
  let manual: Harness;
  let manualEditor: string;
  let manualPost: string;
  beforeAll(async () => {
    manual = await createHarness({ COMMENT_MODERATION: 'manual' }); // COMMENT_FLOOD_SECONDS: 15
    manualEditor = (await addWriter(manual.database.db, 'editor')).token;
    manualPost = encodeGlobalId('Post', await addPost(manual.database.db, { authorId: await addAuthor(manual.database.db) }));
  });
  afterAll(() => manual.close());
  const post = (fields: Record<string, unknown> = {}, options: RequestOptions = fresh()) =>
    comment({ postId: manualPost, ...fields }, manual, options);
  /** Posted (and edited) long enough ago for flood control, well within the edit window. */
  const later = (c: Posted) => age(manual.database.db, keyOf(c.comment.id, 'Comment'), 20);

  it('holds the edit of an approved comment until a moderator has seen the new words', async () => {
    const posted = await post({ body: 'Reasonable words' });
    expect(posted.status).toBe('PENDING');
    await moderate([posted.comment.id], 'APPROVE', manual, manualEditor);
    expect(await publicView(posted.comment.id, manual)).toMatchObject({ bodyHtml: '<p>Reasonable words</p>\n' });
    await later(posted);

    const edited = await edit(posted, 'Click https://phish.example/login now, idiots', manual);
    expect(edited).toMatchObject({ __typename: 'OwnComment', status: 'PENDING' });
    expect(await publicView(posted.comment.id, manual)).toBeNull();
    expect(await counterDrift(manual.database.db)).toEqual([]);
    expect(await moderatorView(posted.comment.id, manual, manualEditor)).toMatchObject({
      status: 'PENDING',
      heldReason: 'manual moderation',
      revisions: [{ bodyMarkdown: 'Reasonable words' }],
    });
  });

  it('rate limits edits like comments: an edit counts as activity of its IP and email', async () => {
    const ip = { ip: '192.0.2.200' };
    const posted = await post({ email: 'busy@example.com', body: 'Typo here' }, ip);
    // Posting was activity too.
    let before = await snapshot(manual.database.db);
    const tooSoon = await edit(posted, 'Typo fixed', manual, fresh());
    expect(tooSoon).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    expect(tooSoon.retryAfterSeconds).toBeGreaterThan(0);
    expect(tooSoon.retryAfterSeconds).toBeLessThanOrEqual(15);
    expect(await snapshot(manual.database.db)).toEqual(before);

    await later(posted);
    expect((await edit(posted, 'Typo fixed', manual, ip)).__typename).toBe('OwnComment');
    before = await snapshot(manual.database.db);
    // Again from another address: the email is the same.
    expect(await edit(posted, 'Typo fixed again', manual, fresh())).toMatchObject({ code: 'RATE_LIMITED' });
    // A new comment by the same email, or from the address that edited: the edit counts.
    const byEmail = await manual.gql(ADD, { input: { postId: manualPost, body: 'New', name: 'B', email: 'busy@example.com' } }, fresh());
    expect(byEmail.data.addComment).toEqual({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    const byIp = await manual.gql(ADD, { input: { postId: manualPost, body: 'New', name: 'C', email: 'other@example.com' } }, ip);
    expect(byIp.data.addComment).toEqual({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    expect(await snapshot(manual.database.db)).toEqual(before);
  });

  it("does not count a moderator's edit of a guest's comment as the guest's activity", async () => {
    const ip = { ip: '192.0.2.210' };
    const posted = await post({ email: 'edited@example.com', body: 'Rude words' }, ip);
    await later(posted);
    const edited = await manual.gql(`mutation ($id: ID!) { editComment(id: $id, body: "Polite words") { __typename } }`, { id: posted.comment.id }, { token: manualEditor });
    expect(edited.data.editComment.__typename).toBe('Comment');
    const again = await manual.gql(ADD, { input: { postId: manualPost, body: 'More', name: 'E', email: 'edited@example.com' } }, ip);
    expect(again.data.addComment).toMatchObject({ __typename: 'AddCommentPayload' });
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

describe("moderators' tools", () => {
  const SENDER = `query ($id: ID!) { comment(id: $id) { heldReason sender { email ip userAgent referrer } } }`;
  const QUEUE = `{ moderationQueue(first: 50) { edges { node { id heldReason sender { email ip userAgent referrer } } } } }`;
  const visitor = (ip: string): RequestOptions => ({ ip, headers: { 'user-agent': 'Mozilla/5.0 (Test)', referer: 'https://blog.example/p/' } });

  it('the queue shows moderators where a held comment came from and why; anonymous callers and authors get an error and nothing', async () => {
    const held = await comment({ email: 'Sender@Example.com', body: 'See https://a.example https://b.example' }, h, visitor('203.0.113.7'));
    const queued = (await h.gql(QUEUE, {}, { token: editor })).data.moderationQueue.edges.map((e: any) => e.node);
    expect(queued.find((c: any) => c.id === held.comment.id)).toEqual({
      id: held.comment.id,
      heldReason: '2 links',
      sender: { email: 'Sender@Example.com', ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (Test)', referrer: 'https://blog.example/p/' },
    });
    expect((await h.gql(SENDER, { id: held.comment.id }, { token: editor })).data.comment.sender.email).toBe('Sender@Example.com');

    // The other way: a public comment by the same guest, asked for by those who may not see its sender.
    const posted = await comment({ email: 'Sender@Example.com', body: 'Plain words' }, h, visitor('203.0.113.7'));
    for (const [token, code] of [
      [undefined, 'UNAUTHENTICATED'],
      [author, 'FORBIDDEN'],
    ] as const) {
      const asked = await h.gql(SENDER, { id: posted.comment.id }, { token });
      expect(asked.data.comment).toEqual({ heldReason: null, sender: null });
      expect(asked.errors!.map((e) => e.extensions!.code)).toEqual([code, code]);
      const queue = await h.gql(QUEUE, {}, { token });
      expect(queue.data).toBeNull();
      expect(queue.errors![0]!.extensions!.code).toBe(code);
      expect(JSON.stringify([asked, queue])).not.toMatch(/203\.0\.113|Sender@|Mozilla|blog\.example/i);
    }
    // Never in the logs either.
    expect(JSON.stringify(h.logs)).not.toMatch(/Sender@Example|203\.0\.113\.7/);
  });

  const EDIT_COMMENT = `mutation ($id: ID!, $body: String!) { editComment(id: $id, body: $body) {
    __typename ... on Comment { status bodyMarkdown bodyHtml bodyFormat editedAt } ... on Error { code } ... on ValidationError { field } } }`;
  const editComment = async (id: string, body: string, token = editor) => {
    const { data, errors } = await h.gql(EDIT_COMMENT, { id, body }, { token });
    expect(errors).toBeUndefined();
    return data.editComment;
  };
  const HISTORY = `query ($id: ID!) { comment(id: $id) { bodyMarkdown editedAt revisions { bodyMarkdown bodyHtml editedAt editedBy { id name } } } }`;

  it('editComment replaces the text; the history keeps the previous text, who replaced it and when', async () => {
    const posted = await comment({ body: 'Call me on *555-0100*' });
    await edit(posted, 'Call me on *555-0199*'); // the guest's own edit first
    const events = async () =>
      (await queryRows<{ kind: string }>(h.database.db, sql`select kind from thread_events where comment_id = ${keyOf(posted.comment.id, 'Comment')} order by id`)).map(
        (e) => e.kind,
      );
    expect(await events()).toEqual(['added', 'edited']);

    const edited = await editComment(posted.comment.id, 'Call me *[number removed]*');
    expect(edited).toMatchObject({ __typename: 'Comment', status: 'APPROVED', bodyMarkdown: 'Call me *[number removed]*', bodyFormat: 'MARKDOWN' });
    expect(edited.bodyHtml).toBe('<p>Call me <em>[number removed]</em></p>\n');
    expect(await publicView(posted.comment.id)).toMatchObject({ bodyHtml: edited.bodyHtml, editedAt: edited.editedAt });
    // Subscribers hear of it (the event is written with the edit, announced after it commits).
    expect(await events()).toEqual(['added', 'edited', 'edited']);

    const { data } = await h.gql(HISTORY, { id: posted.comment.id }, { token: editor });
    expect(data.comment.revisions.map((r: any) => [r.bodyMarkdown, r.editedBy])).toEqual([
      ['Call me on *555-0199*', { id: encodeGlobalId('Author', editorId), name: 'The editor' }],
      ['Call me on *555-0100*', null],
    ]);
    expect(data.comment.revisions[0].bodyHtml).toBe('<p>Call me on <em>555-0199</em></p>\n');
    expect(Date.parse(data.comment.revisions[0].editedAt)).toBe(Date.parse(edited.editedAt));

    // The same text again changes nothing.
    const before = await snapshot(h.database.db);
    expect(await editComment(posted.comment.id, 'Call me *[number removed]*')).toMatchObject({ editedAt: edited.editedAt });
    expect(await snapshot(h.database.db)).toEqual(before);
    expect(await events()).toHaveLength(3);
  });

  it("editComment keeps a held comment held, and an imported comment's HTML rendered as HTML", async () => {
    const held = await comment({ body: 'Spam https://a.example https://b.example' });
    expect(await editComment(held.comment.id, 'Links removed')).toMatchObject({ status: 'PENDING', bodyHtml: '<p>Links removed</p>\n' });
    expect(await publicView(held.comment.id)).toBeNull();
    expect(await moderatorView(held.comment.id)).toMatchObject({ status: 'PENDING', heldReason: '2 links' });

    const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
    const [id] = await addThread(h.database.db, post, [draft(null, 1)]);
    await h.database.db.execute(sql`update comments set body_format = 'html' where id = ${id!}`);
    const html = 'Kept <b>bold</b><script>alert(1)</script>\n\nSecond paragraph';
    const edited = await editComment(encodeGlobalId('Comment', id!), html);
    expect(edited).toMatchObject({ bodyFormat: 'HTML', bodyMarkdown: html, bodyHtml: renderCommentBody('html', html) });
    expect(edited.bodyHtml).toContain('<p>Second paragraph</p>');
    expect(edited.bodyHtml).not.toContain('script');
  });

  it('editComment refuses bad ids, unknown comments and empty text, changing nothing', async () => {
    const posted = await comment();
    const before = await snapshot(h.database.db);
    expect(await editComment('nonsense', 'x')).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'id' });
    expect(await editComment(postId, 'x')).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'id' });
    expect(await editComment(encodeGlobalId('Comment', 999999), 'x')).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await editComment(posted.comment.id, '  ')).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'body' });
    expect(await editComment(posted.comment.id, 'x'.repeat(65_526))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  const BLOCK = `mutation ($id: ID!, $what: [SenderKind!]!, $reason: String) { blockSender(commentId: $id, what: $what, reason: $reason) {
    __typename ... on BlockSenderPayload { blocked { kind value reason createdBy { name } comment { id } } }
    ... on Error { code } ... on ValidationError { field } } }`;
  const block = async (id: string, what: string[], reason?: string) => {
    const { data, errors } = await h.gql(BLOCK, { id, what, reason }, { token: editor });
    expect(errors).toBeUndefined();
    return data.blockSender;
  };
  const UNBLOCK = `mutation ($kind: SenderKind!, $value: String!) { unblockSender(kind: $kind, value: $value) {
    __typename ... on BlockedSender { kind value } ... on Error { code } } }`;
  const unblock = async (kind: string, value: string) => (await h.gql(UNBLOCK, { kind, value }, { token: editor })).data.unblockSender;
  /** A guest's new comment as moderators see it. */
  const next = async (fields: Record<string, unknown>, ip: string) => {
    const posted = await comment(fields, h, { ip });
    return { posted: posted.status, ...(await moderatorView(posted.comment.id)) };
  };

  it('blockSender blocks the email: the next comment from it is spam, with the entry as its reason', async () => {
    const spammer = await comment({ email: 'Pest@Example.com', body: 'Buy now' }, h, { ip: '192.0.2.50' });
    expect(await block(spammer.comment.id, ['EMAIL'], 'Sells pills')).toEqual({
      __typename: 'BlockSenderPayload',
      blocked: [{ kind: 'EMAIL', value: 'pest@example.com', reason: 'Sells pills', createdBy: { name: 'The editor' }, comment: { id: spammer.comment.id } }],
    });
    // Whatever its case, from another address: the poster is told "pending", as for any held comment.
    expect(await next({ email: 'PEST@example.COM', body: 'Buy again' }, '192.0.2.51')).toMatchObject({
      posted: 'PENDING',
      status: 'SPAM',
      heldReason: 'blocked email: pest@example.com',
    });
    // The comment it was blocked from is unchanged: moderators mark it themselves.
    expect(await moderatorView(spammer.comment.id)).toMatchObject({ status: 'APPROVED' });
    // Another sender from another address is not affected.
    expect(await next({ email: 'fine@example.com', body: 'Nice post' }, '192.0.2.52')).toMatchObject({ posted: 'APPROVED', heldReason: null });

    // Blocking again keeps the first entry; unblocking lets the sender through again.
    expect((await block(spammer.comment.id, ['EMAIL', 'EMAIL'], 'Again')).blocked).toEqual([expect.objectContaining({ reason: 'Sells pills' })]);
    expect(await unblock('EMAIL', 'Pest@Example.com')).toEqual({ __typename: 'BlockedSender', kind: 'EMAIL', value: 'pest@example.com' });
    expect(await unblock('EMAIL', 'pest@example.com')).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await next({ email: 'pest@example.com', body: 'Reformed' }, '192.0.2.53')).toMatchObject({ posted: 'APPROVED', status: 'APPROVED' });
  });

  it("blockSender blocks the address (an IPv6 address's /64): new comments and guests' edits from it are spam", async () => {
    const from4 = await comment({ body: 'From v4' }, h, { ip: '198.18.0.9' });
    const from6 = await comment({ body: 'From v6' }, h, { ip: '2001:db8:0:7::5' });
    expect((await block(from4.comment.id, ['IP'])).blocked).toEqual([expect.objectContaining({ kind: 'IP', value: '198.18.0.9', reason: null })]);
    expect((await block(from6.comment.id, ['IP'])).blocked).toEqual([expect.objectContaining({ kind: 'IP', value: '2001:db8:0:7::/64' })]);

    expect(await next({ email: 'new4@example.com' }, '198.18.0.9')).toMatchObject({ status: 'SPAM', heldReason: 'blocked ip: 198.18.0.9' });
    expect(await next({ email: 'new6@example.com' }, '2001:db8:0:7::beef')).toMatchObject({ status: 'SPAM', heldReason: 'blocked ip: 2001:db8:0:7::/64' });
    expect(await next({ email: 'next4@example.com' }, '198.18.0.10')).toMatchObject({ status: 'APPROVED' });
    expect(await next({ email: 'next6@example.com' }, '2001:db8:0:8::1')).toMatchObject({ status: 'APPROVED' });
    // A guest editing from a blocked address: the edit is spam and leaves the public tree.
    const innocent = await comment({ body: 'Innocent' }, h, { ip: '198.18.0.11' });
    expect(await edit(innocent, 'Edited from a blocked network', h, { ip: '2001:db8:0:7::9' })).toMatchObject({ status: 'PENDING' });
    expect(await moderatorView(innocent.comment.id)).toMatchObject({ status: 'SPAM', heldReason: 'blocked ip: 2001:db8:0:7::/64' });

    const { data } = await h.gql(`{ blockedSenders(first: 2) { totalCount edges { node { kind value createdBy { name } } } } }`, {}, { token: editor });
    expect(data.blockedSenders.edges.map((e: any) => e.node)).toEqual([
      { kind: 'IP', value: '2001:db8:0:7::/64', createdBy: { name: 'The editor' } },
      { kind: 'IP', value: '198.18.0.9', createdBy: { name: 'The editor' } },
    ]);
    expect(data.blockedSenders.totalCount).toBeGreaterThanOrEqual(2);
    expect(await unblock('IP', '2001:db8:0:7::1234')).toMatchObject({ value: '2001:db8:0:7::/64' });
    expect(await unblock('IP', '198.18.0.9')).toMatchObject({ value: '198.18.0.9' });
  });

  it('blockSender refuses bad ids, unknown comments, nothing to block and a sender without that detail, changing nothing', async () => {
    const posted = await comment();
    const registered = await h.gql(ADD, { input: { postId, body: 'As myself' } }, { token: author });
    const own = registered.data.addComment.comment.id;
    const before = await snapshot(h.database.db);
    expect(await block('nonsense', ['EMAIL'])).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'commentId' });
    expect(await block(encodeGlobalId('Comment', 999999), ['EMAIL'])).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await block(posted.comment.id, [])).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'what' });
    expect(await block(posted.comment.id, ['EMAIL'], 'x'.repeat(501))).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'reason' });
    // A registered author's comment has no email: the IP may be blocked, not the email (nor both at once).
    expect(await block(own, ['IP', 'EMAIL'])).toEqual({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field: 'what' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });
});

describe("moderators' private fields and the response cache", () => {
  it("an editor's response with a sender's email is never cached nor served to anyone else; an edit refreshes the public's", async () => {
    const cached = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', COMMENT_FLOOD_SECONDS: '0' });
    const { token } = await addWriter(cached.database.db, 'editor');
    const post = encodeGlobalId('Post', await addPost(cached.database.db, { authorId: await addAuthor(cached.database.db) }));
    const posted = await comment({ postId: post, email: 'private@example.com', body: 'Original' }, cached);
    const id = posted.comment.id;
    const asEditor = `{ comment(id: "${id}") { bodyHtml sender { email } } }`;
    const asPublic = `{ comment(id: "${id}") { bodyHtml } }`;

    for (let i = 0; i < 2; i++) {
      const seen = await cached.gql(asEditor, {}, { token });
      expect(seen.data.comment).toEqual({ bodyHtml: '<p>Original</p>\n', sender: { email: 'private@example.com' } });
      expect(seen.statements).toBeGreaterThan(0); // answered from the database each time, never from the cache
    }
    const anonymous = await cached.gql(asEditor);
    expect(anonymous.data.comment).toEqual({ bodyHtml: '<p>Original</p>\n', sender: null });
    expect(anonymous.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(JSON.stringify(anonymous)).not.toContain('private@example.com');
    expect((await cached.gql(asEditor)).statements).toBeGreaterThan(0); // an error response is not cached either

    // The public's read is cached; the moderator's edit drops it.
    await cached.gql(asPublic);
    const hit = await cached.gql(asPublic);
    expect(hit.statements).toBe(0);
    const edited = await cached.gql(`mutation { editComment(id: "${id}", body: "Moderated") { __typename } }`, {}, { token });
    expect(edited.data.editComment.__typename).toBe('Comment');
    expect((await cached.gql(asPublic)).data.comment).toEqual({ bodyHtml: '<p>Moderated</p>\n' });
    await cached.close();
  });
});
