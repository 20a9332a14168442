import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { posts, type PostRow } from '../schema.js';
import { publicPost, type PostRecord } from './posts.js';
import { columns, readRow } from './rows.js';

const postColumns = columns(posts, 'p', { omit: ['searchVector'] });
const read = (row: Record<string, unknown>) => readRow(posts, row) as PostRecord;

/** A post whatever its status (for writers and permission checks). */
export async function postById(db: Db, id: number): Promise<PostRecord | null> {
  return (await postsByIdsAnyStatus(db, [id]))[0] ?? null;
}

export async function postsByIdsAnyStatus(db: Db, ids: readonly number[]): Promise<PostRecord[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select ${postColumns} from posts p where p.id = any(${sql.param([...ids])}::int[])`,
  );
  return rows.map(read);
}

/** Post slugs equal to one of `bases` or extending one with "-…", to pick free ones. */
export async function slugsLike(db: Db, bases: readonly string[]): Promise<string[]> {
  const rows = await queryRows<{ slug: string }>(
    db,
    sql`select slug from posts where slug = any(${sql.param([...bases])}::text[]) or slug like any(${sql.param(bases.map((base) => `${base}-%`))}::text[])`,
  );
  return rows.map((row) => row.slug);
}

export type PostValues = Pick<
  PostRow,
  'slug' | 'title' | 'excerpt' | 'bodyMarkdown' | 'bodyHtml' | 'authorId' | 'commentsOpen'
>;

export async function insertPost(db: Db, values: PostValues): Promise<PostRecord> {
  const [row] = await db.insert(posts).values({ ...values, status: 'draft' }).returning({ id: posts.id });
  return (await postById(db, row!.id))!;
}

export type PostPatch = Partial<PostValues & Pick<PostRow, 'status' | 'publishedAt' | 'bodyFormat'>>;

/**
 * Applies `patch` if the post is still at `version` (when given), bumping the version.
 * Returns null when the post is missing or at another version: the caller tells which.
 */
export async function updatePost(db: Db, id: number, version: number | null, patch: PostPatch): Promise<PostRecord | null> {
  const [row] = await db
    .update(posts)
    .set({ ...patch, version: sql`${posts.version} + 1`, updatedAt: sql`now()` })
    .where(sql`${posts.id} = ${id} ${version === null ? sql`` : sql`and ${posts.version} = ${version}`}`)
    .returning({ id: posts.id });
  return row ? postById(db, row.id) : null;
}

/** Replaces a post's tags, creating tags that do not exist yet. */
export async function setPostTags(db: Db, postId: number, tags: readonly { slug: string; name: string }[]) {
  await db.execute(sql`delete from post_tags where post_id = ${postId}`);
  await addPostTags(db, tags.map((tag) => ({ postId, ...tag })));
}

/** Tags posts (new ones, or ones whose tags were just removed), creating the tags that do not exist yet. */
export async function addPostTags(db: Db, rows: readonly { postId: number; slug: string; name: string }[]) {
  if (rows.length === 0) return;
  const slugs = sql.param(rows.map((row) => row.slug));
  await db.execute(sql`
    insert into tags (slug, name) select * from unnest(${slugs}::text[], ${sql.param(rows.map((row) => row.name))}::text[])
    on conflict (slug) do nothing`);
  await db.execute(sql`
    insert into post_tags (post_id, tag_id)
    select v.post_id, t.id from unnest(${sql.param(rows.map((row) => row.postId))}::int[], ${slugs}::text[]) as v(post_id, slug)
    join tags t on t.slug = v.slug`);
}

/** What addComment needs to know about a post. */
export async function postForComment(db: Db, id: number) {
  const [row] = await queryRows<{ id: number; slug: string; is_public: boolean; comments_open: boolean }>(
    db,
    sql`select p.id, p.slug, ${publicPost} as is_public, p.comments_open from posts p where p.id = ${id}`,
  );
  return row ? { id: row.id, slug: row.slug, isPublic: row.is_public, commentsOpen: row.comments_open } : null;
}
