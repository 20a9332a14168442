import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { tags, type TagRow } from '../schema.js';
import { keyset, toPage, type Page, type PageResult } from './page.js';
import { visiblePost, visibleTag, type PostAccess } from './posts.js';
import { columns, readRow } from './rows.js';

const tagColumns = columns(tags, 't');
const read = (row: Record<string, unknown>) => readRow(tags, row);

/** Tags by id, those the request may see. */
export async function tagsByIds(db: Db, ids: readonly number[], access: PostAccess): Promise<TagRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${tagColumns} from tags t where t.id = any(${sql.param([...ids])}::int[]) and ${visibleTag(access)}`,
  );
  return rows.map(read);
}

/**
 * Each post's tags by name, for many posts in one statement. Callers pass posts the request may
 * see, whose tags are therefore all visible (see `visibleTag`).
 */
export async function tagsByPostIds(db: Db, postIds: readonly number[]): Promise<Map<number, TagRow[]>> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select pt.post_id as "__post", ${tagColumns}
        from post_tags pt join tags t on t.id = pt.tag_id
        where pt.post_id = any(${sql.param([...postIds])}::int[])
        order by t.name, t.id`,
  );
  const byPost = new Map<number, TagRow[]>(postIds.map((id) => [id, []]));
  for (const row of rows) byPost.get(row.__post as number)?.push(read(row));
  return byPost;
}

/** The tags the request may see, by name (then id). */
export async function listTags(db: Db, page: Page, access: PostAccess): Promise<PageResult<TagRow>> {
  const k = keyset(
    page,
    [sql`t.name`, sql`t.id`],
    (id) => sql`select t.name, t.id from tags t where t.id = ${id} and ${visibleTag(access)}`,
  );
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${tagColumns} from tags t
        where ${visibleTag(access)} and ${k.where} order by ${k.orderBy} limit ${k.limit}`,
  );
  return toPage(rows.map(read), page);
}

/** Visible posts per tag. */
export async function postCountsByTag(
  db: Db,
  tagIds: readonly number[],
  access: PostAccess,
): Promise<Map<number, number>> {
  const rows = await queryRows<{ tag_id: number; count: number }>(
    db,
    sql`select pt.tag_id, count(*)::int as count
        from post_tags pt join posts p on p.id = pt.post_id
        where pt.tag_id = any(${sql.param([...tagIds])}::int[]) and ${visiblePost(access)}
        group by pt.tag_id`,
  );
  return new Map(rows.map((row) => [row.tag_id, row.count]));
}

export async function countTags(db: Db, access: PostAccess): Promise<number> {
  const [row] = await queryRows<{ count: number }>(
    db,
    sql`select count(*)::int as count from tags t where ${visibleTag(access)}`,
  );
  return row?.count ?? 0;
}
