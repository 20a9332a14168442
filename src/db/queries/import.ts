import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type Db } from '../client.js';
import { authors, comments, posts, postTags, tags, type AuthorRow, type CommentRow } from '../schema.js';
import type { PostRecord } from './posts.js';
import { columns, insertRows, readRow } from './rows.js';

/*
 * Bulk writes for seeding, generating and importing whole threads. The thread's ids are reserved
 * up front from the comments' identity sequence because each path ends with the comment's own id.
 */

export async function reserveCommentIds(db: Db, count: number): Promise<number[]> {
  if (count === 0) return [];
  const rows = await queryRows<{ id: number }>(
    db,
    sql`select nextval(pg_get_serial_sequence('comments', 'id'))::int as id from generate_series(1, ${count})`,
  );
  return rows.map((row) => row.id);
}

/** Inserts in chunks (each one statement of column arrays: `insertRows`), reporting progress. */
async function insertChunked<T extends PgTable>(
  db: Db,
  table: T,
  rows: T['$inferInsert'][],
  chunk = 5000,
  onProgress?: (done: number) => void,
) {
  for (let i = 0; i < rows.length; i += chunk) {
    await db.execute(insertRows(table, rows.slice(i, i + chunk)));
    onProgress?.(Math.min(i + chunk, rows.length));
  }
}

export const insertComments = (
  db: Db,
  rows: (typeof comments.$inferInsert)[],
  onProgress?: (done: number) => void,
) => insertChunked(db, comments, rows, 5000, onProgress);

export async function insertAuthors(db: Db, rows: (typeof authors.$inferInsert)[]) {
  return db.insert(authors).values(rows).returning({ id: authors.id, slug: authors.slug, name: authors.name });
}

export async function insertTags(db: Db, rows: (typeof tags.$inferInsert)[]) {
  return db.insert(tags).values(rows).returning({ id: tags.id, slug: tags.slug });
}

export async function insertPosts(db: Db, rows: (typeof posts.$inferInsert)[]) {
  const out: { id: number; slug: string }[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    out.push(...(await db.insert(posts).values(rows.slice(i, i + 500)).returning({ id: posts.id, slug: posts.slug })));
  }
  return out;
}

export const insertPostTags = (db: Db, rows: (typeof postTags.$inferInsert)[]) =>
  insertChunked(db, postTags, rows, 5000);

/** Sets `comment_count` of many posts at once (post id → public comments). */
export async function setCommentCounts(db: Db, counts: Map<number, number>) {
  if (counts.size === 0) return;
  await db.execute(sql`
    update posts set comment_count = v.count
    from unnest(${sql.param([...counts.keys()])}::int[], ${sql.param([...counts.values()])}::int[]) as v(id, count)
    where posts.id = v.id`);
}

/** Whether the database holds any content yet (the server seeds the demo only into an empty one). */
export async function isEmpty(db: Db): Promise<boolean> {
  const rows = await queryRows(db, sql`select 1 from authors limit 1`);
  return rows.length === 0;
}

/** Empties every content table (the generator's --reset). */
export async function truncateAll(db: Db) {
  await db.execute(sql`truncate comments, post_tags, posts, tags, authors restart identity cascade`);
}

/**
 * Refreshes the planner's statistics. Keyset pages rely on the planner choosing an ordered index
 * scan, which it does only when it knows how big a thread is: Postgres's autovacuum keeps the
 * statistics fresh, PGlite has no autovacuum, so bulk loads and PGlite start-ups call this.
 */
export async function analyze(db: Db) {
  await db.execute(sql`analyze authors, posts, tags, post_tags, comments`);
}

/*
 * What the importers (src/domain/import/) read and write: rows found by where they came from
 * (`source_key`), and whole threads rewritten in one statement.
 */

export async function authorBySourceKey(db: Db, key: string): Promise<AuthorRow | null> {
  const [row] = await queryRows<Record<string, unknown>>(db, sql`select ${columns(authors, 'a')} from authors a where a.source_key = ${key}`);
  return row ? readRow(authors, row) : null;
}

/** Author slugs equal to one of `bases` or extending one with "-…", to pick a free one. */
export async function authorSlugsLike(db: Db, bases: readonly string[]): Promise<string[]> {
  const rows = await queryRows<{ slug: string }>(
    db,
    sql`select slug from authors where slug = any(${sql.param([...bases])}::text[]) or slug like any(${sql.param(bases.map((base) => `${base}-%`))}::text[])`,
  );
  return rows.map((row) => row.slug);
}

export async function setAuthorNameAndEmail(db: Db, id: number, name: string, email: string | null) {
  await db.execute(sql`update authors set name = ${name}, email = ${email}, updated_at = now() where id = ${id}`);
}

/** The posts imported before from these sources, by source key. */
export async function postsBySourceKeys(db: Db, keys: readonly string[]): Promise<Map<string, PostRecord>> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(posts, 'p', { omit: ['searchVector'] })} from posts p where p.source_key = any(${sql.param([...keys])}::text[])`,
  );
  return new Map(rows.map((row) => readRow(posts, row) as PostRecord).map((post) => [post.sourceKey!, post]));
}

/** Adds old addresses of posts; one that already names a post keeps naming it. */
export async function addLegacyUrls(db: Db, rows: readonly { postId: number; url: string }[]) {
  if (rows.length === 0) return;
  await db.execute(sql`
    insert into post_legacy_urls (url, post_id)
    select * from unnest(${sql.param(rows.map((row) => row.url))}::text[], ${sql.param(rows.map((row) => row.postId))}::int[])
    on conflict (url) do nothing`);
}

/** Every comment of a post, as the importers merge a thread into it. */
export async function commentsOfPostForImport(db: Db, postId: number): Promise<CommentRow[]> {
  const rows = await queryRows<Record<string, unknown>>(db, sql`select ${columns(comments, 'c')} from comments c where c.post_id = ${postId}`);
  return rows.map((row) => readRow(comments, row));
}

/** What an import may change on an existing comment: its place in the tree, counters and content. */
export type ImportedCommentUpdate = Pick<
  CommentRow,
  | 'id' | 'parentId' | 'depth' | 'path' | 'replyCount' | 'descendantCount' | 'status' | 'deleted' | 'authorId'
  | 'authorName' | 'authorEmail' | 'authorUrl' | 'ip' | 'bodyMarkdown' | 'bodyHtml' | 'bodyFormat' | 'createdAt'
>;

/**
 * Rewrites comments in one statement. (Paths travel as text, an array of arrays being one flat
 * array to unnest; booleans and times as text, which postgres.js does not serialize in arrays.)
 */
export async function updateImportedComments(db: Db, rows: readonly ImportedCommentUpdate[]) {
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const column = <T>(pick: (row: ImportedCommentUpdate) => T) => sql.param(chunk.map(pick));
    await db.execute(sql`
      update comments c set
        parent_id = v.parent_id, depth = v.depth, path = v.path::bigint[], reply_count = v.reply_count,
        descendant_count = v.descendant_count, status = v.status::comment_status, deleted = v.deleted::bool,
        author_id = v.author_id, author_name = v.author_name, author_email = v.author_email, author_url = v.author_url,
        ip = v.ip, body_markdown = v.body_markdown, body_html = v.body_html, body_format = v.body_format::body_format,
        created_at = v.created_at, updated_at = now()
      from unnest(
        ${column((r) => r.id)}::int[], ${column((r) => r.parentId)}::int[], ${column((r) => r.depth)}::int[],
        ${column((r) => `{${r.path.join(',')}}`)}::text[], ${column((r) => r.replyCount)}::int[],
        ${column((r) => r.descendantCount)}::int[], ${column((r) => r.status)}::text[], ${column((r) => String(r.deleted))}::text[],
        ${column((r) => r.authorId)}::int[], ${column((r) => r.authorName)}::text[], ${column((r) => r.authorEmail)}::text[],
        ${column((r) => r.authorUrl)}::text[], ${column((r) => r.ip)}::text[], ${column((r) => r.bodyMarkdown)}::text[],
        ${column((r) => r.bodyHtml)}::text[], ${column((r) => r.bodyFormat)}::text[], ${column((r) => r.createdAt.toISOString())}::text[]::timestamptz[]
      ) as v(id, parent_id, depth, path, reply_count, descendant_count, status, deleted, author_id, author_name,
             author_email, author_url, ip, body_markdown, body_html, body_format, created_at)
      where c.id = v.id`);
  }
}

/**
 * The post an old address names: one of `urls` as a legacy URL (in the order given), else the post
 * with slug `slug`. Null when none does.
 */
export async function postIdByAddress(db: Db, urls: readonly string[], slug: string | null): Promise<number | null> {
  const [row] = await queryRows<{ id: number }>(
    db,
    sql`select id from (
          select u.post_id as id, array_position(${sql.param([...urls])}::text[], u.url) as rank
          from post_legacy_urls u where u.url = any(${sql.param([...urls])}::text[])
          union all
          select p.id, 1000000 from posts p where p.slug = ${slug}
        ) m order by rank limit 1`,
  );
  return row?.id ?? null;
}

/** What a merge needs to know of a post: its public comment count. */
export async function postCommentCount(db: Db, id: number): Promise<number> {
  const [row] = await queryRows<{ comment_count: number }>(db, sql`select comment_count from posts where id = ${id}`);
  return row?.comment_count ?? 0;
}

/** Every author, for an export. */
export async function allAuthors(db: Db): Promise<AuthorRow[]> {
  const rows = await queryRows<Record<string, unknown>>(db, sql`select ${columns(authors, 'a')} from authors a order by a.id`);
  return rows.map((row) => readRow(authors, row));
}

/** Posts after `afterId` in id order, `limit` at a time (an export pages through them). */
export async function postsAfter(db: Db, afterId: number, limit: number): Promise<PostRecord[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${columns(posts, 'p', { omit: ['searchVector'] })} from posts p where p.id > ${afterId} order by p.id limit ${limit}`,
  );
  return rows.map((row) => readRow(posts, row) as PostRecord);
}
