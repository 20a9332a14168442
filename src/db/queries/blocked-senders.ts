import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { blockedSenders, type BlockedSenderRow } from '../schema.js';
import { keyset, toPage, type Page, type PageResult } from './page.js';
import { columns, readRow } from './rows.js';

/*
 * The blocklist moderators keep in the database (blockSender). Values are stored as they are
 * matched (see the table in schema.ts): callers pass a lower-case email and an address group.
 */

export type SenderKind = BlockedSenderRow['kind'];

export interface NewBlock {
  kind: SenderKind;
  value: string;
  reason: string | null;
  createdBy: number;
  commentId: number;
}

/**
 * Blocks each sender not blocked yet and returns every entry, new or already there: blocking twice
 * keeps the first entry, its moderator and reason. (The no-op update returns the existing row, also
 * one a simultaneous block committed a moment ago, where `do nothing` would return nothing.)
 */
export async function insertBlocks(db: Db, blocks: readonly NewBlock[]): Promise<BlockedSenderRow[]> {
  const column = <T>(pick: (b: NewBlock) => T) => sql.param(blocks.map(pick));
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`insert into blocked_senders (kind, value, reason, created_by, comment_id)
        select kind::sender_kind, value, reason, created_by, comment_id
        from unnest(${column((b) => b.kind)}::text[], ${column((b) => b.value)}::text[], ${column((b) => b.reason)}::text[],
                    ${column((b) => b.createdBy)}::int[], ${column((b) => b.commentId)}::int[]) as w(kind, value, reason, created_by, comment_id)
        on conflict (kind, value) do update set kind = excluded.kind
        returning ${columns(blockedSenders, 'blocked_senders')}`,
  );
  return rows.map((row) => readRow(blockedSenders, row));
}

/** Unblocks a sender and returns the entry it had; null when it was not blocked. */
export async function deleteBlock(db: Db, kind: SenderKind, value: string): Promise<BlockedSenderRow | null> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`delete from blocked_senders b where b.kind = ${kind} and b.value = ${value} returning ${columns(blockedSenders, 'b')}`,
  );
  return row ? readRow(blockedSenders, row) : null;
}

/**
 * The first entry that blocks this email (lower case) or address group, if any: both keys in one
 * statement, each an index probe (blocked_senders_value_idx). Email first, as it names the sender.
 */
export async function blockOf(db: Db, email: string | null, ipGroup: string | null): Promise<BlockedSenderRow | null> {
  if (email === null && ipGroup === null) return null;
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(blockedSenders, 'b')} from blocked_senders b
        where (b.kind = 'email' and b.value = ${email}) or (b.kind = 'ip' and b.value = ${ipGroup})
        order by b.kind limit 1`,
  );
  return row ? readRow(blockedSenders, row) : null;
}

/** A page of the blocklist, newest first (blocked_senders_created_idx). */
export async function listBlocks(db: Db, page: Page): Promise<PageResult<BlockedSenderRow>> {
  const k = keyset(page, [sql`b.created_at`, sql`b.id`], (id) => sql`select created_at, id from blocked_senders where id = ${id}`);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(blockedSenders, 'b')} from blocked_senders b where ${k.where} order by ${k.orderBy} limit ${k.limit}`,
  );
  return toPage(
    rows.map((row) => readRow(blockedSenders, row)),
    page,
  );
}

export async function countBlocks(db: Db): Promise<number> {
  const [row] = await queryRows<{ count: number }>(db, sql`select count(*)::int as count from blocked_senders`);
  return row?.count ?? 0;
}
