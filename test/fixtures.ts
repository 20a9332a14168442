import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../src/db/client.js';
import { analyze, insertAuthors, insertPosts, insertPostTags, insertTags } from '../src/db/queries/import.js';
import type { posts, Role } from '../src/db/schema.js';
import { createToken } from '../src/domain/authors.js';
import { renderPostMarkdown } from '../src/domain/markdown.js';
import { importThread, type CommentDraft } from '../src/domain/thread.js';

// Test data goes in through the same write paths as the seeds and the generator.

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

export async function addAuthor(db: Db, fields: { slug?: string; name?: string; role?: Role } = {}) {
  const slug = fields.slug ?? unique('author');
  const [row] = await insertAuthors(db, [{ slug, name: fields.name ?? `Author ${slug}`, role: fields.role ?? 'author' }]);
  return row!.id;
}

/** An author with a token of their role: what a test needs to act as someone. */
export async function addWriter(db: Db, role: Role) {
  const id = await addAuthor(db, { role, name: `The ${role}` });
  const { token } = await createToken(db, { authorId: id, role });
  return { id, token, role };
}

export async function addTag(db: Db, slug: string) {
  const [row] = await insertTags(db, [{ slug, name: slug.toUpperCase() }]);
  return row!.id;
}

export async function addPost(
  db: Db,
  fields: Partial<typeof posts.$inferInsert> & { authorId: number; tagIds?: number[] },
) {
  const body = fields.bodyMarkdown ?? 'Some *body*.';
  const [row] = await insertPosts(db, [
    {
      slug: unique('post'),
      title: 'A post',
      status: 'published',
      publishedAt: new Date('2024-01-01T00:00:00Z'),
      ...fields,
      bodyMarkdown: body,
      bodyHtml: renderPostMarkdown(body),
    },
  ]);
  if (fields.tagIds?.length) await insertPostTags(db, fields.tagIds.map((tagId) => ({ postId: row!.id, tagId })));
  return row!.id;
}

/** Writes a thread and refreshes statistics, as every bulk load does; returns the comment ids. */
export async function addThread(db: Db, postId: number, drafts: CommentDraft[]): Promise<number[]> {
  const ids = await importThread(db, postId, drafts);
  await analyze(db);
  return ids;
}

/** A guest comment draft; `minute` orders it in time. */
export function draft(parent: number | null, minute: number, fields: Partial<CommentDraft> = {}): CommentDraft {
  return {
    parent,
    createdAt: new Date(Date.UTC(2024, 0, 2, 0, minute)),
    status: 'approved',
    authorName: `Guest ${minute}`,
    authorEmail: `guest${minute}@example.com`,
    bodyMarkdown: `Comment at minute ${minute}`,
    ...fields,
  };
}

/**
 * Recomputes every counter from the rows (public = approved and not deleted) and returns where
 * the stored ones differ: an empty list means the counters are exact.
 */
export async function counterDrift(db: Db): Promise<string[]> {
  const rows = await queryRows<{
    id: number;
    post_id: number;
    parent_id: number | null;
    status: string;
    deleted: boolean;
    reply_count: number;
    descendant_count: number;
    listed: boolean;
  }>(db, sql`select id, post_id, parent_id, status, deleted, reply_count, descendant_count, listed from comments`);
  const posts = await queryRows<{ id: number; comment_count: number }>(db, sql`select id, comment_count from posts`);
  const children = new Map<number, typeof rows>();
  for (const row of rows) if (row.parent_id !== null) children.set(row.parent_id, [...(children.get(row.parent_id) ?? []), row]);
  const isPublic = (r: (typeof rows)[number]) => r.status === 'approved' && !r.deleted;
  const descendants = new Map<number, number>();
  const countBelow = (id: number): number => {
    if (!descendants.has(id)) {
      descendants.set(id, (children.get(id) ?? []).reduce((sum, c) => sum + (isPublic(c) ? 1 : 0) + countBelow(c.id), 0));
    }
    return descendants.get(id)!;
  };
  const drift: string[] = [];
  for (const row of rows) {
    const d = countBelow(row.id);
    const listed = isPublic(row) || d > 0;
    const replies = (children.get(row.id) ?? []).filter((c) => isPublic(c) || countBelow(c.id) > 0).length;
    if (row.descendant_count !== d) drift.push(`comment ${row.id} descendant_count ${row.descendant_count} ≠ ${d}`);
    if (row.reply_count !== replies) drift.push(`comment ${row.id} reply_count ${row.reply_count} ≠ ${replies}`);
    if (row.listed !== listed) drift.push(`comment ${row.id} listed ${row.listed} ≠ ${listed}`);
  }
  for (const post of posts) {
    const count = rows.filter((r) => r.post_id === post.id && isPublic(r)).length;
    if (post.comment_count !== count) drift.push(`post ${post.id} comment_count ${post.comment_count} ≠ ${count}`);
  }
  return drift;
}

export async function countRows(db: Db, table: 'comments' | 'posts' | 'authors' | 'api_tokens' | 'tags' | 'post_tags') {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)}`);
  return row!.n;
}

/**
 * Moves a comment back in time by `seconds` (its edits too), as if it had been posted that long
 * ago: past the flood window, or past the edit window, without waiting.
 */
export async function age(db: Db, commentId: number, seconds: number) {
  const interval = `${seconds} seconds`;
  await db.execute(sql`update comments set created_at = created_at - ${interval}::interval where id = ${commentId}`);
  await db.execute(sql`update comment_revisions set edited_at = edited_at - ${interval}::interval where comment_id = ${commentId}`);
  await db.execute(sql`update comments set edited_at = edited_at - ${interval}::interval where id = ${commentId} and edited_at is not null`);
}

/** A snapshot of every table, to show that a refused request changed nothing. */
export async function snapshot(db: Db) {
  // (Not api_tokens: using a token records when it was last used.)
  const tables = ['comments', 'comment_revisions', 'posts', 'authors', 'tags', 'post_tags', 'blocked_senders'] as const;
  return Promise.all(
    tables.map((table) => queryRows(db, sql`select * from ${sql.identifier(table)} order by 1, 2`)),
  );
}
