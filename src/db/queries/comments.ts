import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { authors, commentRevisions, comments, type AuthorRow, type CommentRevisionRow, type CommentRow } from '../schema.js';
import type { Access } from '../../domain/roles.js';
import { keyset, pagesByParent, pagesByParentQuery, toPage, type Page, type PageResult } from './page.js';
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

export const canReadComment = (comment: Pick<CommentRow, 'id' | 'status' | 'deleted'>, access: Access, unlocked: ReadonlySet<number>) =>
  isPublicComment(comment) || access.moderator || unlocked.has(comment.id);
export const readableCommentSql = (c: SQL, access: Access) => (access.moderator ? sql`true` : publicCommentSql(c));

export const findableCommentSql = (c: SQL, access: Access) => {
  const p = sql.raw('comment_post');
  return sql`(${access.moderator ? sql`true` : sql`${c}.listed`}
    and exists (select 1 from posts ${p} where ${p}.id = ${c}.post_id and ${visiblePost(access.posts, p)}))`;
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
 * A page of the comments `inList` selects (alias `c`) in path order: siblings and the flattened
 * thread both sort by path (see the thread model in schema.ts). A cursor names a comment by id and
 * positions the page only if that comment is in this very list: a hidden comment, or another
 * post's (a draft's, say), positions nothing, exactly like an id that does not exist.
 *
 * Page first, then join authors to the page's rows. With authors joined inside the limited select,
 * the planner, costing the average thread (~29 comments a post on the bench database), hash-joined
 * every comment of the post with authors and sorted them all to keep 51: on the bench's `deep` post
 * (10,000 comments; psql EXPLAIN ANALYZE, 2 cores busy with other work, medians of 11 to 15 runs
 * in three sets) the first page took 25 to 42 ms (16 at best) and a page 9,000 in 3 to 7 ms (2.0
 * at best). Paged first, both take 0.6 ms (0.41 at best): the index range scan stops at 51 rows,
 * and only those meet authors (test/plans.test.ts holds every list to that on skewed data). The
 * outer `order by` keeps path order whichever join the planner picks: with a small authors table
 * it hashes the table and sorts the 51 rows.
 */
function pathPage(page: Page, inList: SQL): SQL {
  const k = keyset(page, [sql`c.path`], (id) => sql`select c.path from comments c where c.id = ${id} and ${inList}`);
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
 * What each paginated list of comments (alias `c` unless given) holds, for the parent (a post's or
 * a comment's id) it is under: the loaders' statements and the read engine's declarations use these.
 */
export const commentLists = {
  /** A post's top-level comments. */
  topLevel: (post: SQL, c: SQL = C) => sql`${c}.post_id = ${post} and ${c}.parent_id is null and ${c}.listed`,
  /** A comment's direct replies. */
  replies: (parent: SQL, c: SQL = C) => sql`${c}.parent_id = ${parent} and ${c}.listed`,
  /** A post's whole discussion, flattened in reading order. */
  thread: (post: SQL, c: SQL = C) => sql`${c}.post_id = ${post} and ${c}.listed`,
};
export type CommentList = keyof typeof commentLists;

/** The size of a list (Post.comments, Post.thread), for the engine's `totalCount`. */
export const commentListCount = (list: 'topLevel' | 'thread', post: SQL) =>
  sql`(select count(*)::int from comments c where ${commentLists[list](post)})`;

/** The one statement that loads a page of `list` for each parent (tests EXPLAIN it). */
export function commentPagesQuery(list: CommentList, parentIds: readonly number[], page: Page, maxRows?: number): SQL {
  return pagesByParentQuery(parentIds, (parent) => pathPage(page, commentLists[list](parent)), maxRows);
}

function commentPages(db: Db, list: CommentList, parentIds: readonly number[], page: Page, maxRows?: number) {
  return pagesByParent(run(db), parentIds, page, (parent) => pathPage(page, commentLists[list](parent)), read, maxRows);
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
): Promise<Map<number, PageResult<CommentWithAuthor>>> {
  return commentPages(db, 'thread', postIds, page, maxRows);
}

/** Listed top-level comments per post (the size of `Post.comments`). */
export async function topLevelCounts(db: Db, postIds: readonly number[]): Promise<Map<number, number>> {
  return counts(db, postIds, sql`c.parent_id is null`);
}

/** Listed comments per post, placeholders included (the size of `Post.thread`). */
export async function threadCounts(db: Db, postIds: readonly number[]): Promise<Map<number, number>> {
  return counts(db, postIds, sql`true`);
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
