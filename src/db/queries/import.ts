import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { queryRows, type Db } from '../client.js';
import { authors, comments, posts, postTags, tags } from '../schema.js';

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

/** Inserts in chunks that stay well below Postgres's 65,535 bind parameters per statement. */
async function insertChunked<T extends PgTable>(
  db: Db,
  table: T,
  rows: T['$inferInsert'][],
  chunk = 1000,
  onProgress?: (done: number) => void,
) {
  for (let i = 0; i < rows.length; i += chunk) {
    await db.insert(table).values(rows.slice(i, i + chunk));
    onProgress?.(Math.min(i + chunk, rows.length));
  }
}

export const insertComments = (
  db: Db,
  rows: (typeof comments.$inferInsert)[],
  onProgress?: (done: number) => void,
) => insertChunked(db, comments, rows, 1000, onProgress);

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
