import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import type { CounterNode } from '../../domain/thread.js';
import { comments, type CommentRow } from '../schema.js';
import { columns, readRow } from './rows.js';
import { isPublicComment } from './comments.js';

/*
 * Writes to comments. Every change of a comment's status goes through `lockChains` first: it
 * locks the comment and all its ancestors (read off the materialized path) in id order, the one
 * order every writer uses, so writers in one thread queue up instead of deadlocking.
 */

export type LockedComment = CounterNode & {
  postId: number;
  status: CommentRow['status'];
  deleted: boolean;
  depth: number;
};

export async function lockChains(db: Db, ids: readonly number[]): Promise<Map<number, LockedComment>> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, post_id, parent_id, status, deleted, depth, reply_count, descendant_count
        from comments
        where id in (
          select c.path[i]::int from comments c, generate_subscripts(c.path, 1) as i
          where c.id = any(${sql.param([...ids])}::int[]) and i % 2 = 0)
        order by id
        for update`,
  );
  return new Map(
    rows.map((row) => [
      row.id as number,
      {
        id: row.id as number,
        postId: row.post_id as number,
        parentId: row.parent_id as number | null,
        status: row.status as CommentRow['status'],
        deleted: row.deleted as boolean,
        depth: row.depth as number,
        isPublic: isPublicComment({ status: row.status as CommentRow['status'], deleted: row.deleted as boolean }),
        replyCount: row.reply_count as number,
        descendantCount: row.descendant_count as number,
      },
    ]),
  );
}

/**
 * Writes back status, deleted flag and counters of locked comments, in one statement.
 * (Booleans travel as text: postgres.js does not serialize boolean arrays.)
 */
export async function saveLocked(db: Db, nodes: readonly LockedComment[]) {
  if (nodes.length === 0) return;
  await db.execute(sql`
    update comments c set
      status = v.status::comment_status, deleted = v.deleted,
      reply_count = v.reply_count, descendant_count = v.descendant_count
    from unnest(
      ${sql.param(nodes.map((n) => n.id))}::int[],
      ${sql.param(nodes.map((n) => n.status))}::text[],
      ${sql.param(nodes.map((n) => String(n.deleted)))}::text[]::bool[],
      ${sql.param(nodes.map((n) => n.replyCount))}::int[],
      ${sql.param(nodes.map((n) => n.descendantCount))}::int[]
    ) as v(id, status, deleted, reply_count, descendant_count)
    where c.id = v.id`);
}

export async function adjustCommentCounts(db: Db, deltas: Map<number, number>) {
  // In post id order, like the comment locks, so that writers never wait on each other in a cycle.
  for (const [postId, delta] of [...deltas].sort(([a], [b]) => a - b)) {
    if (delta !== 0) await db.execute(sql`update posts set comment_count = comment_count + ${delta} where id = ${postId}`);
  }
}

export interface NewComment {
  id: number;
  postId: number;
  parentId: number | null;
  depth: number;
  authorId: number | null;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  bodyMarkdown: string;
  bodyHtml: string;
  status: CommentRow['status'];
  heldReason: string | null;
  ip: string | null;
  ipGroup: string | null;
  userAgent: string | null;
  referrer: string | null;
  guestTokenHash: string | null;
  dedupeKey: string;
}

/**
 * Inserts a comment stamped with the transaction's time, its path extending its parent's.
 * Returns null when a comment with the same dedupe key exists (a duplicate), also one committed
 * by a concurrent request a moment ago.
 */
export async function insertComment(db: Db, comment: NewComment): Promise<CommentRow | null> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`insert into comments (
          id, post_id, parent_id, depth, path, author_id, author_name, author_email, author_url,
          body_markdown, body_html, status, held_reason, ip, ip_group, user_agent, referrer,
          guest_token_hash, dedupe_key, created_at, updated_at)
        values (
          ${comment.id}, ${comment.postId}, ${comment.parentId}, ${comment.depth},
          coalesce((select path from comments where id = ${comment.parentId}), '{}'::bigint[])
            || array[(extract(epoch from now()) * 1000000)::bigint, ${comment.id}::bigint],
          ${comment.authorId}, ${comment.authorName}, ${comment.authorEmail}, ${comment.authorUrl},
          ${comment.bodyMarkdown}, ${comment.bodyHtml}, ${comment.status}, ${comment.heldReason},
          ${comment.ip}, ${comment.ipGroup}, ${comment.userAgent}, ${comment.referrer}, ${comment.guestTokenHash},
          ${comment.dedupeKey}, now(), now())
        on conflict (dedupe_key) do nothing
        returning ${columns(comments, 'comments')}`,
  );
  return row ? readRow(comments, row) : null;
}

export async function commentById(db: Db, id: number): Promise<CommentRow | null> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(comments, 'c')} from comments c where c.id = ${id}`,
  );
  return row ? readRow(comments, row) : null;
}

export async function commentRowsByIds(db: Db, ids: readonly number[]): Promise<CommentRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(comments, 'c')} from comments c where c.id = any(${sql.param([...ids])}::int[]) order by c.id`,
  );
  return rows.map((row) => readRow(comments, row));
}

/** Whether another comment (not `exceptId`, the one being edited) has this dedupe key. */
export async function dedupeKeyExists(db: Db, key: string, exceptId: number | null = null): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`select 1 from comments where dedupe_key = ${key} ${exceptId === null ? sql`` : sql`and id <> ${exceptId}`}`,
  );
  return rows.length > 0;
}

/**
 * Seconds until this address group (see clientGroup) or email may write again; 0 when it may now.
 * New comments and guests' edits both count (an edit by its comment's email and the editor's
 * address), and so do guests' writes that failed after this check let them through
 * (recordFailedAttempt); a moderator's edit of a guest's comment does not.
 */
export async function floodWait(db: Db, ipGroup: string | null, email: string | null, windowMs: number): Promise<number> {
  if (windowMs === 0 || (!ipGroup && !email)) return 0;
  const window = sql`${`${windowMs} milliseconds`}::interval`;
  const [row] = await queryRows<{ wait: number | null }>(
    db,
    sql`select ceil(extract(epoch from max(at) + ${window} - now()))::int as wait from (
          select created_at as at from comments
          where created_at > now() - ${window}
            and ((ip_group is not null and ip_group = ${ipGroup})
              or (author_email is not null and lower(author_email) = lower(${email})))
          union all
          select r.edited_at from comment_revisions r join comments c on c.id = r.comment_id
          where r.edited_at > now() - ${window} and r.edited_by is null -- a moderator's edit is not the guest's activity
            and ((r.ip_group is not null and r.ip_group = ${ipGroup})
              or (c.author_email is not null and lower(c.author_email) = lower(${email})))
          union all
          select attempted_at from comment_attempts
          where attempted_at > now() - ${window}
            and ((ip_group is not null and ip_group = ${ipGroup}) or (email is not null and email = lower(${email})))
        ) activity`,
  );
  return Math.max(0, row?.wait ?? 0);
}

/**
 * A guest's write that floodWait let through failed (its transaction rolled back what it wrote):
 * it counts as activity all the same. Attempts older than the window are of no use, and go.
 */
export async function recordFailedAttempt(db: Db, ipGroup: string | null, email: string | null, windowMs: number) {
  if (windowMs === 0 || (!ipGroup && !email)) return;
  const window = sql`${`${windowMs} milliseconds`}::interval`;
  await db.execute(
    sql`with stale as (delete from comment_attempts where attempted_at <= now() - ${window})
        insert into comment_attempts (ip_group, email) values (${ipGroup}, lower(${email}))`,
  );
}

/** Serializes writers that share a key (an IP, an email) until the transaction ends. */
export async function lockKeys(db: Db, keys: readonly string[]) {
  for (const key of [...new Set(keys)].sort()) {
    await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  }
}

export interface Revision {
  bodyMarkdown: string;
  bodyHtml: string;
  /** The guest's new text's (see dedupeKey in domain/comments.ts); a moderator's edit keeps the comment's. */
  dedupeKey?: string;
  /** Set only when the edit changed the comment's status. */
  heldReason?: string | null;
  /** Where a guest's edit came from (flood control counts it); none for a moderator's. */
  ip: string | null;
  ipGroup: string | null;
  userAgent: string | null;
  /** The moderator who edited it; null for its guest. */
  editedBy: number | null;
}

/**
 * Replaces a comment's text, keeping the text it replaces in comment_revisions, in one statement
 * stamped with the transaction's time. Returns false (and changes nothing) when another comment
 * already has the new dedupe key.
 */
export async function reviseComment(db: Db, id: number, revision: Revision): Promise<boolean> {
  const key = revision.dedupeKey;
  const rows = await queryRows(
    db,
    sql`with target as (
          select id, body_markdown, body_html from comments
          where id = ${id}
            ${key === undefined ? sql`` : sql`and not exists (select 1 from comments d where d.dedupe_key = ${key} and d.id <> ${id})`}
        ), revision as (
          insert into comment_revisions (comment_id, body_markdown, body_html, edited_at, ip, ip_group, user_agent, edited_by)
          select id, body_markdown, body_html, now(), ${revision.ip}, ${revision.ipGroup}, ${revision.userAgent}, ${revision.editedBy}
          from target
        )
        update comments c set body_markdown = ${revision.bodyMarkdown}, body_html = ${revision.bodyHtml},
          edited_at = now(), updated_at = now()
          ${key === undefined ? sql`` : sql`, dedupe_key = ${key}`}
          ${revision.heldReason !== undefined ? sql`, held_reason = ${revision.heldReason}` : sql``}
        from target where c.id = target.id
        returning c.id`,
  );
  return rows.length > 0;
}

export async function setHeldReason(db: Db, ids: readonly number[], reason: string | null) {
  await db.execute(sql`update comments set held_reason = ${reason}, updated_at = now() where id = any(${sql.param([...ids])}::int[])`);
}
