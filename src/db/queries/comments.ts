import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { authors, commentRevisions, comments, type AuthorRow, type CommentRevisionRow, type CommentRow } from '../schema.js';
import type { Access } from '../../domain/roles.js';
import { aroundKeyset, keyset, pagesByParent, pagesByParentQuery, toPage, type Page, type PageResult } from './page.js';
import { visiblePost, type PostAccess } from './posts.js';
import { columns, readRow } from './rows.js';

/*
 * Who may see a comment, in TypeScript and in SQL side by side (test/rules.test.ts checks that
 * each pair agrees on every row of a thread with every status):
 * - public: approved and not deleted. Otherwise a comment that is still `listed` (it has visible
 *   replies) shows as a placeholder, without author or body.
 * - readable (author, body, edit time): public, or the request moderates, or (TypeScript only:
 *   the engine never answers such requests) it presented the comment's guest token.
 * - found by ID: listed, or the request moderates; and on a post the request may see.
 */
export const isPublicComment = (comment: Pick<CommentRow, 'status' | 'deleted'>) => comment.status === 'approved' && !comment.deleted;
export const publicCommentSql = (c: SQL) => sql`(${c}.status = 'approved' and not ${c}.deleted)`;
/** Shown in the tree (public, or a placeholder for public replies): the generated column `listed`, for a row in hand. */
export const isListedComment = (comment: Pick<CommentRow, 'status' | 'deleted' | 'descendantCount'>) =>
  isPublicComment(comment) || comment.descendantCount > 0;

export const canReadComment = (comment: Pick<CommentRow, 'id' | 'status' | 'deleted'>, access: Access, unlocked: ReadonlySet<number>) =>
  isPublicComment(comment) || access.moderator || unlocked.has(comment.id);
export const readableCommentSql = (c: SQL, access: Access) => (access.moderator ? sql`true` : publicCommentSql(c));

export const findableCommentSql = (c: SQL, access: Access) => sql`(${shownCommentSql(c, access)} and ${onVisiblePostSql(c, access)})`;
/** The comment's own part of being found: listed, or the request moderates. */
export const shownCommentSql = (c: SQL, access: Access) => (access.moderator ? sql`true` : sql`${c}.listed`);
/** The post's part: the comment is on a post the request may see. */
export const onVisiblePostSql = (c: SQL, access: Access) => {
  const p = sql.raw('comment_post');
  return sql`exists (select 1 from posts ${p} where ${p}.id = ${c}.post_id and ${visiblePost(access.posts, p)})`;
};

/** A comment as read for display: never the guest's email, and the path stays in SQL. */
export type CommentRecord = Omit<CommentRow, 'authorEmail' | 'path'>;
export interface CommentWithAuthor {
  comment: CommentRecord;
  /** The registered author, joined in the same statement so authors cost no extra round trip. */
  author: AuthorRow | null;
}

const selectList = sql`${columns(comments, 'c', { omit: ['authorEmail', 'path'] })},
  ${columns(authors, 'a', { prefix: 'a__' })}`;
const from = sql`comments c left join authors a on a.id = c.author_id`;

function read(row: Record<string, unknown>): CommentWithAuthor {
  return {
    comment: readRow(comments, row) as CommentRecord,
    author: row.a__id === null ? null : readRow(authors, row, 'a__'),
  };
}

const run = (db: Db) => (query: SQL) => queryRows<Record<string, unknown>>(db, query);

/**
 * A page of the comments `inList` selects (alias `c`) in `key` order: path order by default, which
 * is both siblings' order and the flattened thread's (see the thread model in schema.ts). A cursor
 * names a comment by id and positions the page only if that comment is in this very list: a hidden
 * comment, or another post's (a draft's, say), positions nothing, exactly like an id that does not
 * exist.
 *
 * Page first, then join authors to the page's rows. With authors joined inside the limited select,
 * the planner, costing the average thread (~29 comments a post on the bench database), hash-joined
 * every comment of the post with authors and sorted them all to keep 51: on the bench's `deep` post
 * (10,000 comments; psql EXPLAIN ANALYZE, 2 cores busy with other work, medians of 11 to 15 runs
 * in three sets) the first page took 25 to 42 ms (16 at best) and a page 9,000 in 3 to 7 ms (2.0
 * at best). Paged first, both take 0.6 ms (0.41 at best): the index range scan stops at 51 rows,
 * and only those meet authors (test/plans.test.ts holds every list to that on skewed data). The
 * outer `order by` keeps the page's order whichever join the planner picks: with a small authors
 * table it hashes the table and sorts the 51 rows.
 *
 * A page around a comment (page.around) is two such scans from the comment's key, one backwards and
 * one forwards, its rows marked `__before` for the side they come from (page.ts, aroundKeyset).
 */
function commentPage(page: Page, inList: SQL, key: SQL[] = [sql`c.path`]): SQL {
  const cursorKey = (id: number) => sql`select ${sql.join(key, sql`, `)} from comments c where c.id = ${id} and ${inList}`;
  if (page.around != null) {
    const k = aroundKeyset(page, key, cursorKey);
    const scan = (side: typeof k.before, before: boolean) =>
      sql`(select c.*, ${sql.raw(String(before))} as "__before" from comments c where ${inList} and ${side.where} order by ${side.orderBy} limit ${side.limit})`;
    return sql`select ${selectList}, c."__before"
               from (${scan(k.before, true)} union all ${scan(k.from, false)}) c
               left join authors a on a.id = c.author_id
               order by ${k.readingOrder}`;
  }
  const k = keyset(page, key, cursorKey);
  return sql`select ${selectList}
             from (select c.* from comments c where ${inList} and ${k.where} order by ${k.orderBy} limit ${k.limit}) c
             left join authors a on a.id = c.author_id
             order by ${k.orderBy}`;
}

/** Comments by id, those the request may find (see `findableCommentSql`). */
export async function commentsByIds(db: Db, ids: readonly number[], access: Access): Promise<CommentWithAuthor[]> {
  const rows = await run(db)(
    sql`select ${selectList} from ${from}
        where c.id = any(${sql.param([...ids])}::int[]) and ${findableCommentSql(sql.raw('c'), access)}`,
  );
  return rows.map(read);
}

const C = sql.raw('c');

/**
 * "Created after `since`", to the millisecond, the precision of DateTime: a comment created within
 * the millisecond `since` names is not after it, so a client that passes the `createdAt` of the
 * newest comment it has shown does not get that comment again (created_at holds microseconds).
 * Postgres adds the millisecond: `since` may be the last one of year 9999 (src/input-checks.ts),
 * whose next one JavaScript writes as "+010000-…", which Postgres does not read.
 */
export const createdSinceSql = (c: SQL, since: Date) =>
  sql`${c}.created_at >= ${since.toISOString()}::timestamptz + interval '1 millisecond'`;

/**
 * The flattened thread's options: `since` keeps the comments created after a time (still in
 * reading order, each with its depth), `newestFirst` lists the comments by creation time instead
 * of reading order (latest activity first, flat).
 */
export interface ThreadOptions {
  since?: Date | null;
  newestFirst?: boolean;
}

/**
 * What each paginated list of comments (alias `c` unless given) holds, for the parent (a post's or
 * a comment's id) it is under: the loaders' statements and the read engine's declarations use these.
 */
export const commentLists = {
  /** A post's top-level comments. */
  topLevel: (post: SQL, c: SQL = C) => sql`${c}.post_id = ${post} and ${c}.parent_id is null and ${c}.listed`,
  /** A comment's direct replies. */
  replies: (parent: SQL, c: SQL = C) => sql`${c}.parent_id = ${parent} and ${c}.listed`,
  /** A post's whole discussion, flattened in reading order (or only what is new `since`). */
  thread: (post: SQL, c: SQL = C, { since }: ThreadOptions = {}) =>
    sql`${c}.post_id = ${post} and ${c}.listed${since ? sql` and ${createdSinceSql(c, since)}` : sql``}`,
};
export type CommentList = keyof typeof commentLists;

/**
 * The sort key of a list: path order (reading order for the thread, thread order among siblings),
 * or for the thread newest first, creation time then id (comments_recent_idx).
 */
export const commentListKey = (c: SQL = C, { newestFirst }: ThreadOptions = {}) =>
  newestFirst ? [sql`${c}.created_at`, sql`${c}.id`] : [sql`${c}.path`];

/** The size of a list (Post.comments, Post.thread), for the engine's `totalCount`. */
export const commentListCount = (list: 'topLevel' | 'thread', post: SQL, options: ThreadOptions = {}) =>
  sql`(select count(*)::int from comments c where ${list === 'thread' ? commentLists.thread(post, C, options) : commentLists[list](post)})`;

/**
 * The public comments of a post created after `since` (Post.commentCountSince): what `commentCount`
 * counts, restricted to the new ones. Through comments_recent_idx, it reads the listed comments
 * created since then (bounded by what is new, not by the thread).
 */
export const commentCountSinceSql = (post: SQL, since: Date) =>
  sql`(select count(*)::int from comments c where ${commentLists.thread(post, C, { since })} and ${publicCommentSql(C)})`;

const listOf = (list: CommentList, parent: SQL, options: ThreadOptions) =>
  list === 'thread' ? commentLists.thread(parent, C, options) : commentLists[list](parent);

/** The one statement that loads a page of `list` for each parent (tests EXPLAIN it). */
export function commentPagesQuery(list: CommentList, parentIds: readonly number[], page: Page, maxRows?: number, options: ThreadOptions = {}): SQL {
  return pagesByParentQuery(parentIds, (parent) => commentPage(page, listOf(list, parent, options), commentListKey(C, options)), maxRows);
}

function commentPages(db: Db, list: CommentList, parentIds: readonly number[], page: Page, maxRows?: number, options: ThreadOptions = {}) {
  return pagesByParent(run(db), parentIds, page, (parent) => commentPage(page, listOf(list, parent, options), commentListKey(C, options)), read, maxRows);
}

/** A page of top-level comments for each post. */
export function topLevelComments(db: Db, postIds: readonly number[], page: Page, maxRows?: number) {
  return commentPages(db, 'topLevel', postIds, page, maxRows);
}

/** A page of direct replies for each parent comment. */
export function replies(db: Db, parentIds: readonly number[], page: Page, maxRows?: number) {
  return commentPages(db, 'replies', parentIds, page, maxRows);
}

/**
 * A page of each post's whole discussion in reading order (depth-first, siblings oldest first).
 * The cursor seeks straight to its path in comments_thread_idx, so page 200 costs what page 1 does.
 */
export function threads(
  db: Db,
  postIds: readonly number[],
  page: Page,
  maxRows?: number,
  options: ThreadOptions = {},
): Promise<Map<number, PageResult<CommentWithAuthor>>> {
  return commentPages(db, 'thread', postIds, page, maxRows, options);
}

/** Listed top-level comments per post (the size of `Post.comments`). */
export async function topLevelCounts(db: Db, postIds: readonly number[]): Promise<Map<number, number>> {
  return counts(db, postIds, sql`c.parent_id is null`);
}

/** Listed comments per post, placeholders included (the size of `Post.thread`, or of `thread(since:)`). */
export async function threadCounts(db: Db, postIds: readonly number[], since: Date | null = null): Promise<Map<number, number>> {
  return counts(db, postIds, since ? createdSinceSql(C, since) : sql`true`);
}

/** Public comments per post created after `since` (Post.commentCountSince). */
export async function publicCountsSince(db: Db, postIds: readonly number[], since: Date): Promise<Map<number, number>> {
  return counts(db, postIds, sql`${createdSinceSql(C, since)} and ${publicCommentSql(C)}`);
}

/**
 * The ancestors of a comment: the ids at the even positions of its path but the last (itself), in
 * SQL. Root first when sorted by depth. Looked up by primary key: one index probe per level.
 */
export const ancestorIdsSql = (c: SQL) => sql`array(select (${c}.path)[2 * g] from generate_series(1, ${c}.depth - 1) g)::int[]`;

/**
 * The ancestors of comment `x` (alias `a`) the request may find (findableCommentSql), with the post
 * checked once on `x`, whose post they share: checked per ancestor, the planner hashed every post
 * to probe it 11 times (on the skewed dataset's 401 posts, test/plans.test.ts).
 */
export const findableAncestorsSql = (a: SQL, x: SQL, access: Access) =>
  sql`${a}.id = any(${ancestorIdsSql(x)}) and ${shownCommentSql(a, access)} and ${onVisiblePostSql(x, access)}`;

/** The statement of ancestorsByIds (tests EXPLAIN it). */
export const ancestorsQuery = (ids: readonly number[], access: Access) =>
  sql`select x.id as "__child", ${selectList}
      from comments x
      join comments c on ${findableAncestorsSql(C, sql.raw('x'), access)}
      left join authors a on a.id = c.author_id
      where x.id = any(${sql.param([...ids])}::int[])
      order by x.id, c.depth`;

/**
 * Each comment's ancestors, root first, in one statement: those the request may find (as
 * `Comment.parent` finds a parent). Every ancestor of a listed comment is listed (a listed comment
 * is public or has public descendants, and either way each of its ancestors has a public
 * descendant: domain/thread.ts keeps `descendant_count` so), so the chain of a comment anyone can
 * see is whole, placeholders included; only a comment that is not listed itself (a guest's own held
 * reply) can have an ancestor the request may not find, and that one is left out, as `parent`
 * would be null.
 */
export async function ancestorsByIds(db: Db, ids: readonly number[], access: Access): Promise<Map<number, CommentWithAuthor[]>> {
  const rows = await run(db)(ancestorsQuery(ids, access));
  const byComment = new Map<number, CommentWithAuthor[]>();
  for (const row of rows) {
    const list = byComment.get(row.__child as number) ?? [];
    list.push(read(row));
    byComment.set(row.__child as number, list);
  }
  return byComment;
}

async function counts(db: Db, postIds: readonly number[], where: SQL): Promise<Map<number, number>> {
  const rows = await run(db)(
    sql`select c.post_id, count(*)::int as count from comments c
        where c.post_id = any(${sql.param([...postIds])}::int[]) and c.listed and ${where}
        group by c.post_id`,
  );
  return new Map(rows.map((row) => [row.post_id as number, row.count as number]));
}

/**
 * The moderation queue: comments in the given statuses (pending and spam by default) on any
 * post, newest first, through comments_moderation_idx.
 */
export async function moderationQueue(
  db: Db,
  statuses: readonly CommentRow['status'][],
  page: Page,
): Promise<PageResult<CommentWithAuthor>> {
  // Only editors may ask, and they may see every comment: any comment's cursor positions the page
  // (even one moderated since, so that a moderator working through the queue keeps their place).
  const k = keyset(page, [sql`c.created_at`, sql`c.id`], (id) => sql`select created_at, id from comments where id = ${id}`);
  const held = statuses.every((status) => status === 'pending' || status === 'spam');
  const rows = await run(db)(
    sql`select ${selectList} from ${from}
        where c.status = any(${sql.param([...statuses])}::text[]::comment_status[])
          ${held ? sql`and c.status in ('pending', 'spam')` : sql``}
          and ${k.where}
        order by ${k.orderBy} limit ${k.limit}`,
  );
  return toPage(rows.map(read), page);
}

export async function countByStatus(db: Db, statuses: readonly CommentRow['status'][]): Promise<number> {
  const [row] = await run(db)(
    sql`select count(*)::int as count from comments c where c.status = any(${sql.param([...statuses])}::text[]::comment_status[])`,
  );
  return (row?.count as number | undefined) ?? 0;
}

/** The texts each comment had before its edits, newest first. */
export async function revisionsByComment(db: Db, commentIds: readonly number[]): Promise<Map<number, CommentRevisionRow[]>> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(commentRevisions, 'r')} from comment_revisions r
        where r.comment_id = any(${sql.param([...commentIds])}::int[])
        order by r.comment_id, r.edited_at desc, r.id desc`,
  );
  const byComment = new Map<number, CommentRevisionRow[]>();
  for (const row of rows.map((r) => readRow(commentRevisions, r))) {
    const list = byComment.get(row.commentId) ?? [];
    list.push(row);
    byComment.set(row.commentId, list);
  }
  return byComment;
}

/** Where a comment came from (Comment.sender, moderators only): the one read of a guest's email. */
export interface CommentSender {
  commentId: number;
  email: string | null;
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
}

export async function sendersByCommentIds(db: Db, commentIds: readonly number[]): Promise<CommentSender[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, author_email, ip, user_agent, referrer from comments where id = any(${sql.param([...commentIds])}::int[])`,
  );
  return rows.map((row) => ({
    commentId: row.id as number,
    email: row.author_email as string | null,
    ip: row.ip as string | null,
    userAgent: row.user_agent as string | null,
    referrer: row.referrer as string | null,
  }));
}
