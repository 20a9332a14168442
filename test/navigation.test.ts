import { sql } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { encodeCursor } from '../src/schema/pagination.js';
import { addAuthor, addPost, addThread, addWriter, draft } from './fixtures.js';
import { createHarness, expectBudgetEdge, type Harness } from './harness.js';

/*
 * Thread navigation: a comment's ancestors, the page around a comment (permalinks), what is new
 * since a time, and the thread newest first. Every query runs through the read engine and the
 * resolvers (`reference`), which must answer alike, byte for byte; the engine in one statement.
 * Queries are written as Relay and Apollo send them (__typename, id, fragments, pageInfo, cursors).
 */
const drafts = [
  /* 0 A          */ draft(null, 10),
  /* 1 A.1        */ draft(0, 20),
  /* 2 A.1.s      */ draft(1, 30, { status: 'spam' }), // a placeholder: its reply is public
  /* 3 A.1.s.a    */ draft(2, 40),
  /* 4 A.1.s.a.x  */ draft(3, 50), // depth 5
  /* 5 B          */ draft(null, 15),
  /* 6 B.h        */ draft(5, 16, { status: 'pending' }), // held, not listed
  /* 7 B.h.h      */ draft(6, 17, { status: 'pending' }), // held reply to a held comment
  /* 8 C          */ draft(null, 25, { deleted: true }), // a placeholder
  /* 9 C.1        */ draft(8, 26),
  // 30 more top-level comments, each with a reply, one minute apart: pages to walk through.
  ...Array.from({ length: 30 }, (_, i) => [draft(null, 60 + 2 * i), draft(10 + 2 * i, 61 + 2 * i)]).flat(),
];

let h: Harness;
let ids: number[];
let otherComment: number;
let editor: string;
let postGid: string;
const gid = (index: number) => encodeGlobalId('Comment', ids[index]!);

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const authorId = await addAuthor(db);
  const postId = await addPost(db, { authorId, slug: 'nav' });
  postGid = encodeGlobalId('Post', postId);
  ids = await addThread(db, postId, drafts);
  const other = await addPost(db, { authorId, slug: 'other' });
  otherComment = (await addThread(db, other, [draft(null, 12)]))[0]!;
  editor = (await addWriter(db, 'editor')).token;
});
afterAll(() => h.close());

/** The query through the engine and through the resolvers: the same bytes; the engine's answer. */
async function both(query: string, variables: Record<string, unknown> = {}, token?: string) {
  const engine = await h.gql(query, variables, { token });
  const reference = await h.gql(query, variables, { token, reference: true });
  expect(JSON.stringify({ data: engine.data, errors: engine.errors }), query).toBe(
    JSON.stringify({ data: reference.data, errors: reference.errors }),
  );
  return { ...engine, referenceStatements: reference.statements };
}

interface Edge {
  cursor: string;
  depth: number;
  node: { id: string; createdAt: string; isPlaceholder: boolean };
}
const EDGES = `edges { __typename cursor depth node { __typename id createdAt isPlaceholder } }
  pageInfo { __typename hasPreviousPage hasNextPage startCursor endCursor }`;
const THREAD = `query Thread($slug: String!, $first: Int, $last: Int, $after: String, $before: String, $around: ID,
    $since: DateTime, $order: SortOrder = OLDEST_FIRST) {
  post(slug: $slug) {
    __typename id
    thread(first: $first, last: $last, after: $after, before: $before, around: $around, since: $since, order: $order) {
      __typename totalCount ${EDGES}
    }
  }
}`;
type Args = { first?: number; last?: number; after?: string; before?: string; around?: string; since?: string; order?: string };
async function thread(args: Args, token?: string) {
  const result = await both(THREAD, { slug: 'nav', ...args }, token);
  expect(result.errors, JSON.stringify(args)).toBeUndefined();
  expect(result.statements).toBe(token ? 2 : 1);
  return result.data.post.thread as { totalCount: number; edges: Edge[]; pageInfo: Record<string, unknown> };
}
/** A whole list, in one page. */
const whole = async (args: Args = {}) => (await thread({ first: 100, ...args })).edges;
const idsOf = (edges: Edge[]) => edges.map((e) => e.node.id);

describe('Comment.ancestors', () => {
  const ANCESTORS = `query Ancestors($id: ID!) {
    comment(id: $id) { __typename id depth ancestors { __typename id depth isPlaceholder bodyHtml author { __typename name } ...Link } }
  }
  fragment Link on Comment { parent { __typename id } }`;

  it('lists the chain from the top-level comment down to the parent, with placeholders', async () => {
    const { data, statements } = await both(ANCESTORS, { id: gid(4) });
    expect(statements).toBe(1);
    const chain = data.comment.ancestors;
    expect(chain.map((c: any) => c.id)).toEqual([gid(0), gid(1), gid(2), gid(3)]);
    expect(chain.map((c: any) => c.depth)).toEqual([1, 2, 3, 4]);
    expect(chain.map((c: any) => c.isPlaceholder)).toEqual([false, false, true, false]);
    expect(chain[2]).toMatchObject({ bodyHtml: null, author: null, parent: { id: gid(1) } });
    expect(chain[0].parent).toBeNull();
    expect(chain[3].bodyHtml).toContain('minute 40');
  });

  it('shows a moderator the placeholders as they are, and held ancestors of a held comment', async () => {
    const { data, statements } = await both(ANCESTORS, { id: gid(4) }, editor);
    expect(statements).toBe(2);
    expect(data.comment.ancestors[2]).toMatchObject({ id: gid(2), isPlaceholder: true, author: { name: 'Guest 30' } });
    expect(data.comment.ancestors[2].bodyHtml).toContain('minute 30');
    const held = await both(ANCESTORS, { id: gid(7) }, editor);
    expect(held.data.comment.ancestors.map((c: any) => c.id)).toEqual([gid(5), gid(6)]);
    // The public cannot reach the held comment at all.
    expect((await both(ANCESTORS, { id: gid(7) })).data.comment).toBeNull();
  });

  it('is empty at the top level, and loads for a whole page of comments in one statement', async () => {
    expect((await both(ANCESTORS, { id: gid(0) })).data.comment.ancestors).toEqual([]);
    const page = (first: number) =>
      both(`query ($first: Int) { post(slug: "nav") { thread(first: $first) { edges { depth node { id ancestors { id } } } } } }`, { first });
    const [small, large] = [await page(5), await page(60)];
    for (const { depth, node } of large.data.post.thread.edges) expect(node.ancestors).toHaveLength(depth - 1);
    const edges = large.data.post.thread.edges;
    expect(edges[4].node.ancestors.map((a: any) => a.id)).toEqual([gid(0), gid(1), gid(2), gid(3)]);
    // The resolvers batch ancestors: as many statements for 60 comments as for 5.
    expect(large.referenceStatements).toBe(small.referenceStatements);
    expect(large.statements).toBe(1);
  });

  it('never misses an ancestor of a listed comment: every ancestor of a listed comment is listed', async () => {
    // The invariant the placeholders rest on (queries/comments.ts, ancestorsByIds); moderation
    // below changes the thread, and the last test checks it again.
    expect(await unlistedAncestors()).toEqual([]);
  });
});

const unlistedAncestors = async () =>
  queryRows(
    h.database.db,
    sql`select c.id, a.id as ancestor from comments c join comments a on a.id = any(array(select c.path[2 * g] from generate_series(1, c.depth - 1) g)::int[])
        where c.listed and not a.listed`,
  );

describe('thread(around:)', () => {
  it('is the page holding the comment: a third before it, the rest from it on, with cursors both ways', async () => {
    const all = await whole();
    expect(all).toHaveLength(68);
    for (const i of [0, 1, 3, 4, 30, 62, 66, 67]) {
      const around = all[i]!.node.id;
      const page = await thread({ around, first: 9 });
      const start = Math.max(0, i - 3);
      expect(idsOf(page.edges), `around ${i}`).toEqual(idsOf(all.slice(start, i + 6)));
      expect(page.edges.map((e) => e.depth)).toEqual(all.slice(start, i + 6).map((e) => e.depth));
      expect(page.pageInfo).toEqual({
        __typename: 'PageInfo',
        hasPreviousPage: start > 0,
        hasNextPage: i + 6 < all.length,
        startCursor: page.edges[0]!.cursor,
        endCursor: page.edges.at(-1)!.cursor,
      });
      expect(page.totalCount).toBe(68);
      // Paging on from it either way gives the rest of the thread, as paging the whole thread does.
      const after = (await thread({ first: 100, after: page.pageInfo.endCursor as string })).edges;
      const before = (await thread({ last: 100, before: page.pageInfo.startCursor as string })).edges;
      expect([...idsOf(before), ...idsOf(page.edges), ...idsOf(after)]).toEqual(idsOf(all));
    }
  });

  it('takes the default page size, and `first: 1` is the comment alone', async () => {
    const all = await whole();
    const page = await thread({ around: all[40]!.node.id });
    expect(idsOf(page.edges)).toEqual(idsOf(all.slice(34, 54)));
    const alone = await thread({ around: all[40]!.node.id, first: 1 });
    expect(idsOf(alone.edges)).toEqual([all[40]!.node.id]);
    expect(alone.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('works in every order and with `since`', async () => {
    const newest = await whole({ order: 'NEWEST_FIRST' });
    const page = await thread({ order: 'NEWEST_FIRST', around: newest[20]!.node.id, first: 6 });
    expect(idsOf(page.edges)).toEqual(idsOf(newest.slice(18, 24)));
    const since = '2024-01-02T01:10:00.000Z';
    const recent = await whole({ since });
    const near = await thread({ since, around: recent[5]!.node.id, first: 6 });
    expect(idsOf(near.edges)).toEqual(idsOf(recent.slice(3, 9)));
    // An old comment is not in the list `since` selects: nothing to be around.
    expect((await thread({ since, around: gid(0), first: 6 })).edges).toEqual([]);
  });

  it('answers around a comment that is not in this thread as after an unknown cursor: the same bytes', async () => {
    const page = (around: string) => both(THREAD, { slug: 'nav', around, first: 9 });
    const unknown = await page(encodeGlobalId('Comment', 2_000_000));
    for (const hidden of [gid(6), gid(7), encodeGlobalId('Comment', otherComment)]) {
      const answer = await page(hidden);
      expect(JSON.stringify(answer.data)).toBe(JSON.stringify(unknown.data));
      expect(answer.statements).toBe(1);
    }
    const afterUnknown = await both(THREAD, { slug: 'nav', after: encodeCursor('Comment', 2_000_000), first: 9 });
    expect(unknown.data.post.thread).toEqual(afterUnknown.data.post.thread);
    expect(unknown.data.post.thread).toMatchObject({
      edges: [],
      pageInfo: { hasPreviousPage: true, hasNextPage: false, startCursor: null, endCursor: null },
    });
  });

  it('refuses a malformed ID, an ID of another type, and `around` with `after`, `before` or `last`', async () => {
    const all = await whole();
    const cursor = all[3]!.cursor;
    const comment = all[10]!.node.id;
    for (const args of [
      { around: 'nonsense' },
      { around: postGid },
      { around: comment, after: cursor },
      { around: comment, before: cursor },
      { around: comment, last: 5 },
    ]) {
      const { errors, data } = await both(THREAD, { slug: 'nav', ...args });
      expect(errors, JSON.stringify(args)).toHaveLength(1);
      expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'around' });
      expect(data.post).toBeNull();
    }
  });
});

describe('thread(since:) and commentCountSince', () => {
  const SINCE = `query WhatsNew($slug: String!, $since: DateTime!, $first: Int, $after: String) {
    post(slug: $slug) { __typename id commentCount commentCountSince(since: $since)
      thread(since: $since, first: $first, after: $after) { totalCount ...Page } }
  }
  fragment Page on ThreadConnection { ${EDGES} }`;
  const whatsNew = async (since: string, token?: string) => {
    const { data, statements } = await both(SINCE, { slug: 'nav', since, first: 100 }, token);
    expect(statements).toBe(token ? 2 : 1);
    return data.post;
  };

  it('lists the comments created after `since` in reading order, with their depth, and counts the public ones', async () => {
    const all = await whole();
    // The comment at minute 70 itself is not after it (to the millisecond).
    const since = all.find((e) => e.node.createdAt === '2024-01-02T01:10:00.000Z')!.node.createdAt;
    const expected = all.filter((e) => e.node.createdAt > since);
    const post = await whatsNew(since);
    expect(idsOf(post.thread.edges)).toEqual(idsOf(expected));
    expect(post.thread.edges.map((e: Edge) => e.depth)).toEqual(expected.map((e) => e.depth));
    expect(post.thread.totalCount).toBe(expected.length);
    expect(post.commentCountSince).toBe(expected.filter((e) => !e.node.isPlaceholder).length);
    // Since the beginning: the whole thread, and commentCount.
    const everything = await whatsNew('2000-01-01T00:00:00.000Z');
    expect(everything.commentCountSince).toBe(everything.commentCount);
    expect(everything.thread.totalCount).toBe(all.length);
    // Placeholders count in the thread, not in the badge.
    expect(everything.commentCount).toBe(all.length - 2);
  });

  it('pages by cursor like the rest of the thread', async () => {
    const since = '2024-01-02T00:45:00.000Z';
    const expected = idsOf(await whole({ since }));
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await thread({ since, first: 7, after });
      seen.push(...idsOf(page.edges));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor as string;
    }
    expect(seen).toEqual(expected);
    // A cursor of a comment older than `since` positions nothing there.
    expect((await thread({ since, first: 7, after: encodeCursor('Comment', ids[0]!) })).edges).toEqual([]);
  });

  it('follows moderation: what is taken away after `since` leaves the list and the count, for the public and for moderators', async () => {
    const since = '2024-01-02T01:30:00.000Z';
    const before = await whatsNew(since);
    const asEditor = await whatsNew(since, editor);
    expect(asEditor.commentCountSince).toBe(before.commentCountSince);
    // A new reply without replies (it disappears), and a new top-level comment with one (it stays as a placeholder).
    const [reply, parent] = [gid(10 + 2 * 20 + 1), gid(10 + 2 * 25)];
    expect(idsOf(before.thread.edges)).toEqual(expect.arrayContaining([reply, parent]));
    const moderate = `mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: TRASH) { __typename } }`;
    expect((await h.gql(moderate, { ids: [reply, parent] }, { token: editor })).errors).toBeUndefined();

    const after = await whatsNew(since);
    expect(after.commentCountSince).toBe(before.commentCountSince - 2);
    expect(idsOf(after.thread.edges)).toEqual(idsOf(before.thread.edges).filter((id) => id !== reply));
    expect(after.thread.edges.find((e: Edge) => e.node.id === parent).node.isPlaceholder).toBe(true);
    // Moderators count what the thread lists for them: the same (held comments are in the queue).
    expect((await whatsNew(since, editor)).commentCountSince).toBe(after.commentCountSince);
    // And the ancestors' invariant still holds.
    expect(await unlistedAncestors()).toEqual([]);

    const approve = `mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: APPROVE) { __typename } }`;
    expect((await h.gql(approve, { ids: [reply, parent] }, { token: editor })).errors).toBeUndefined();
    expect(await whatsNew(since)).toEqual(before);
  });

  it('refuses a `since` that is not a DateTime, as any DateTime argument', async () => {
    const { errors } = await both(SINCE, { slug: 'nav', since: 'yesterday' });
    expect(errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('thread(order: NEWEST_FIRST)', () => {
  it('lists comments newest first by creation time, flat, each with its depth', async () => {
    const all = await whole();
    const newest = await whole({ order: 'NEWEST_FIRST' });
    const byTime = [...all].sort((a, b) => (a.node.createdAt === b.node.createdAt ? 0 : a.node.createdAt < b.node.createdAt ? 1 : -1));
    expect(idsOf(newest)).toEqual(idsOf(byTime));
    expect(newest.map((e) => e.depth)).toEqual(byTime.map((e) => e.depth));
    expect(newest[0]!.depth).toBe(2);
  });

  it('pages both ways by cursor', async () => {
    const newest = idsOf(await whole({ order: 'NEWEST_FIRST' }));
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 20 && seen.length < newest.length; i++) {
      const page = await thread({ order: 'NEWEST_FIRST', first: 10, after });
      seen.push(...idsOf(page.edges));
      after = page.pageInfo.endCursor as string;
    }
    expect(seen).toEqual(newest);
    const last = await thread({ order: 'NEWEST_FIRST', last: 5 });
    expect(idsOf(last.edges)).toEqual(newest.slice(-5));
    const back = await thread({ order: 'NEWEST_FIRST', last: 5, before: last.pageInfo.startCursor as string });
    expect(idsOf(back.edges)).toEqual(newest.slice(-10, -5));
  });
});

describe('a deep comment in context, in one request', () => {
  it('the comment, its ancestors, its first replies and the page of the thread around it: one statement', async () => {
    const PERMALINK = `query Permalink($id: ID!, $slug: String!) {
      comment(id: $id) { __typename id depth ...Body
        ancestors { __typename id depth isPlaceholder ...Body }
        replies(first: 3) { edges { cursor node { __typename id ...Body } } pageInfo { hasNextPage endCursor } }
      }
      post(slug: $slug) { __typename id title commentCount
        thread(around: $id, first: 10) { edges { cursor depth node { __typename id ...Body } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } }
      }
    }
    fragment Body on Comment { bodyHtml createdAt author { __typename name url } }`;
    const { data, statements, referenceStatements } = await both(PERMALINK, { id: gid(3), slug: 'nav' });
    expect(statements).toBe(1);
    expect(referenceStatements).toBeGreaterThan(1);
    expect(data.comment.ancestors.map((c: any) => c.id)).toEqual([gid(0), gid(1), gid(2)]);
    expect(data.comment.replies.edges.map((e: any) => e.node.id)).toEqual([gid(4)]);
    const around = data.post.thread.edges.map((e: any) => e.node.id);
    // Fourth in reading order (A, A.1, A.1.s, then it): the three before it open the thread.
    expect(around.indexOf(gid(3))).toBe(3);
    expect(data.post.thread.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });
});

describe("the README's examples", () => {
  const examples = [...readFileSync(new URL('../README.md', import.meta.url), 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const example = (name: string) => examples.find((text) => text.startsWith(`query ${name}(`))!;

  it('run as written, in one statement each, as the resolvers answer them', async () => {
    const permalink = await both(example('Permalink'), { id: gid(4), slug: 'nav' });
    expect(permalink.errors).toBeUndefined();
    expect(permalink.statements).toBe(1);
    expect(permalink.data.comment.ancestors).toHaveLength(4);
    expect(permalink.data.post.thread.edges.map((e: Edge) => e.node.id)).toContain(gid(4));
    const whatsNew = await both(example('WhatsNew'), { slug: 'nav', since: '2024-01-02T01:50:00.000Z' });
    expect(whatsNew.errors).toBeUndefined();
    expect(whatsNew.statements).toBe(1);
    // Minutes 111 to 119: a reply whose parent is older, then four new comments with a reply each.
    expect(whatsNew.data.post.commentCountSince).toBe(9);
    expect(whatsNew.data.post.thread.edges[0]).toMatchObject({ depth: 2, node: { ancestors: [{ id: gid(10 + 2 * 25) }] } });
  });
});

describe('the comment budget', () => {
  it('counts ancestors: at the budget, one statement; one past it, the resolvers refuse', async () => {
    // Each thread edge's comment and its ancestors; the top-level one's body imitates the JSON the
    // engine counts in (its quotes escaped, its brackets inside a string): it must not count.
    await h.database.db.execute(sql`update comments set body_html = ${'<p>] } { [ "ancestors" : [{}, {"a" : [1]}] \\</p>'} where id = ${ids[0]!}`);
    const query = `{ post(slug: "nav") { thread(first: 12) { edges { node { id bodyHtml ancestors { id bodyHtml author { name } } } } } } }`;
    const { data } = await both(query);
    const count = data.post.thread.edges.reduce((sum: number, e: any) => sum + 1 + e.node.ancestors.length, 0);
    expect(count).toBeGreaterThan(12);
    const at = await expectBudgetEdge(h, query, count);
    expect(JSON.stringify(at.data)).toContain('\\"ancestors\\" : [{}');
  });
});
