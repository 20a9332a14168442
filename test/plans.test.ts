import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '../src/db/client.js';
import { ancestorsByIds, ancestorsQuery, commentPagesQuery, replies, threads, topLevelComments } from '../src/db/queries/comments.js';
import type { Page } from '../src/db/queries/page.js';
import { counterDrift } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';
import { expectBoundedPlan } from './plans.js';
import { addSkewedDataset, type SkewedDataset } from './skewed.js';
import { parse } from 'graphql';
import { accessOf } from '../src/domain/roles.js';
import { compile, viewerOf } from '../src/engine/index.js';
import { loadConfig } from '../src/config.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { encodeCursor } from '../src/schema/pagination.js';

/*
 * The comment page statements on skewed data (one post with 10,000 comments among hundreds with a
 * few, statistics fresh): whatever the planner expects of an average thread, each page reads about
 * one page of rows, at the start of the long thread, 9,000 comments in, and for the comment with
 * the most replies. Counted in EXPLAIN ANALYZE rows (test/plans.ts), never in time.
 */
let h: Harness;
let db: Db;
let data: SkewedDataset;
beforeAll(async () => {
  h = await createHarness();
  db = h.database.db;
  data = await addSkewedDataset(db);
});
afterAll(() => h.close());

const first = (limit = 50, after: number | null = null): Page => ({ limit, after, before: null, fromEnd: false, descending: false });
// The loaders pass what is left of the request's comment budget (COMMENT_BUDGET).
const budget = 5000;
// A page may read, beyond its own rows, the row that tells whether another follows, the cursor's
// row and a few hidden comments its filter skips.
const perPage = 10;

/** Listed comments of `where` in path order, the reference the pages are held to. */
async function listedIds(where: ReturnType<typeof sql>): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(db, sql`select id from comments c where ${where} and c.listed order by c.path`);
  return rows.map((row) => row.id);
}

describe('the skewed dataset', () => {
  it('has one long thread, a comment with many replies, and exact counters', async () => {
    const [post] = await queryRows<{ comments: number; posts: number }>(
      db,
      sql`select count(*) filter (where post_id = ${data.postId})::int as comments, count(distinct post_id)::int as posts from comments`,
    );
    expect(post!.comments).toBe(10_000);
    expect(post!.posts).toBeGreaterThan(300);
    expect(data.hotReplies).toBeGreaterThan(1_000);
    expect(await counterDrift(db)).toEqual([]);
  });
});

/** The time after which exactly `count` listed comments of the post were created. */
async function sinceNewest(on: Db, postId: number, count: number): Promise<Date> {
  const [row] = await queryRows<{ at: string | Date }>(
    on,
    sql`select created_at as at from comments where post_id = ${postId} and listed order by created_at desc, id desc offset ${count} limit 1`,
  );
  return new Date(row!.at);
}

describe('comment pages read one page of rows on a 10,000-comment thread', () => {
  it('the first page of the flattened thread', async () => {
    const report = await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], first(), budget), { perPage });
    expect(report.returned).toBe(51);
    const page = (await threads(db, [data.postId], first(), budget)).get(data.postId)!;
    expect(page.items.map((item) => item.comment.id)).toEqual((await listedIds(sql`c.post_id = ${data.postId}`)).slice(0, 50));
    expect(page.hasMore).toBe(true);
  });

  it('a page 9,000 comments in, after a cursor', async () => {
    const all = await listedIds(sql`c.post_id = ${data.postId}`);
    expect(all).toHaveLength(data.listed);
    const cursor = all[8_999]!;
    await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], first(50, cursor), budget), { perPage });
    const page = (await threads(db, [data.postId], first(50, cursor), budget)).get(data.postId)!;
    expect(page.items.map((item) => item.comment.id)).toEqual(all.slice(9_000, 9_050));
    // Authors are joined to the page's rows: registered ones come back with their row.
    for (const { comment, author } of page.items) expect(author?.id ?? null).toBe(comment.authorId);
    expect(page.items.some((item) => item.author !== null)).toBe(true);
  });

  it('the last page, read backwards', async () => {
    const last: Page = { limit: 50, after: null, before: null, fromEnd: true, descending: false };
    await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], last, budget), { perPage });
    const page = (await threads(db, [data.postId], last, budget)).get(data.postId)!;
    expect(page.items.map((item) => item.comment.id)).toEqual((await listedIds(sql`c.post_id = ${data.postId}`)).slice(-50));
  });

  it('the top-level comments', async () => {
    await expectBoundedPlan(db, commentPagesQuery('topLevel', [data.postId], first(), budget), { perPage });
    const page = (await topLevelComments(db, [data.postId], first(), budget)).get(data.postId)!;
    const expected = await listedIds(sql`c.post_id = ${data.postId} and c.parent_id is null`);
    expect(page.items.map((item) => item.comment.id)).toEqual(expected.slice(0, 50));
  });

  it('the replies of the comment with the most children', async () => {
    await expectBoundedPlan(db, commentPagesQuery('replies', [data.hotCommentId], first(), budget), { perPage });
    const page = (await replies(db, [data.hotCommentId], first(), budget)).get(data.hotCommentId)!;
    const expected = await listedIds(sql`c.parent_id = ${data.hotCommentId}`);
    expect(expected).toHaveLength(data.hotReplies);
    expect(page.items.map((item) => item.comment.id)).toEqual(expected.slice(0, 50));
    expect(page.hasMore).toBe(true);
  });

  it('the page around a comment 9,000 comments in, and the page around the last one', async () => {
    const all = await listedIds(sql`c.post_id = ${data.postId}`);
    for (const [at, slice] of [[9_000, all.slice(9_000 - 16, 9_000 + 34)], [all.length - 1, all.slice(-17)]] as const) {
      const around: Page = { ...first(), around: all[at]! };
      // Two scans from the comment, each its share of the page and one more row. (Not the last
      // page: its 17 rows meet the 50 authors hashed whole, as the note of expectBoundedPlan says.)
      if (at === 9_000) await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], around, budget), { perPage, pages: 2 });
      const page = (await threads(db, [data.postId], around, budget)).get(data.postId)!;
      expect(page.items.map((item) => item.comment.id)).toEqual(slice);
      expect(page.hasBefore).toBe(true);
      expect(page.hasMore).toBe(at !== all.length - 1);
    }
  });

  it('the thread newest first, from the start and 9,000 comments in', async () => {
    const newest = (
      await queryRows<{ id: number }>(db, sql`select id from comments c where c.post_id = ${data.postId} and c.listed order by c.created_at desc, c.id desc`)
    ).map((row) => row.id);
    for (const after of [null, newest[8_999]!]) {
      const page: Page = { ...first(50, after), descending: true };
      await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], page, budget, { newestFirst: true }), { perPage });
      const result = (await threads(db, [data.postId], page, budget, { newestFirst: true })).get(data.postId)!;
      const from = after === null ? 0 : 9_000;
      expect(result.items.map((item) => item.comment.id)).toEqual(newest.slice(from, from + 50));
    }
  });

  it('what is new since a time: the comments created since then, not the thread', async () => {
    const since = await sinceNewest(db, data.postId, 200);
    const report = await expectBoundedPlan(db, commentPagesQuery('thread', [data.postId], first(), budget, { since }), { perPage, returns: 200 });
    expect(report.returned).toBe(51);
    const page = (await threads(db, [data.postId], first(), budget, { since })).get(data.postId)!;
    const expected = await listedIds(sql`c.post_id = ${data.postId} and c.created_at > ${since.toISOString()}::timestamptz`);
    expect(expected).toHaveLength(200);
    expect(page.items.map((item) => item.comment.id)).toEqual(expected.slice(0, 50));
  });

  it('the ancestors of the deepest comments: a row per level', async () => {
    const deepest = await queryRows<{ id: number; depth: number }>(
      db,
      sql`select id, depth from comments where post_id = ${data.postId} and listed order by depth desc, id limit 3`,
    );
    const levels = deepest.reduce((sum, c) => sum + c.depth - 1, 0);
    expect(deepest[0]!.depth).toBe(12);
    await expectBoundedPlan(db, ancestorsQuery(deepest.map((c) => c.id), accessOf(null)), { perPage, returns: levels });
    const chains = await ancestorsByIds(db, [deepest[0]!.id], accessOf(null));
    expect(chains.get(deepest[0]!.id)!.map((a) => a.comment.depth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('a batch: the long thread and nine short ones in one statement', async () => {
    const small = await queryRows<{ id: number }>(db, sql`select id from posts where id <> ${data.postId} order by id limit 9`);
    const postIds = [data.postId, ...small.map((row) => row.id)];
    await expectBoundedPlan(db, commentPagesQuery('thread', postIds, first(), budget), { perPage, pages: postIds.length });
  });
});

describe("the read engine's statements read what they return, plus a few rows per page", () => {
  // A publication whose readers register: 20,000 authors. (With 50, the whole authors table is one
  // page, and Postgres rightly scans it for each comment rather than probe an index: cheap, but
  // not what a bounded plan means. The resolvers' join hashes it whole up to ~1,000 authors; the
  // engine, which joins a page's authors beside it, still hashed 2,000 whole for a page of 52.)
  let big: Harness;
  let bigData: SkewedDataset;
  beforeAll(async () => {
    big = await createHarness();
    bigData = await addSkewedDataset(big.database.db, { authors: 20_000 });
  });
  afterAll(() => big.close());
  const dataset = () => bigData;
  const anonymous = viewerOf({ viewer: null, access: accessOf(null), loaders: null as never });
  const options = { limits: loadConfig({}).limits, countComments: null };
  const comment = (id: number) => encodeGlobalId('Comment', id);
  const cursor = (id: number) => encodeCursor('Comment', id);
  const node = `__typename id bodyHtml createdAt isPlaceholder author { __typename name url author { __typename id name } }`;
  const edges = (inner = '') => `edges { __typename cursor node { ${node} ${inner} } } pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }`;

  /**
   * The statement the engine runs for `query`, EXPLAINed: every step within objects + pages × perPage
   * (or `reads` + pages × perPage where the statement must read more than it returns).
   */
  async function expectBoundedRead(query: string, variables: Record<string, unknown> = {}, reads = 0) {
    let answer: unknown;
    // As the engine plans it when the static bound proves the budget, and when the statement must
    // count its comments itself (src/budget.ts): the same answer, and no more read for counting.
    for (const countComments of [null, 1_000_000]) {
      const compiled = compile(parse(query), null, variables, anonymous, { ...options, countComments });
      expect(compiled, query).not.toBeNull();
      const [row] = await queryRows<{ text: string }>(big.database.db, sql`select (${compiled!.query}) as text`);
      const json = row!.text;
      // Objects it returns (each a row of some table, or less), and the pages among them.
      const objects = json.split('{').length - 1;
      const pages = json.split('"edges"').length - 1;
      await expectBoundedPlan(big.database.db, compiled!.query, { perPage, pages: Math.max(pages, 1), returns: Math.max(objects, reads) });
      if (answer !== undefined) expect(JSON.parse(json)).toEqual(answer);
      answer = JSON.parse(json);
    }
    return answer as any;
  }

  it('a post page as Relay asks for it: comments, two levels of replies, authors', async () => {
    const data = await expectBoundedRead(`query PostPage($slug: String!) { post(slug: $slug) { __typename id title author { __typename id name }
      tags { __typename id slug } previousPost { __typename id slug } nextPost { __typename id slug }
      comments(first: 20) { ${edges(`replies(first: 10) { ${edges(`replies(first: 5) { ${edges()} }`)} }`)} } } }`, { slug: dataset().slug });
    expect(data.post.comments.edges).toHaveLength(20);
  });

  it('the flattened thread: the first page, 9,000 comments in, and the last page backwards', async () => {
    const all = (await queryRows<{ id: number }>(big.database.db, sql`select id from comments c where c.post_id = ${dataset().postId} and c.listed order by c.path`)).map((r) => r.id);
    const thread = (args: string) => `{ post(slug: "${dataset().slug}") { id thread(${args}) { edges { cursor depth node { ${node} parent { id } } } pageInfo { hasNextPage endCursor } } } }`;
    const deep = await expectBoundedRead(thread(`first: 50, after: "${cursor(all[8_999]!)}"`));
    expect(deep.post.thread.edges.map((e: { cursor: string }) => e.cursor)).toEqual(all.slice(9_000, 9_050).map(cursor));
    await expectBoundedRead(thread('first: 50'));
    await expectBoundedRead(thread(`last: 50, before: "${cursor(all.at(-1)!)}"`));
  });

  it('the replies of the comment with the most children, and a chain of parents', async () => {
    const hot = await expectBoundedRead(`{ comment(id: "${comment(dataset().hotCommentId)}") { ${node} replies(first: 50, order: NEWEST_FIRST) { ${edges()} } } }`);
    expect(hot.comment.replies.edges).toHaveLength(50);
    const [deepest] = await queryRows<{ id: number }>(big.database.db, sql`select id from comments where post_id = ${dataset().postId} and listed order by depth desc limit 1`);
    await expectBoundedRead(`{ node(id: "${comment(deepest!.id)}") { ... on Comment { depth parent { id parent { id parent { id post { id title } } } } } } }`);
  });

  it('thread navigation: around a comment 9,000 in, newest first, what is new, and ancestors', async () => {
    const all = (await queryRows<{ id: number }>(big.database.db, sql`select id from comments c where c.post_id = ${dataset().postId} and c.listed order by c.path`)).map((r) => r.id);
    const thread = (args: string) =>
      `{ post(slug: "${dataset().slug}") { id thread(${args}) { totalCount edges { cursor depth node { ${node} } } pageInfo { hasPreviousPage hasNextPage startCursor endCursor } } } }`;
    // A permalink deep in the thread: two scans from the comment (the page counts twice).
    const around = await expectBoundedRead(thread(`around: "${comment(all[9_000]!)}", first: 50`).replace('totalCount', ''));
    expect(around.post.thread.edges.map((e: { cursor: string }) => e.cursor)).toEqual(all.slice(9_000 - 16, 9_000 + 34).map(cursor));
    const newest = await expectBoundedRead(thread('order: NEWEST_FIRST, first: 50').replace('totalCount', ''));
    await expectBoundedRead(thread(`order: NEWEST_FIRST, first: 50, after: "${newest.post.thread.pageInfo.endCursor}"`).replace('totalCount', ''));
    // What is new: the 200 comments since then, sorted into reading order (and counted), not the thread.
    const since = (await sinceNewest(big.database.db, dataset().postId, 200)).toISOString();
    const recent = await expectBoundedRead(
      `{ post(slug: "${dataset().slug}") { commentCountSince(since: "${since}") thread(since: "${since}", first: 20) { totalCount edges { depth node { ${node} } } } } }`,
      {},
      200,
    );
    expect(recent.post.thread.totalCount).toBe(200);
    expect(recent.post.commentCountSince).toBeLessThanOrEqual(200);
    const [deepest] = await queryRows<{ id: number }>(big.database.db, sql`select id from comments where post_id = ${dataset().postId} and listed order by depth desc, id limit 1`);
    const chain = await expectBoundedRead(`{ node(id: "${comment(deepest!.id)}") { ... on Comment { depth ancestors { ${node} } } } }`);
    expect(chain.node.ancestors).toHaveLength(chain.node.depth - 1);
  });

  it('a front page of posts, with their authors, tags and first comments', async () => {
    await expectBoundedRead(`query FrontPage { posts(first: 20) { __typename edges { __typename cursor node { __typename id title
      author { __typename id name } tags { __typename slug } comments(first: 3) { ${edges()} } } } pageInfo { hasNextPage endCursor } } }`);
  });
});

describe('expectBoundedPlan', () => {
  it('fails, printing the plan, when a step reads far more rows than the statement returns', async () => {
    const statement = sql`select count(*) from comments c where c.post_id = ${data.postId}`;
    await expect(expectBoundedPlan(db, statement, { perPage })).rejects.toThrow(/read \d{5} rows; the budget is 11[\s\S]*over budget/);
  });

  it('leaves nothing behind when the statement writes', async () => {
    const statement = sql`update comments set body_html = 'changed' where id = ${data.hotCommentId}`;
    await expectBoundedPlan(db, statement, { perPage, returns: 1 });
    const [row] = await queryRows<{ body_html: string }>(db, sql`select body_html from comments where id = ${data.hotCommentId}`);
    expect(row!.body_html).not.toBe('changed');
  });
});
