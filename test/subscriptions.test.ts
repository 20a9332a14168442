import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, draft } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';
import { freePort, startServer, stopServer } from './processes.js';
import { subscribe, type SseSubscription } from './sse-client.js';

/*
 * `threadEvents` over a real socket, read by a real SSE client (test/sse-client.ts), on the real
 * database: who sees what, moderation, guest tokens, revoked tokens, resume, rollback, overflow,
 * caps, headers and SIGTERM. No sleeps: every wait is for an event, with a generous timeout; to
 * show that a subscriber was NOT sent something, a public "sentinel" comment follows it, and the
 * sentinel must be the next thing it gets.
 */

const EVENTS = `subscription ($postId: ID!, $after: String, $guestToken: String) {
  threadEvents(postId: $postId, after: $after, guestToken: $guestToken) {
    __typename
    ... on CommentAdded { cursor isPublic comment { id depth bodyHtml threadCursor parent { id } ancestors { id } } }
    ... on CommentEdited { cursor isPublic comment { id bodyHtml isPlaceholder } }
    ... on CommentRemoved { cursor commentId placeholder placeholderComment { id isPlaceholder bodyHtml } }
    ... on ThreadCounts { cursor commentCount }
    ... on ThreadHidden { cursor postId }
  }
}`;
const MODERATOR_EVENTS = EVENTS.replace('comment { id depth', 'comment { status id depth').replace('comment { id bodyHtml isPlaceholder }', 'comment { id status bodyHtml isPlaceholder }');

const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) {
  __typename ... on AddCommentPayload { status guestToken comment { id } } ... on Error { code message } } }`;
const MODERATE = `mutation ($ids: [ID!]!, $action: ModerationAction!) { moderateComments(ids: $ids, action: $action) {
  __typename ... on Error { code message } } }`;

let h: Harness;
let editor: { id: number; token: string };
let guestN = 0;

beforeAll(async () => {
  h = await createHarness({ COMMENT_FLOOD_SECONDS: '0', SPAM_BLOCKLIST: 'casino', SUBSCRIPTIONS_PER_CLIENT: '1000' }, { http: true });
  editor = await addWriter(h.database.db, 'editor');
});
afterAll(() => h.close());

async function newPost(drafts = [draft(null, 1)]) {
  const id = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
  const comments = await addThread(h.database.db, id, drafts);
  return { id, gid: encodeGlobalId('Post', id), comments: comments.map((c) => encodeGlobalId('Comment', c)) };
}

/** A guest comment: `casino` in it holds it (SPAM_BLOCKLIST), as does a second link. */
async function comment(postGid: string, body: string, parentId?: string) {
  const n = ++guestN;
  const result = await h.gql(ADD, { input: { postId: postGid, parentId, body, name: `Guest ${n}`, email: `g${n}@example.com` } });
  expect(result.data.addComment.__typename, JSON.stringify(result)).toBe('AddCommentPayload');
  return result.data.addComment as { status: string; guestToken: string; comment: { id: string } };
}

async function moderate(ids: string[], action: string) {
  const result = await h.gql(MODERATE, { ids, action }, { token: editor.token });
  expect(result.data.moderateComments.__typename, JSON.stringify(result)).toBe('ModerateCommentsPayload');
}

const open = (postId: string, options: { token?: string; after?: string; guestToken?: string; query?: string } = {}) =>
  subscribe(
    h.origin,
    options.query ?? EVENTS,
    { postId, after: options.after, guestToken: options.guestToken },
    options.token ? { authorization: `Bearer ${options.token}` } : {},
  );

const events = (sub: SseSubscription) => sub.results.map((r) => r.data?.threadEvents);
const kinds = (sub: SseSubscription) => events(sub).map((e) => e?.__typename);

describe('threadEvents: visibility', () => {
  it('shows the public only public comments: a held one appears when approved, with the counts', async () => {
    const post = await newPost();
    const anon = await open(post.gid);
    const mod = await open(post.gid, { token: editor.token, query: MODERATOR_EVENTS });

    const held = await comment(post.gid, 'Win at the casino');
    expect(held.status).toBe('PENDING');
    // The editor sees it, with its status; the public does not (the sentinel comes first).
    const [added] = await mod.waitFor(1);
    expect(added!.data.threadEvents).toMatchObject({ __typename: 'CommentAdded', isPublic: false, comment: { id: held.comment.id, status: 'SPAM' } });

    const sentinel = await comment(post.gid, 'Sentinel');
    await anon.waitFor(2);
    expect(events(anon)).toEqual([
      expect.objectContaining({ __typename: 'CommentAdded', isPublic: true, comment: expect.objectContaining({ id: sentinel.comment.id, depth: 1, parent: null }) }),
      expect.objectContaining({ __typename: 'ThreadCounts', commentCount: 2 }),
    ]);

    await moderate([held.comment.id], 'APPROVE');
    await anon.waitFor(4);
    expect(events(anon).slice(2)).toEqual([
      expect.objectContaining({ __typename: 'CommentAdded', isPublic: true, comment: expect.objectContaining({ id: held.comment.id, bodyHtml: expect.stringContaining('casino') }) }),
      expect.objectContaining({ __typename: 'ThreadCounts', commentCount: 3 }),
    ]);
    await mod.waitFor(5);
    expect(kinds(mod)).toEqual(['CommentAdded', 'CommentAdded', 'ThreadCounts', 'CommentEdited', 'ThreadCounts']);
    expect(events(mod)[3]).toMatchObject({ isPublic: true, comment: { id: held.comment.id, status: 'APPROVED' } });
    // Cursors are opaque and increasing; a comment carries its thread cursor.
    const cursors = events(anon).map((e) => Buffer.from(e.cursor, 'base64url').toString());
    expect(cursors.every((c) => /^ThreadEvent:\d+$/.test(c))).toBe(true);
    expect(events(anon)[0].comment.threadCursor).toBe(Buffer.from(`Comment:${keyOf(sentinel.comment.id, 'Comment')}`).toString('base64url'));
    anon.close();
    mod.close();
  });

  it('shows a guest, with their guest token, their own pending comment, then its approval; nobody else sees it', async () => {
    const post = await newPost();
    const other = await comment(post.gid, 'Another casino comment');
    const mine = await comment(post.gid, 'My casino comment');
    expect(mine.status).toBe('PENDING');
    const guest = await open(post.gid, { guestToken: mine.guestToken });
    const anon = await open(post.gid);
    await moderate([mine.comment.id], 'APPROVE');
    await guest.waitFor(2);
    expect(events(guest)).toEqual([
      expect.objectContaining({ __typename: 'CommentEdited', isPublic: true, comment: expect.objectContaining({ id: mine.comment.id }) }),
      expect.objectContaining({ __typename: 'ThreadCounts', commentCount: 2 }),
    ]);
    await anon.waitFor(2);
    expect(events(anon)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: mine.comment.id } });
    guest.close();
    anon.close();
    // Another guest's held comment never reached either.
    expect(other.status).toBe('PENDING');
    expect(JSON.stringify([events(guest), events(anon)])).not.toContain(other.comment.id);
  });

  it('tells a guest subscribed with their token about their pending comment as it is posted', async () => {
    const post = await newPost();
    // The guest token exists only once the comment is posted: the guest subscribes from the
    // cursor of the last event they had (here: of a sentinel).
    const anon = await open(post.gid);
    await comment(post.gid, 'Sentinel');
    const [sentinel] = await anon.waitFor(1);
    const mine = await comment(post.gid, 'Held casino words');
    const guest = await open(post.gid, { guestToken: mine.guestToken, after: sentinel!.data.threadEvents.cursor });
    const stranger = await open(post.gid, { guestToken: 'guest_not-a-token', after: sentinel!.data.threadEvents.cursor });
    await guest.waitFor(1);
    expect(events(guest)[0]).toMatchObject({ __typename: 'CommentAdded', isPublic: false, comment: { id: mine.comment.id, bodyHtml: expect.stringContaining('casino') } });
    await comment(post.gid, 'Second sentinel');
    await stranger.waitFor(1);
    expect(events(stranger)[0]).toMatchObject({ __typename: 'CommentAdded', isPublic: true, comment: { bodyHtml: expect.stringContaining('Second sentinel') } });
    await moderate([mine.comment.id], 'APPROVE');
    // Resuming, the first counts come with the first batch it sees; then each change of them.
    await guest.waitFor(6);
    expect(kinds(guest)).toEqual(['CommentAdded', 'ThreadCounts', 'CommentAdded', 'ThreadCounts', 'CommentEdited', 'ThreadCounts']);
    expect(events(guest).map((e) => e.commentCount).filter(Boolean)).toEqual([2, 3, 4]);
    expect(events(guest)[4]).toMatchObject({ isPublic: true, comment: { id: mine.comment.id } });
    for (const sub of [anon, guest, stranger]) sub.close();
  });
});

describe('threadEvents: moderation and tokens', () => {
  it('sends a trashed comment with visible replies as a placeholder, a trashed leaf as removed', async () => {
    const post = await newPost([draft(null, 1), draft(0, 2), draft(null, 3)]);
    const [parent, reply, leaf] = post.comments as [string, string, string];
    const anon = await open(post.gid);
    await moderate([parent], 'TRASH');
    await moderate([leaf], 'TRASH');
    await anon.waitFor(4);
    expect(events(anon)).toEqual([
      expect.objectContaining({ __typename: 'CommentRemoved', commentId: parent, placeholder: true, placeholderComment: { id: parent, isPlaceholder: true, bodyHtml: null } }),
      expect.objectContaining({ __typename: 'ThreadCounts', commentCount: 2 }),
      expect.objectContaining({ __typename: 'CommentRemoved', commentId: leaf, placeholder: false, placeholderComment: null }),
      expect.objectContaining({ __typename: 'ThreadCounts', commentCount: 1 }),
    ]);
    // The reply goes too: its placeholder parent leaves the tree after it.
    await moderate([reply], 'DELETE');
    await anon.waitFor(7);
    expect(events(anon).slice(4).map((e) => [e.__typename, e.commentId ?? null, e.placeholder ?? null])).toEqual([
      ['CommentRemoved', reply, false],
      ['CommentRemoved', parent, false],
      ['ThreadCounts', null, null],
    ]);
    anon.close();
  });

  it('ends the stream of a revoked token with UNAUTHENTICATED', async () => {
    const post = await newPost();
    const moderator = await addWriter(h.database.db, 'editor');
    const sub = await open(post.gid, { token: moderator.token });
    await h.database.db.execute(sql`update api_tokens set revoked_at = now() where id = (select max(id) from api_tokens where author_id = ${moderator.id})`);
    await comment(post.gid, 'After the revocation');
    await sub.ended;
    expect(sub.completed).toBe(true);
    expect(sub.results).toHaveLength(1);
    expect(sub.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('ends the public view of an unpublished post with ThreadHidden; editors go on', async () => {
    const post = await newPost();
    const anon = await open(post.gid);
    const mod = await open(post.gid, { token: editor.token, query: MODERATOR_EVENTS });
    const unpublished = await h.gql(`mutation ($id: ID!) { unpublishPost(id: $id) { __typename } }`, { id: post.gid }, { token: editor.token });
    expect(unpublished.data.unpublishPost.__typename).toBe('Post');
    await anon.ended;
    expect(kinds(anon)).toEqual(['ThreadHidden']);
    expect(anon.completed).toBe(true);
    // Subscribing to a post you may not see: NOT_FOUND.
    const refused = await open(post.gid);
    await refused.ended;
    expect(refused.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(mod.completed).toBe(false);
    mod.close();
  });
});

describe('threadEvents: resume', () => {
  it('after a disconnect, resuming from the last cursor sends exactly the changes since, in order, once', async () => {
    const post = await newPost();
    const first = await open(post.gid);
    await comment(post.gid, 'Before the disconnect');
    await first.waitFor(2);
    const last = events(first).at(-1).cursor;
    first.close();
    await first.ended;

    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const added = await comment(post.gid, `Change ${i}`, i % 3 === 2 ? ids[i - 1] : undefined);
      ids.push(added.comment.id);
    }
    const resumed = await open(post.gid, { after: last });
    await resumed.waitFor(11);
    const comments = events(resumed).filter((e) => e.__typename === 'CommentAdded');
    expect(comments.map((e) => e.comment.id)).toEqual(ids);
    expect(events(resumed).at(-1)).toMatchObject({ __typename: 'ThreadCounts', commentCount: 12 });
    // Then live, with nothing twice.
    const live = await comment(post.gid, 'Live again');
    await resumed.waitFor(13);
    expect(events(resumed).slice(11).map((e) => e.__typename)).toEqual(['CommentAdded', 'ThreadCounts']);
    expect(events(resumed)[11].comment.id).toBe(live.comment.id);
    const cursors = events(resumed).filter((e) => e.__typename !== 'ThreadCounts').map((e) => Number(Buffer.from(e.cursor, 'base64url').toString().split(':')[1]));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    resumed.close();
  });

  it('refuses a malformed cursor (BAD_USER_INPUT), another thread\'s (BAD_USER_INPUT) and one no longer kept (RESUME_EXPIRED)', async () => {
    const post = await newPost();
    const other = await newPost();
    const sub = await open(other.gid);
    await comment(other.gid, 'Elsewhere');
    const [event] = await sub.waitFor(1);
    sub.close();
    const codeOf = async (after: string) => {
      const s = await open(post.gid, { after });
      await s.ended;
      return s.results[0]!.errors![0]!.extensions!;
    };
    expect(await codeOf('nonsense')).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    expect(await codeOf(Buffer.from('Comment:1').toString('base64url'))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await codeOf(event!.data.threadEvents.cursor)).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
    // Pruned: an event older than the retention is gone.
    await h.database.db.execute(sql`update thread_events set created_at = now() - interval '8 days' where post_id = ${keyOf(other.gid, 'Post')}`);
    const { pruneThreadEvents } = await import('../src/db/queries/thread-events.js');
    expect(await pruneThreadEvents(h.database.db, 7)).toBeGreaterThan(0);
    expect(await codeOf(event!.data.threadEvents.cursor).then((e) => e)).toBeDefined();
    const expired = await open(other.gid, { after: event!.data.threadEvents.cursor });
    await expired.ended;
    expect(expired.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'RESUME_EXPIRED', argument: 'after' });
  });

  it('sends nothing for a rolled-back write, and leaves no event row', async () => {
    const post = await newPost();
    const postKey = keyOf(post.gid, 'Post');
    const sub = await open(post.gid);
    // A check that fails at COMMIT, after the write (its event included) is done.
    await h.database.db.execute(sql.raw(`
      create or replace function refuse_rollback_marker() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$`));
    await h.database.db.execute(sql.raw(`
      create constraint trigger refuse_rollback_marker after insert on thread_events
        deferrable initially deferred for each row when (new.post_id = ${postKey})
        execute function refuse_rollback_marker();`));
    const countEvents = async () =>
      (await queryRows<{ n: number }>(h.database.db, sql`select count(*)::int as n from thread_events where post_id = ${postKey}`))[0]!.n;
    const before = await countEvents();
    const failed = await h.gql(ADD, { input: { postId: post.gid, body: 'Never committed', name: 'R', email: 'r@example.com' } });
    expect(failed.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await countEvents()).toBe(before);
    await h.database.db.execute(sql`drop trigger refuse_rollback_marker on thread_events`);
    const sentinel = await comment(post.gid, 'Sentinel');
    await sub.waitFor(1);
    expect(events(sub)[0].comment.id).toBe(sentinel.comment.id);
    expect(JSON.stringify(sub.results)).not.toContain('Never committed');
    sub.close();
  });
});

describe('threadEvents: cost', () => {
  it('costs the subscribers of a post one statement per batch together, whoever sees the same; a token holder one of its own', async () => {
    const post = await newPost();
    const QUERY = `subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename ... on CommentAdded { cursor comment { id depth bodyHtml } } } }`;
    // The same comment on a post nobody subscribes to: what the write itself costs.
    const quiet = await newPost();
    const alone = await h.gql(ADD, { input: { postId: quiet.gid, body: 'Counted', name: 'C', email: 'c0@example.com' } });
    const anonymous = await Promise.all([1, 2, 3].map(() => subscribe(h.origin, QUERY, { postId: post.gid })));
    const before = h.database.statements.count;
    await h.gql(ADD, { input: { postId: post.gid, body: 'Counted', name: 'C', email: 'c1@example.com' } });
    await Promise.all(anonymous.map((s) => s.waitFor(1)));
    // Three anonymous subscribers read the same rows: one statement, shared while in flight.
    expect(h.database.statements.count - before).toBe(alone.statements + 1);
    const holder = await subscribe(h.origin, QUERY, { postId: post.gid }, { authorization: `Bearer ${editor.token}` });
    const next = h.database.statements.count;
    await h.gql(ADD, { input: { postId: post.gid, body: 'Counted', name: 'C', email: 'c2@example.com' } });
    await Promise.all([...anonymous.map((s) => s.waitFor(2)), holder.waitFor(1)]);
    expect(h.database.statements.count - next).toBe(alone.statements + 2);
    [...anonymous, holder].forEach((s) => s.close());
  });
});

describe('threadEvents: shared executions', () => {
  const QUERY = `subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename ... on CommentAdded { cursor comment { id depth bodyHtml } } ... on ThreadCounts { commentCount } } }`;

  it('executes each event once for the subscribers with the same document, variables and access, and writes them the same bytes', async () => {
    const post = await newPost();
    const anonymous = await Promise.all([1, 2, 3, 4].map(() => subscribe(h.origin, QUERY, { postId: post.gid })));
    // Another selection of the same events: an execution of its own.
    const other = await subscribe(h.origin, QUERY.replace('depth bodyHtml', 'bodyHtml'), { postId: post.gid });
    const before = h.app.subscriptions.executed;
    const added = await comment(post.gid, 'Shared');
    await Promise.all([...anonymous, other].map((s) => s.waitFor(2)));
    // CommentAdded and ThreadCounts: once for the four, once for the other. Before: 2 × 5.
    expect(h.app.subscriptions.executed - before).toBe(4);
    const [first, ...rest] = anonymous.map((s) => JSON.stringify(s.results));
    expect(first).toContain(added.comment.id);
    for (const same of rest) expect(same).toBe(first);
    expect(events(other)[0]).toEqual({ __typename: 'CommentAdded', cursor: events(anonymous[0]!)[0].cursor, comment: { id: added.comment.id, bodyHtml: expect.any(String) } });
    [...anonymous, other].forEach((s) => s.close());
  });

  it('never shares across access: held comments reach moderators, never the public, with the same document', async () => {
    const post = await newPost();
    // Everyone subscribes with the very same document and variables; only the access differs.
    const anonymous = await Promise.all([1, 2, 3].map(() => open(post.gid, { query: MODERATOR_EVENTS })));
    const moderators = await Promise.all([1, 2].map(() => open(post.gid, { token: editor.token, query: MODERATOR_EVENTS })));
    const before = h.app.subscriptions.executed;
    const held = await comment(post.gid, 'Held casino words');
    expect(held.status).toBe('PENDING');
    await Promise.all(moderators.map((m) => m.waitFor(1)));
    for (const m of moderators) expect(events(m)[0]).toMatchObject({ __typename: 'CommentAdded', isPublic: false, comment: { id: held.comment.id, status: 'SPAM' } });
    // The moderators' two streams shared one execution; the public had nothing to execute.
    expect(h.app.subscriptions.executed - before).toBe(1);
    const sentinel = await comment(post.gid, 'Sentinel');
    await Promise.all([...anonymous.map((s) => s.waitFor(2)), ...moderators.map((m) => m.waitFor(3))]);
    // The same event for both, executed for each access: `status` is for moderators only.
    for (const sub of anonymous) expect(events(sub)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: sentinel.comment.id, status: null } });
    for (const m of moderators) expect(events(m)[1]).toMatchObject({ __typename: 'CommentAdded', comment: { id: sentinel.comment.id, status: 'APPROVED' } });
    // Approved: the public hears of it as added, the moderators as edited (the same event).
    await moderate([held.comment.id], 'APPROVE');
    await Promise.all([...anonymous.map((s) => s.waitFor(4)), ...moderators.map((m) => m.waitFor(5))]);
    for (const sub of anonymous) {
      expect(kinds(sub)).toEqual(['CommentAdded', 'ThreadCounts', 'CommentAdded', 'ThreadCounts']);
      expect(events(sub)[2]).toMatchObject({ isPublic: true, comment: { id: held.comment.id, status: null } });
      // Before the approval, no public stream had the held comment.
      expect(JSON.stringify(sub.results.slice(0, 2))).not.toContain(held.comment.id);
    }
    for (const m of moderators) {
      expect(kinds(m)).toEqual(['CommentAdded', 'CommentAdded', 'ThreadCounts', 'CommentEdited', 'ThreadCounts']);
      expect(events(m)[3]).toMatchObject({ isPublic: true, comment: { id: held.comment.id, status: 'APPROVED' } });
    }
    for (const sub of [...anonymous, ...moderators]) sub.close();
  });

  it("never shares a guest's view: their held comment's edit reaches them alone, though they read the same batch as the public", async () => {
    const post = await newPost();
    const mine = await comment(post.gid, 'My casino words');
    expect(mine.status).toBe('PENDING');
    // Same document; the guest's variables carry their token, the public's a null one: what the
    // batch shows each is still the guest's own (the read itself is shared: same access).
    const guest = await open(post.gid, { guestToken: mine.guestToken });
    const anonymous = await Promise.all([1, 2].map(() => open(post.gid)));
    const stranger = await open(post.gid, { guestToken: 'guest_not-a-token' });
    const edited = await h.gql(
      `mutation ($id: ID!, $token: String!, $body: String!) { editOwnComment(id: $id, guestToken: $token, body: $body) { __typename ... on Error { code } } }`,
      { id: mine.comment.id, token: mine.guestToken, body: 'My casino words, edited' },
    );
    expect(edited.data.editOwnComment.__typename, JSON.stringify(edited)).not.toBe('Error');
    await guest.waitFor(1);
    expect(events(guest)[0]).toMatchObject({ __typename: 'CommentEdited', isPublic: false, comment: { id: mine.comment.id, bodyHtml: expect.stringContaining('edited') } });
    const sentinel = await comment(post.gid, 'Sentinel');
    for (const sub of [...anonymous, stranger]) {
      await sub.waitFor(1);
      expect(events(sub)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: sentinel.comment.id } });
      expect(JSON.stringify(sub.results)).not.toContain(mine.comment.id);
    }
    for (const sub of [guest, ...anonymous, stranger]) sub.close();
  });
});

describe('threadEvents: streams', () => {
  let s: Harness;
  beforeAll(async () => {
    // A small buffer and cap, heartbeats every second, and the response cache on (with its replays).
    s = await createHarness(
      { COMMENT_FLOOD_SECONDS: '0', SUBSCRIPTION_BUFFER: '3', SUBSCRIPTIONS_PER_CLIENT: '2', SUBSCRIPTION_HEARTBEAT_SECONDS: '1', RESPONSE_CACHE_TTL_SECONDS: '300' },
      { http: true },
    );
  });
  afterAll(() => s.close());

  async function heldComments(postGid: string, count: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await s.gql(ADD, { input: { postId: postGid, body: `Held https://a.example https://b.example ${i}`, name: 'H', email: `h${i}@example.com` } });
      ids.push(r.data.addComment.comment.id);
    }
    return ids;
  }

  it('ends a subscriber more than SUBSCRIPTION_BUFFER events behind with SUBSCRIPTION_OVERFLOW and its resume cursor', async () => {
    const postGid = encodeGlobalId('Post', await addPost(s.database.db, { authorId: await addAuthor(s.database.db) }));
    const editorS = await addWriter(s.database.db, 'editor');
    const held = await heldComments(postGid, 5);
    const sub = await subscribe(s.origin, EVENTS, { postId: postGid });
    // Held comments do not count against the public's buffer: nothing for it to see.
    await s.gql(MODERATE, { ids: held.slice(0, 2), action: 'APPROVE' }, { token: editorS.token });
    await sub.waitFor(3);
    expect(kinds(sub)).toEqual(['CommentAdded', 'CommentAdded', 'ThreadCounts']);
    // Four events in one write, for a buffer of three.
    const post2 = await addThread(s.database.db, keyOf(postGid, 'Post'), [draft(null, 1, { status: 'pending' })]);
    await s.gql(MODERATE, { ids: [...held.slice(2), encodeGlobalId('Comment', post2[0]!)], action: 'APPROVE' }, { token: editorS.token });
    await sub.ended;
    const last = sub.results.at(-1)!;
    expect(last.errors![0]!.extensions).toMatchObject({ code: 'SUBSCRIPTION_OVERFLOW', resumeAfter: events(sub)[2].cursor });
    expect(sub.completed).toBe(true);
    // Resuming from there, the backlog comes in full (read a chunk at a time, never overflowing).
    const resumed = await subscribe(s.origin, EVENTS, { postId: postGid, after: last.errors![0]!.extensions!.resumeAfter });
    await resumed.waitFor(5);
    expect(kinds(resumed)).toEqual(['CommentAdded', 'CommentAdded', 'CommentAdded', 'CommentAdded', 'ThreadCounts']);
    resumed.close();
  });

  it('caps subscriptions per client address with LIMIT_EXCEEDED, and frees the slot when one closes', async () => {
    const postGid = encodeGlobalId('Post', await addPost(s.database.db, { authorId: await addAuthor(s.database.db) }));
    await until(() => s.app.subscriptions.open === 0);
    const a = await subscribe(s.origin, EVENTS, { postId: postGid });
    const b = await subscribe(s.origin, EVENTS, { postId: postGid });
    const c = await subscribe(s.origin, EVENTS, { postId: postGid });
    await c.ended;
    expect(c.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'subscriptionsPerClient', max: 2 });
    a.close();
    await until(() => s.app.subscriptions.open === 1);
    const d = await subscribe(s.origin, EVENTS, { postId: postGid });
    expect(d.completed).toBe(false);
    expect(s.app.subscriptions.open).toBe(2);
    b.close();
    d.close();
  });

  it('caps subscriptions per process with LIMIT_EXCEEDED, whatever the clients', async () => {
    const capped = await createHarness({ SUBSCRIPTIONS_MAX: '2', SUBSCRIPTIONS_PER_CLIENT: '10', TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
    try {
      const postGid = encodeGlobalId('Post', await addPost(capped.database.db, { authorId: await addAuthor(capped.database.db) }));
      const from = (ip: string) => subscribe(capped.origin, EVENTS, { postId: postGid }, { 'x-forwarded-for': ip });
      const [a, b] = [await from('203.0.113.1'), await from('203.0.113.2')];
      const c = await from('203.0.113.3');
      await c.ended;
      expect(c.results[0]!.errors![0]!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'subscriptions', max: 2 });
      a.close();
      b.close();
    } finally {
      await capped.close();
    }
  });

  it('counts an IPv6 /64 as one client (however its addresses are written), and an IPv4-mapped address as its IPv4 address', async () => {
    const grouped = await createHarness({ SUBSCRIPTIONS_PER_CLIENT: '5', TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
    const streams: SseSubscription[] = [];
    try {
      const postGid = encodeGlobalId('Post', await addPost(grouped.database.db, { authorId: await addAuthor(grouped.database.db) }));
      const from = async (ip: string) => {
        const sub = await subscribe(grouped.origin, EVENTS, { postId: postGid }, { 'x-forwarded-for': ip });
        streams.push(sub);
        return sub;
      };
      const refused = async (ip: string) => {
        const sub = await from(ip);
        // A refusal is the stream's first (and last) result; an accepted stream sends nothing yet.
        await sub.waitFor(1, 5000);
        expect(sub.results[0]?.errors?.[0]?.extensions, ip).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'subscriptionsPerClient', max: 5 });
      };
      // Five addresses of 2001:db8::/64, each written another way: five of its five slots.
      for (const ip of ['2001:db8::1', '2001:db8:0:0:ffff::2', '2001:DB8:0000:0000::3', '[2001:db8::4]:443', '2001:0db8::abcd:5']) {
        expect((await from(ip)).completed, ip).toBe(false);
      }
      await refused('2001:db8:0:0:1:2:3:6');
      // The next /64 is another customer, with slots of its own.
      expect((await from('2001:db8:0:1::1')).completed).toBe(false);
      expect(grouped.app.subscriptions.open).toBe(6);

      // An IPv4 address, and the same address as IPv4-mapped IPv6 in any of its spellings: one client.
      for (const ip of ['198.51.100.7', '::ffff:198.51.100.7', '::ffff:c633:6407', '0:0:0:0:0:ffff:c633:6407', '198.51.100.7:8080']) {
        expect((await from(ip)).completed, ip).toBe(false);
      }
      await refused('::FFFF:198.51.100.7');
      // Its IPv4 neighbour is another client.
      expect((await from('198.51.100.8')).completed).toBe(false);
      expect(grouped.app.subscriptions.open).toBe(12);
    } finally {
      for (const sub of streams) sub.close();
      await grouped.close();
    }
  });

  it('streams with heartbeats, X-Accel-Buffering: no, uncompressed, past the response cache and the shortcuts', async () => {
    await until(() => s.app.subscriptions.open === 0);
    const postGid = encodeGlobalId('Post', await addPost(s.database.db, { authorId: await addAuthor(s.database.db) }));
    const headers = { 'accept-encoding': 'gzip, deflate, br' };
    const first = await subscribe(s.origin, EVENTS, { postId: postGid }, headers);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(first.response.headers.get('x-accel-buffering')).toBe('no');
    expect(first.response.headers.get('content-encoding')).toBeNull();
    expect(first.response.headers.get('cache-control')).toContain('no-transform');
    await first.waitForComments(3);
    // The very same request again: a stream of its own, not a replay nor a plan.
    const second = await subscribe(s.origin, EVENTS, { postId: postGid }, headers);
    await s.gql(ADD, { input: { postId: postGid, body: 'Both hear it', name: 'B', email: 'both@example.com' } });
    await first.waitFor(2);
    await second.waitFor(2);
    expect(events(second)).toEqual(events(first));
    expect(s.app.replays!.served).toBe(0);
    first.close();
    second.close();
  });
});

describe('threadEvents: unexpected errors', () => {
  it('reach the client masked, are logged in full, and end the stream cleanly', async () => {
    const broken = await createHarness({ COMMENT_FLOOD_SECONDS: '0' }, { http: true });
    try {
      const postGid = encodeGlobalId('Post', await addPost(broken.database.db, { authorId: await addAuthor(broken.database.db) }));
      const holder = await addWriter(broken.database.db, 'editor');
      const sub = await subscribe(broken.origin, EVENTS, { postId: postGid }, { authorization: `Bearer ${holder.token}` });
      await until(() => broken.app.subscriptions.open === 1);
      // A token holder's stream re-checks its token with every batch it reads; a guest's comment
      // needs no token. With the table gone, the comment is written and the stream's read fails.
      await queryRows(broken.database.db, sql`alter table api_tokens rename to api_tokens_gone`);
      const added = await broken.gql(ADD, { input: { postId: postGid, body: 'Read by no one', name: 'N', email: 'n@example.com' } });
      expect(added.data.addComment.__typename, JSON.stringify(added)).toBe('AddCommentPayload');
      await sub.ended;
      expect(sub.results).toHaveLength(1);
      expect(sub.results[0]).toMatchObject({ data: null, errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      expect(JSON.stringify(sub.results)).not.toMatch(/api_tokens|relation|pglite|postgres|stack|stream failed/i);
      expect(sub.completed).toBe(true);
      // The server let the stream go, and logged what happened, where, with its stack.
      await until(() => broken.app.subscriptions.open === 0);
      // Once, where the stream's last event was masked (src/errors.ts), with the request's id.
      const logged = broken.logs.filter((entry) => entry.level === 'error');
      expect(logged, JSON.stringify(broken.logs)).toHaveLength(1);
      const [error, where] = logged[0]!.args as [Error, Record<string, unknown>];
      expect(error.message).toMatch(/api_tokens/);
      expect(error.stack).toMatch(/\n\s+at /);
      expect(where).toMatchObject({ path: 'threadEvents', requestId: expect.any(String) });
    } finally {
      await broken.close();
    }
  });
});

/** Waits (generously) for a condition the server reaches on its own, such as a released slot. */
async function until(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('threadEvents: SIGTERM', () => {
  it('ends open streams cleanly, and the server exits 0 promptly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-sse-'));
    const port = await freePort();
    const server = startServer(dir, { PORT: String(port), SEED_DEMO: 'true', GRAPHIQL: 'false' });
    try {
      await server.ready;
      const origin = `http://127.0.0.1:${port}`;
      const posts = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ posts(first: 1) { edges { node { id } } } }' }),
      }).then((r) => r.json() as Promise<any>);
      const sub = await subscribe(origin, EVENTS, { postId: posts.data.posts.edges[0].node.id });
      const code = await stopServer(server);
      await sub.ended;
      expect(sub.completed).toBe(true);
      expect(code).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('threadEvents across processes, through Redis', () => {
  // Two apps on one database, each with its own listener and its own Redis connections: a comment
  // posted through A reaches a subscriber of B only through Redis. With TEST_DATABASE_URL, also two
  // real server processes (PGlite is one process's database). Skipped where no Redis answers.
  const url = 'redis://127.0.0.1:6379/9';
  let available = false;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    const { Redis } = await import('ioredis');
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    available = await probe.connect().then(() => true, () => false);
    probe.disconnect();
    if (!available) return;
    const env = { REDIS_URL: url, REDIS_PREFIX: `palaver-test-sse-${process.pid}-${backend}:`, COMMENT_FLOOD_SECONDS: '0' };
    a = await createHarness(env, { http: true });
    const { createApp } = await import('../src/app.js');
    const { loadConfig } = await import('../src/config.js');
    const { createServer } = await import('node:http');
    const appB = createApp({ db: a.database.db, config: loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0', ...env }), logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const server = createServer(appB.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    b = { ...a, app: appB, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: async () => {
      await appB.endSubscriptions();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await appB.dispose();
    } };
    await Promise.all([a.app.threadEvents.ready, appB.threadEvents.ready]);
  });
  afterAll(async () => {
    if (!available) return;
    await b.close();
    await a.close();
  });

  it('a comment posted through A reaches a subscriber of B', async ({ skip }) => {
    if (!available) skip();
    const postGid = encodeGlobalId('Post', await addPost(a.database.db, { authorId: await addAuthor(a.database.db) }));
    const onB = await subscribe(b.origin, EVENTS, { postId: postGid });
    const added = await a.gql(ADD, { input: { postId: postGid, body: 'Through Redis', name: 'R', email: 'redis@example.com' } });
    await onB.waitFor(2);
    expect(events(onB)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: added.data.addComment.comment.id } });
    onB.close();
  });

  it('two server processes on Postgres: a comment posted to one reaches a subscriber of the other', async ({ skip }) => {
    if (!available || backend !== 'postgres') skip();
    const rows = await queryRows<{ name: string }>(a.database.db, sql`select current_database() as name`);
    const target = new URL(process.env.TEST_DATABASE_URL!);
    target.pathname = `/${rows[0]!.name}`;
    const env = { DATABASE_URL: target.toString(), REDIS_URL: url, REDIS_PREFIX: `palaver-test-sse-proc-${process.pid}:`, SEED_DEMO: 'false', GRAPHIQL: 'false', COMMENT_FLOOD_SECONDS: '0' };
    const ports = [await freePort(), await freePort()];
    const servers = ports.map((port) => startServer(join(tmpdir(), 'unused-pglite'), { ...env, PORT: String(port) }));
    try {
      await Promise.all(servers.map((s) => s.ready));
      const postGid = encodeGlobalId('Post', await addPost(a.database.db, { authorId: await addAuthor(a.database.db) }));
      const sub = await subscribe(`http://127.0.0.1:${ports[1]}`, EVENTS, { postId: postGid });
      const added = await fetch(`http://127.0.0.1:${ports[0]}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ADD, variables: { input: { postId: postGid, body: 'Across processes', name: 'P', email: 'proc@example.com' } } }),
      }).then((r) => r.json() as Promise<any>);
      await sub.waitFor(2);
      expect(events(sub)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: added.data.addComment.comment.id } });
      sub.close();
      expect(await Promise.all(servers.map(stopServer))).toEqual([0, 0]);
    } finally {
      servers.forEach((s) => s.child.kill('SIGKILL'));
    }
  });
});

describe('threadEvents over GET', () => {
  it('streams a subscription sent as GET /graphql?query=… with Accept: text/event-stream', async () => {
    const post = await newPost();
    const query = `subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename ... on CommentAdded { comment { bodyHtml } } } }`;
    const url = `${h.origin}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ postId: post.gid }))}`;
    const abort = new AbortController();
    const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    await comment(post.gid, 'Over GET');
    let text = '';
    while (!text.includes('Over GET')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: next');
    abort.abort();
  });
});

describe("the README's subscription example", () => {
  it('runs as written', async () => {
    const { readFileSync } = await import('node:fs');
    const example = [...readFileSync(new URL('../README.md', import.meta.url), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((text) => text.startsWith('subscription ThreadEvents('))!;
    const post = await newPost();
    const sub = await subscribe(h.origin, example, { postId: post.gid });
    const added = await comment(post.gid, 'From the README');
    await sub.waitFor(2);
    expect(events(sub)[0]).toMatchObject({ __typename: 'CommentAdded', comment: { id: added.comment.id, author: { name: expect.any(String) } } });
    expect(events(sub)[1]).toMatchObject({ __typename: 'ThreadCounts', commentCount: 2 });
    sub.close();
  });
});
