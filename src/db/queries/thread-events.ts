import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import type { Access } from '../../domain/roles.js';
import { comments, type CommentRow, type ThreadEventRow } from '../schema.js';
import type { CommentRecord } from './comments.js';
import { visiblePost } from './posts.js';
import { columns, readRow } from './rows.js';

/*
 * The thread outbox (see `threadEvents` in schema.ts). Writers record events as the last
 * statements of their transaction and announce `post → newest id` once it committed
 * (src/subscriptions/bus.ts); subscribers read what is new after their own last id.
 *
 * Ids come from one sequence, but transactions commit in any order: a subscriber that read id 11
 * while 10 was still uncommitted would never read 10. So every writer first takes a lock per post
 * (transaction-scoped, taken as the last lock of the transaction, posts in id order: no cycles),
 * and draws its ids under it: a post's ids are then committed in the order they were drawn, and
 * a committed id means every smaller id of that post is committed (or rolled back for good).
 */

/** A comment's state as the thread shows it: `listed` is the generated column (public, or a placeholder). */
export interface CommentState {
  status: CommentRow['status'];
  deleted: boolean;
  listed: boolean;
}

export type ThreadEventKind = ThreadEventRow['kind'];

export interface NewThreadEvent {
  postId: number;
  kind: ThreadEventKind;
  commentId?: number | null;
  /** The comment before the change (none for a new comment). */
  before?: CommentState | null;
  /** The comment after it. */
  after?: CommentState | null;
}

/** Per post: the newest event id this transaction wrote (what to announce after COMMIT). */
export type ThreadNotices = Map<number, number>;

// The first key of the two-integer advisory locks (the second is the post id): any constant.
const THREAD_EVENTS_LOCK = 0x74657674;

/** Inserts events (in the given order, per post) under the posts' locks; returns the notices. */
export async function recordThreadEvents(db: Db, events: readonly NewThreadEvent[]): Promise<ThreadNotices> {
  const notices: ThreadNotices = new Map();
  if (events.length === 0) return notices;
  for (const postId of [...new Set(events.map((e) => e.postId))].sort((a, b) => a - b)) {
    await db.execute(sql`select pg_advisory_xact_lock(${THREAD_EVENTS_LOCK}, ${postId})`);
  }
  const text = (values: (string | null)[]) => sql`${sql.param(values)}::text[]`;
  const flag = (values: (boolean | null | undefined)[]) => text(values.map((v) => (v == null ? null : String(v))));
  const rows = await queryRows<{ post_id: number; id: number | string }>(
    db,
    sql`insert into thread_events (post_id, comment_id, kind, status_before, deleted_before, listed_before, status, deleted, listed)
        select v.post_id, v.comment_id, v.kind::thread_event_kind,
               v.status_before::comment_status, v.deleted_before::bool, v.listed_before::bool,
               v.status::comment_status, v.deleted::bool, v.listed::bool
        from unnest(
          ${sql.param(events.map((e) => e.postId))}::int[],
          ${sql.param(events.map((e) => e.commentId ?? null))}::int[],
          ${text(events.map((e) => e.kind))},
          ${text(events.map((e) => e.before?.status ?? null))},
          ${flag(events.map((e) => e.before?.deleted))},
          ${flag(events.map((e) => e.before?.listed))},
          ${text(events.map((e) => e.after?.status ?? null))},
          ${flag(events.map((e) => e.after?.deleted))},
          ${flag(events.map((e) => e.after?.listed))}
        ) with ordinality as v(post_id, comment_id, kind, status_before, deleted_before, listed_before, status, deleted, listed, n)
        order by v.n
        returning post_id, id`,
  );
  for (const row of rows) notices.set(row.post_id, Math.max(notices.get(row.post_id) ?? 0, Number(row.id)));
  return notices;
}

/** What a subscription starts from: the post (as the subscriber may see it) and where its events stand. */
export interface ThreadStart {
  /** The subscriber may see the post. */
  visible: boolean;
  commentCount: number;
  /** The post's newest event id (0 when none). */
  latestId: number;
  /** The post of the event `after` names, or null when that event is not (or no longer) stored. */
  afterPostId: number | null;
}

export async function threadStart(db: Db, postId: number, afterId: number | null, access: Access): Promise<ThreadStart> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select
          exists (select 1 from posts p where p.id = ${postId} and ${visiblePost(access.posts)}) as visible,
          coalesce((select comment_count from posts where id = ${postId}), 0) as comment_count,
          coalesce((select max(id) from thread_events where post_id = ${postId}), 0) as latest_id,
          (select post_id from thread_events where id = ${afterId ?? 0}) as after_post_id`,
  );
  return {
    visible: row!.visible as boolean,
    commentCount: row!.comment_count as number,
    latestId: Number(row!.latest_id),
    afterPostId: (row!.after_post_id as number | null) ?? null,
  };
}

export interface StoredThreadEvent {
  id: number;
  kind: ThreadEventKind;
  commentId: number | null;
  before: CommentState | null;
  after: CommentState | null;
  /** The comment as it is now (for its content), when the event is about one. */
  comment: CommentRecord | null;
}

export interface ThreadBatch {
  /** The subscriber may still see the post. */
  postVisible: boolean;
  commentCount: number;
  /** The subscriber's token is still valid (true for the public, who have none). */
  tokenValid: boolean;
  events: StoredThreadEvent[];
}

const state = (status: unknown, deleted: unknown, listed: unknown): CommentState | null =>
  status === null || status === undefined ? null : { status: status as CommentRow['status'], deleted: deleted as boolean, listed: listed as boolean };

/**
 * The post's events after `afterId` (at most `limit`), each with its comment's current row, and
 * what the subscriber must be re-checked against (the post's visibility for it, its token): one
 * statement per batch (thread_events_post_idx, then comments by primary key).
 */
export async function readThreadEvents(
  db: Db,
  { postId, afterId, limit, access, tokenId }: { postId: number; afterId: number; limit: number; access: Access; tokenId: number | null },
): Promise<ThreadBatch> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with head as (
          select
            exists (select 1 from posts p where p.id = ${postId} and ${visiblePost(access.posts)}) as post_visible,
            coalesce((select comment_count from posts where id = ${postId}), 0) as comment_count,
            ${tokenId === null ? sql`true` : sql`exists (select 1 from api_tokens where id = ${tokenId} and revoked_at is null)`} as token_valid
        )
        select head.*, e.id as e__id, e.kind as e__kind, e.comment_id as e__comment_id,
               e.status_before as e__status_before, e.deleted_before as e__deleted_before, e.listed_before as e__listed_before,
               e.status as e__status, e.deleted as e__deleted, e.listed as e__listed,
               ${columns(comments, 'c', { omit: ['authorEmail', 'path'] })}
        from head
        left join lateral (
          select * from thread_events where post_id = ${postId} and id > ${afterId} order by id limit ${limit}
        ) e on true
        left join comments c on c.id = e.comment_id
        order by e.id`,
  );
  const head = rows[0]!;
  return {
    postVisible: head.post_visible as boolean,
    commentCount: head.comment_count as number,
    tokenValid: head.token_valid as boolean,
    events: rows
      .filter((row) => row.e__id !== null)
      .map((row) => ({
        id: Number(row.e__id),
        kind: row.e__kind as ThreadEventKind,
        commentId: (row.e__comment_id as number | null) ?? null,
        before: state(row.e__status_before, row.e__deleted_before, row.e__listed_before),
        after: state(row.e__status, row.e__deleted, row.e__listed),
        comment: row.id === null ? null : (readRow(comments, row) as CommentRecord),
      })),
  };
}

/** Drops events older than the retention (thread_events_created_idx); returns how many. */
export async function pruneThreadEvents(db: Db, retentionDays: number): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`with gone as (delete from thread_events where created_at < now() - ${`${retentionDays} days`}::interval returning 1)
        select count(*)::int as count from gone`,
  );
  return row?.count ?? 0;
}
