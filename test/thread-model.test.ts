import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { renderCommentMarkdown } from '../src/domain/markdown.js';
import {
  importThread,
  isPublicDraft,
  pathStamp,
  planThread,
  setPublic,
  shapeThread,
  type CommentDraft,
  type CounterNode,
  type ShapeNode,
} from '../src/domain/thread.js';
import { addAuthor, addPost, counterDrift } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The thread model's rules (src/domain/thread.ts) one function at a time: shapeThread (paths,
 * depths and counters of a whole thread), planThread (the rows a bulk import writes), setPublic
 * (counters kept exact as one comment changes), and importThread on a real database.
 * test/thread.test.ts shows the same model through the GraphQL API. Written against
 * `npm run test:mutation`: the pure functions are called in the tests themselves, and the
 * database test only creates its harness in beforeAll, so no hook runs the code under test.
 */

const node = (parent: number | null, stamp: number, id: number, isPublic = true): ShapeNode => ({ parent, stamp, id, isPublic });

describe('shapeThread', () => {
  // Index: parent, stamp, id, public. A child may come before its parent (6 before 7).
  const nodes: ShapeNode[] = [
    /* 0 A       */ node(null, 100, 10),
    /* 1 A.1     */ node(0, 200, 11),
    /* 2 A.1.x   */ node(1, 300, 12, false), // hidden, no replies: not listed
    /* 3 A.p     */ node(0, 150, 13, false), // hidden with a public reply: a placeholder
    /* 4 A.p.1   */ node(3, 160, 14),
    /* 5 B       */ node(null, 50, 15, false),
    /* 6 C.1     */ node(7, 400, 16),
    /* 7 C       */ node(null, 390, 17),
  ];

  it('gives every comment its path of (stamp, id) pairs from the root, its depth, and its counters', () => {
    const { shapes, publicCount } = shapeThread(nodes);
    expect(shapes).toEqual([
      { path: [100, 10], depth: 1, replyCount: 2, descendantCount: 2 },
      { path: [100, 10, 200, 11], depth: 2, replyCount: 0, descendantCount: 0 },
      { path: [100, 10, 200, 11, 300, 12], depth: 3, replyCount: 0, descendantCount: 0 },
      { path: [100, 10, 150, 13], depth: 2, replyCount: 1, descendantCount: 1 },
      { path: [100, 10, 150, 13, 160, 14], depth: 3, replyCount: 0, descendantCount: 0 },
      { path: [50, 15], depth: 1, replyCount: 0, descendantCount: 0 },
      { path: [390, 17, 400, 16], depth: 2, replyCount: 0, descendantCount: 0 },
      { path: [390, 17], depth: 1, replyCount: 1, descendantCount: 1 },
    ]);
    expect(publicCount).toBe(5);
  });

  it('counts public descendants at every level, not only children', () => {
    const chain = [node(null, 1, 1), node(0, 2, 2, false), node(1, 3, 3, false), node(2, 4, 4), node(3, 5, 5)];
    const { shapes, publicCount } = shapeThread(chain);
    expect(shapes.map((s) => [s.replyCount, s.descendantCount])).toEqual([[1, 2], [1, 2], [1, 2], [1, 1], [0, 0]]);
    expect(publicCount).toBe(3);
  });

  it('is empty for no comments', () => {
    expect(shapeThread([])).toEqual({ shapes: [], publicCount: 0 });
  });

  it('refuses a parent out of range or the comment itself, naming the comment and the parent', () => {
    expect(() => shapeThread([node(null, 1, 1), node(-1, 2, 2)])).toThrow(new Error('comment 1 has no parent -1'));
    expect(() => shapeThread([node(null, 1, 1), node(2, 2, 2)])).toThrow(new Error('comment 1 has no parent 2'));
    expect(() => shapeThread([node(null, 1, 1), node(1, 2, 2)])).toThrow(new Error('comment 1 has no parent 1'));
    // The first and the last index are parents like any other.
    expect(shapeThread([node(null, 1, 1), node(0, 2, 2), node(3, 3, 3), node(null, 4, 4)]).shapes.map((s) => s.depth)).toEqual([1, 2, 2, 1]);
  });

  it('refuses parents that form a cycle, with or without a root beside it', () => {
    const cycle = new Error('comment parents form a cycle');
    expect(() => shapeThread([node(1, 1, 1), node(0, 2, 2)])).toThrow(cycle);
    expect(() => shapeThread([node(null, 1, 1), node(2, 2, 2), node(3, 3, 3), node(1, 4, 4)])).toThrow(cycle);
  });
});

describe('planThread', () => {
  const at = (minute: number) => new Date(Date.UTC(2024, 0, 2, 0, minute));
  const drafts: CommentDraft[] = [
    { parent: null, createdAt: at(1), status: 'approved', authorName: 'Ann', bodyMarkdown: 'Hello *there*' },
    {
      parent: 0,
      createdAt: at(2),
      status: 'approved',
      deleted: true,
      authorId: 7,
      authorName: 'Bob',
      authorEmail: 'bob@example.com',
      authorUrl: 'https://bob.example/',
      bodyMarkdown: 'Gone',
    },
    { parent: 1, createdAt: at(3), status: 'approved', deleted: false, authorName: 'Cy', authorEmail: null, authorUrl: null, bodyMarkdown: 'Reply' },
    { parent: 0, createdAt: at(4), status: 'pending', authorName: 'Di', bodyMarkdown: 'Held' },
  ];
  const ids = [40, 41, 42, 43];

  it('writes every field of each draft, with the thread model filled in and the post count', () => {
    const { rows, publicCount } = planThread(9, drafts, ids);
    const row = (i: number, fields: object) => ({
      id: ids[i],
      postId: 9,
      authorId: null,
      authorEmail: null,
      authorUrl: null,
      deleted: false,
      createdAt: drafts[i]!.createdAt,
      updatedAt: drafts[i]!.createdAt,
      authorName: drafts[i]!.authorName,
      bodyMarkdown: drafts[i]!.bodyMarkdown,
      bodyHtml: renderCommentMarkdown(drafts[i]!.bodyMarkdown),
      status: drafts[i]!.status,
      ...fields,
    });
    const stamp = (i: number) => pathStamp(drafts[i]!.createdAt);
    expect(rows).toStrictEqual([
      row(0, { parentId: null, path: [stamp(0), 40], depth: 1, replyCount: 1, descendantCount: 1 }),
      row(1, {
        parentId: 40,
        path: [stamp(0), 40, stamp(1), 41],
        depth: 2,
        replyCount: 1,
        descendantCount: 1,
        deleted: true,
        authorId: 7,
        authorEmail: 'bob@example.com',
        authorUrl: 'https://bob.example/',
      }),
      row(2, { parentId: 41, path: [stamp(0), 40, stamp(1), 41, stamp(2), 42], depth: 3, replyCount: 0, descendantCount: 0 }),
      row(3, { parentId: 40, path: [stamp(0), 40, stamp(3), 43], depth: 2, replyCount: 0, descendantCount: 0 }),
    ]);
    expect(rows[0]!.bodyHtml).toContain('<em>there</em>');
    expect(publicCount).toBe(2);
  });

  it('stamps paths in microseconds since the epoch', () => {
    expect(pathStamp(new Date(Date.UTC(2024, 0, 2, 0, 1)))).toBe(Date.UTC(2024, 0, 2, 0, 1) * 1000);
  });

  it('counts a draft as public when approved and not deleted', () => {
    expect(isPublicDraft({ status: 'approved' })).toBe(true);
    expect(isPublicDraft({ status: 'approved', deleted: false })).toBe(true);
    expect(isPublicDraft({ status: 'approved', deleted: true })).toBe(false);
    expect(isPublicDraft({ status: 'pending' })).toBe(false);
    expect(isPublicDraft({ status: 'spam', deleted: false })).toBe(false);
  });
});

describe('setPublic', () => {
  /** A thread of counter nodes by id: [id, parentId, public, replyCount, descendantCount]. */
  const tree = (...rows: [number, number | null, boolean, number, number][]) =>
    new Map(rows.map(([id, parentId, isPublic, replyCount, descendantCount]): [number, CounterNode] => [id, { id, parentId, isPublic, replyCount, descendantCount }]));
  const counters = (nodes: Map<number, CounterNode>) => [...nodes.values()].map((n) => [n.id, n.isPublic, n.replyCount, n.descendantCount]);
  const ids = (changed: CounterNode[]) => changed.map((n) => n.id);

  it('hiding a public leaf moves every ancestor, and its parent loses a reply', () => {
    const nodes = tree([1, null, true, 1, 2], [2, 1, true, 1, 1], [3, 2, true, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 3, false);
    expect(publicDelta).toBe(-1);
    expect(ids(changed)).toEqual([3, 2, 1]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, true, 0, 0], [3, false, 0, 0]]);
  });

  it("hiding the only public reply of a hidden comment removes that comment (a placeholder) from its parent's replies", () => {
    const nodes = tree([1, null, true, 1, 1], [2, 1, false, 1, 1], [3, 2, true, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 3, false);
    expect(publicDelta).toBe(-1);
    expect(ids(changed)).toEqual([3, 2, 1]);
    expect(counters(nodes)).toEqual([[1, true, 0, 0], [2, false, 0, 0], [3, false, 0, 0]]);
  });

  it('approving a reply under a hidden comment makes that comment a placeholder reply of its parent', () => {
    const nodes = tree([1, null, true, 0, 0], [2, 1, false, 0, 0], [3, 2, false, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 3, true);
    expect(publicDelta).toBe(1);
    expect(ids(changed)).toEqual([3, 2, 1]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, false, 1, 1], [3, true, 0, 0]]);
  });

  it('inserting (not listed before) a public comment adds a reply and a descendant; a hidden one changes nothing', () => {
    // As addComment inserts: the new node starts hidden, with no counts.
    const nodes = tree([1, null, true, 0, 0], [2, 1, false, 0, 0]);
    expect(ids(setPublic(nodes, 2, true, false).changed)).toEqual([2, 1]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, true, 0, 0]]);

    const held = tree([1, null, true, 0, 0], [2, 1, false, 0, 0]);
    expect(setPublic(held, 2, false, false)).toEqual({ changed: [held.get(2)], publicDelta: 0 });
    expect(counters(held)).toEqual([[1, true, 0, 0], [2, false, 0, 0]]);
  });

  it('hiding a comment that has public replies keeps it listed (a placeholder): only the descendant counts move', () => {
    const nodes = tree([1, null, true, 1, 2], [2, 1, true, 1, 1], [3, 2, true, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 2, false);
    expect(publicDelta).toBe(-1);
    expect(ids(changed)).toEqual([2, 1]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, false, 1, 1], [3, true, 0, 0]]);
  });

  it('changes nothing above a comment whose public state and listing stay the same', () => {
    const nodes = tree([1, null, true, 1, 1], [2, 1, false, 1, 1], [3, 2, true, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 2, false);
    expect(publicDelta).toBe(0);
    expect(ids(changed)).toEqual([2]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, false, 1, 1], [3, true, 0, 0]]);
  });

  it('with the state unchanged but the listing gone (wasListed given), moves only the parent’s replies, and stops there', () => {
    const nodes = tree([1, null, true, 1, 1], [2, 1, true, 1, 0], [3, 2, false, 0, 0]);
    const { changed, publicDelta } = setPublic(nodes, 3, false, true);
    expect(publicDelta).toBe(0);
    expect(ids(changed)).toEqual([3, 2]);
    expect(counters(nodes)).toEqual([[1, true, 1, 1], [2, true, 0, 0], [3, false, 0, 0]]);
  });

  it('refuses an ancestor it was not given (its row was not locked)', () => {
    const nodes = tree([2, 1, true, 0, 0], [3, 2, true, 0, 0]);
    expect(() => setPublic(nodes, 3, false)).toThrow(new Error('comment 1 is not locked'));
  });
});

describe('importThread', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('writes the rows with fresh ids in draft order, the parents by id and the post count, reporting progress', async () => {
    const db = h.database.db;
    const postId = await addPost(db, { authorId: await addAuthor(db) });
    const at = (minute: number) => new Date(Date.UTC(2024, 0, 2, 0, minute));
    const drafts: CommentDraft[] = [
      { parent: 2, createdAt: at(3), status: 'approved', authorName: 'Reply', authorUrl: 'https://r.example/', bodyMarkdown: 'Reply' },
      { parent: null, createdAt: at(1), status: 'spam', authorName: 'Spam', bodyMarkdown: 'Spam' },
      { parent: null, createdAt: at(2), status: 'approved', authorName: 'Root', authorEmail: 'root@example.com', bodyMarkdown: 'Root' },
    ];
    const progress: number[] = [];
    const ids = await importThread(db, postId, drafts, (done) => progress.push(done));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(progress.at(-1)).toBe(3);

    const rows = await queryRows<{ id: number; parent_id: number | null; author_name: string; author_email: string | null; author_url: string | null; depth: number; reply_count: number }>(
      db,
      sql`select id, parent_id, author_name, author_email, author_url, depth, reply_count from comments where post_id = ${postId} order by id`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(ids.map((id) => byId.get(id))).toEqual([
      { id: ids[0], parent_id: ids[2], author_name: 'Reply', author_email: null, author_url: 'https://r.example/', depth: 2, reply_count: 0 },
      { id: ids[1], parent_id: null, author_name: 'Spam', author_email: null, author_url: null, depth: 1, reply_count: 0 },
      { id: ids[2], parent_id: null, author_name: 'Root', author_email: 'root@example.com', author_url: null, depth: 1, reply_count: 1 },
    ]);
    const [post] = await queryRows<{ comment_count: number }>(db, sql`select comment_count from posts where id = ${postId}`);
    expect(post!.comment_count).toBe(2);
    expect(await counterDrift(db)).toEqual([]);
  });

  it('writes nothing for no drafts', async () => {
    const db = h.database.db;
    const postId = await addPost(db, { authorId: await addAuthor(db) });
    expect(await importThread(db, postId, [])).toEqual([]);
    const [post] = await queryRows<{ comment_count: number; n: number }>(
      db,
      sql`select comment_count, (select count(*)::int from comments where post_id = ${postId}) as n from posts where id = ${postId}`,
    );
    expect(post).toEqual({ comment_count: 0, n: 0 });
  });
});
