import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { apiTokens, authors, type ApiTokenRow, type AuthorRow, type Role } from '../schema.js';
import { columns, readRow } from './rows.js';

/**
 * The live token with this hash and its author, in one statement that also records when the
 * token was last used (at most every five minutes, so reads do not each cost a write).
 */
export async function tokenByHash(db: Db, hash: string): Promise<{ token: ApiTokenRow; author: AuthorRow } | null> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`with found as (
          select ${columns(apiTokens, 't', { prefix: 't__' })}, ${columns(authors, 'a', { prefix: 'a__' })}
          from api_tokens t join authors a on a.id = t.author_id
          where t.token_hash = ${hash} and t.revoked_at is null
        ), touched as (
          update api_tokens set last_used_at = now()
          where id = (select t__id from found)
            and (last_used_at is null or last_used_at < now() - interval '5 minutes')
        )
        select * from found`,
  );
  return row ? { token: readRow(apiTokens, row, 't__'), author: readRow(authors, row, 'a__') } : null;
}

export async function insertToken(db: Db, values: { authorId: number; role: Role; name: string; tokenHash: string }) {
  const [row] = await db.insert(apiTokens).values(values).returning();
  return row!;
}

/** Whether any token was ever made, live or revoked. */
export async function anyTokenEver(db: Db): Promise<boolean> {
  const [row] = await queryRows<{ found: boolean }>(db, sql`select exists (select 1 from api_tokens) as found`);
  return row?.found ?? false;
}

export async function listTokens(db: Db, limit?: number): Promise<(ApiTokenRow & { authorSlug: string })[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(apiTokens, 't')}, a.slug as author_slug
        from api_tokens t join authors a on a.id = t.author_id order by t.id${limit === undefined ? sql`` : sql` limit ${limit}`}`,
  );
  return rows.map((row) => ({ ...readRow(apiTokens, row), authorSlug: row.author_slug as string }));
}

/** Revokes a live token; false when there is no such live token. */
export async function revokeToken(db: Db, id: number): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`update api_tokens set revoked_at = now() where id = ${id} and revoked_at is null returning id`,
  );
  return rows.length > 0;
}
