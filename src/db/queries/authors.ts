import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { authors, type AuthorRow } from '../schema.js';
import { keyset, toPage, type Page, type PageResult } from './page.js';
import { columns, readRow } from './rows.js';

const authorColumns = columns(authors, 'a');
const read = (row: Record<string, unknown>) => readRow(authors, row);

export async function authorsByIds(db: Db, ids: readonly number[]): Promise<AuthorRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${authorColumns} from authors a where a.id = any(${sql.param([...ids])}::int[])`,
  );
  return rows.map(read);
}

export async function authorsBySlugs(db: Db, slugs: readonly string[]): Promise<AuthorRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${authorColumns} from authors a where a.slug = any(${sql.param([...slugs])}::text[])`,
  );
  return rows.map(read);
}

/** Authors by name (then id). Every author is public, so any author's cursor positions the page. */
export async function listAuthors(db: Db, page: Page): Promise<PageResult<AuthorRow>> {
  const k = keyset(page, [sql`a.name`, sql`a.id`], (id) => sql`select name, id from authors where id = ${id}`);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${authorColumns} from authors a where ${k.where} order by ${k.orderBy} limit ${k.limit}`,
  );
  return toPage(rows.map(read), page);
}

/** The oldest author with the admin role, if any. */
export async function firstAdmin(db: Db): Promise<AuthorRow | null> {
  const [row] = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${authorColumns} from authors a where a.role = 'admin' order by a.id limit 1`,
  );
  return row ? read(row) : null;
}

export async function countAuthors(db: Db): Promise<number> {
  const [row] = await queryRows<{ count: number }>(db, sql`select count(*)::int as count from authors`);
  return row?.count ?? 0;
}

export type AuthorValues = Pick<AuthorRow, 'slug' | 'name' | 'bio' | 'avatarUrl' | 'website' | 'role'>;

export async function insertAuthor(db: Db, values: AuthorValues): Promise<AuthorRow | null> {
  const [row] = await db.insert(authors).values(values).onConflictDoNothing({ target: authors.slug }).returning();
  return row ?? null;
}

export async function updateAuthor(db: Db, id: number, patch: Partial<AuthorValues>): Promise<AuthorRow | null> {
  const [row] = await db
    .update(authors)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(sql`${authors.id} = ${id}`)
    .returning();
  return row ?? null;
}
