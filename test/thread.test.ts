import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The thread model on a small thread imported out of order, with every visibility case:
 * a pending reply, a spam comment with an approved reply, a deleted comment with and one without
 * replies, and two top-level comments with the same timestamp (ordered by id).
 */
const drafts = [
  /* 0 A      */ draft(null, 10),
  /* 1 A.1    */ draft(0, 20),
  /* 2 B      */ draft(null, 5),
  /* 3 A.1.a  */ draft(1, 30),
  /* 4 A.0    */ draft(0, 15),
  /* 5 B.1    */ draft(2, 7),
  /* 6 C      */ draft(null, 10),
  /* 7 B.1.x  */ draft(5, 8, { status: 'pending' }),
  /* 8 A.0.d  */ draft(4, 16, { deleted: true }),
  /* 9 A.0.d1 */ draft(8, 17),
  /* 10 A.0.e */ draft(4, 18, { deleted: true }),
  /* 11 C.s   */ draft(6, 11, { status: 'spam' }),
  /* 12 C.s1  */ draft(11, 12),
];
// Reading order (draft index, depth, placeholder?).
const expected: [number, number, boolean][] = [
  [2, 1, false],
  [5, 2, false],
  [0, 1, false],
  [4, 2, false],
  [8, 3, true],
  [9, 4, false],
  [1, 2, false],
  [3, 3, false],
  [6, 1, false],
  [11, 2, true],
  [12, 3, false],
];

let h: Harness;
let ids: number[];
let slug: string;
const gid = (index: number) => encodeGlobalId('Comment', ids[index]!);
const indexOf = (globalId: string) => ids.indexOf(Number(Buffer.from(globalId, 'base64').toString().split(':')[1]));

beforeAll(async () => {
  h = await createHarness();
  const authorId = await addAuthor(h.database.db);
  const postId = await addPost(h.database.db, { authorId, slug: 'threaded' });
  slug = 'threaded';
  ids = await addThread(h.database.db, postId, drafts);
});
afterAll(() => h.close());

const threadPage = `query ($slug: String!, $first: Int, $after: String, $last: Int, $before: String) {
  post(slug: $slug) {
    thread(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor depth node { id isPlaceholder bodyHtml author { name } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

describe('flattened thread', () => {
  it('is depth-first, siblings oldest first then by id, with placeholders and without hidden comments', async () => {
    const { data } = await h.gql(threadPage, { slug, first: 100 });
    const edges = data.post.thread.edges;
    expect(edges.map((e: any) => [indexOf(e.node.id), e.depth, e.node.isPlaceholder])).toEqual(expected);
    expect(data.post.thread.totalCount).toBe(expected.length);
    for (const edge of edges.filter((e: any) => e.node.isPlaceholder)) {
      expect(edge.node).toMatchObject({ bodyHtml: null, author: null });
    }
  });

  it('pages forward by cursor and back with last/before, covering every comment once', async () => {
    const forward: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { data }: { data: any } = await h.gql(threadPage, { slug, first: 3, after });
      const thread: any = data.post.thread;
      forward.push(...thread.edges.map((e: any) => indexOf(e.node.id)));
      expect(thread.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!thread.pageInfo.hasNextPage) break;
      after = thread.pageInfo.endCursor;
    }
    expect(forward).toEqual(expected.map(([index]) => index));

    const backward: number[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { data }: { data: any } = await h.gql(threadPage, { slug, last: 4, before });
      const thread: any = data.post.thread;
      backward.unshift(...thread.edges.map((e: any) => indexOf(e.node.id)));
      if (!thread.pageInfo.hasPreviousPage) break;
      before = thread.pageInfo.startCursor;
    }
    expect(backward).toEqual(forward);
  });
});

describe('nested comments', () => {
  const nested = `query ($slug: String!, $order: SortOrder!) {
    post(slug: $slug) {
      commentCount
      comments(order: $order) {
        totalCount
        edges { node { id replyCount descendantCount
          replies(order: $order) { totalCount edges { node { id replyCount descendantCount isPlaceholder } } } } }
      }
    }
  }`;

  it('orders top-level comments and replies either way, with exact counts', async () => {
    const { data } = await h.gql(nested, { slug, order: 'OLDEST_FIRST' });
    const post = data.post;
    expect(post.commentCount).toBe(9);
    expect(post.comments.totalCount).toBe(3);
    const top = post.comments.edges.map((e: any) => e.node);
    expect(top.map((n: any) => indexOf(n.id))).toEqual([2, 0, 6]);
    expect(top.map((n: any) => [n.replyCount, n.descendantCount])).toEqual([[1, 1], [2, 4], [1, 1]]);
    expect(top.map((n: any) => n.replies.totalCount)).toEqual([1, 2, 1]);
    expect(top[1].replies.edges.map((e: any) => indexOf(e.node.id))).toEqual([4, 1]);
    expect(top[2].replies.edges[0].node).toMatchObject({ isPlaceholder: true, replyCount: 1, descendantCount: 1 });

    const newest = (await h.gql(nested, { slug, order: 'NEWEST_FIRST' })).data.post.comments.edges.map((e: any) => e.node);
    expect(newest.map((n: any) => indexOf(n.id))).toEqual([6, 0, 2]);
    expect(newest[1].replies.edges.map((e: any) => indexOf(e.node.id))).toEqual([1, 4]);
  });

  it('stores counters equal to the ones recomputed from the rows', async () => {
    const rows = await queryRows<{ id: number; parent_id: number | null; status: string; deleted: boolean; reply_count: number; descendant_count: number; listed: boolean }>(
      h.database.db,
      sql`select id, parent_id, status, deleted, reply_count, descendant_count, listed from comments`,
    );
    const isPublic = (r: (typeof rows)[number]) => r.status === 'approved' && !r.deleted;
    const children = (id: number) => rows.filter((r) => r.parent_id === id);
    const descendants = (id: number): number =>
      children(id).reduce((sum, c) => sum + (isPublic(c) ? 1 : 0) + descendants(c.id), 0);
    for (const row of rows) {
      expect(row.descendant_count).toBe(descendants(row.id));
      expect(row.listed).toBe(isPublic(row) || descendants(row.id) > 0);
      expect(row.reply_count).toBe(children(row.id).filter((c) => c.listed).length);
    }
  });

  it('keeps hidden comments out of direct lookups too', async () => {
    const lookup = `query ($id: ID!) { comment(id: $id) { id isPlaceholder } node(id: $id) { id } }`;
    for (const hidden of [7, 10]) {
      const { data, errors } = await h.gql(lookup, { id: gid(hidden) });
      expect(errors).toBeUndefined();
      expect(data).toEqual({ comment: null, node: null });
    }
    const { data } = await h.gql(lookup, { id: gid(11) });
    expect(data.comment).toEqual({ id: gid(11), isPlaceholder: true });
    const parent = await h.gql(`query ($id: ID!) { comment(id: $id) { depth parent { id } post { slug } } }`, { id: gid(9) });
    expect(parent.data.comment).toEqual({ depth: 4, parent: { id: gid(8) }, post: { slug } });
  });
});
