import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../client.js';
import { authors, posts, type AuthorRow, type PostRow } from '../schema.js';
import { keyset, pagesByParent, toPage, type Page, type PageResult } from './page.js';
import { columns, readRow } from './rows.js';

const P = sql.raw('p');

export type PostRecord = Omit<PostRow, 'searchVector'>;

/**
 * The one definition of "the public may see this post" (its row aliased `p` unless given):
 * published, or scheduled for a time that has come. Scheduling therefore needs no background job.
 * `isPublicPost` is the same rule for a row already read (test/rules.test.ts checks they agree).
 */
export const publicPostSql = (p: SQL = P) => sql`(${p}.status in ('published', 'scheduled') and ${p}.published_at <= now())`;
export const isPublicPost = (post: Pick<PostRow, 'status' | 'publishedAt'>, now = new Date()) =>
  (post.status === 'published' || post.status === 'scheduled') && post.publishedAt !== null && post.publishedAt <= now;
export const publicPost = publicPostSql();

/** Which posts a request may see: the public's, every post (editors), or also its own (writers). */
export type PostAccess = { kind: 'public' } | { kind: 'all' } | { kind: 'own'; authorId: number };

export function visiblePost(access: PostAccess, p: SQL = P): SQL {
  if (access.kind === 'all') return sql`true`;
  if (access.kind === 'own') return sql`(${publicPostSql(p)} or ${p}.author_id = ${access.authorId})`;
  return publicPostSql(p);
}

/**
 * The one definition of "this request may see this tag" (alias `t` unless given): it has a post the
 * request may see. A tag that only drafts carry is as private as they are, wherever tags come out
 * (lists, counts, lookups by ID, cursors), and becomes public with the first of its posts.
 */
export function visibleTag(access: PostAccess, t: SQL = sql.raw('t')): SQL {
  const p = sql.raw('tag_post');
  return sql`exists (select 1 from post_tags tp join posts ${p} on ${p}.id = tp.post_id
                     where tp.tag_id = ${t}.id and ${visiblePost(access, p)})`;
}

const postColumns = columns(posts, 'p', { omit: ['searchVector'] });
const read = (row: Record<string, unknown>) => readRow(posts, row) as PostRecord;

/** A post with its author, joined in the same statement so authors cost no extra round trip. */
export interface PostWithAuthor {
  post: PostRecord;
  author: AuthorRow;
}
const withAuthor = sql`${postColumns}, ${columns(authors, 'a', { prefix: 'a__' })}`;
const fromWithAuthor = sql`posts p join authors a on a.id = p.author_id`;
const readWithAuthor = (row: Record<string, unknown>): PostWithAuthor => ({
  post: read(row),
  author: readRow(authors, row, 'a__'),
});
const run = (db: Db) => (query: SQL) => queryRows<Record<string, unknown>>(db, query);

// Posts sort by publication time (drafts by creation time), then id; posts_public_idx matches.
export const postKey = (p: SQL = P) => [sql`coalesce(${p}.published_at, ${p}.created_at)`, sql`${p}.id`];
/** A cursor names a post by id: one the request may not see positions nothing, like one that does not exist. */
const postCursor = (access: PostAccess) => (id: number) =>
  sql`select ${sql.join(postKey(), sql`, `)} from posts p where p.id = ${id} and ${visiblePost(access)}`;

export type PostStatus = PostRecord['status'];

export interface PostFilter {
  access: PostAccess;
  status?: readonly PostStatus[] | null;
  authorSlug?: string | null;
  tagSlug?: string | null;
  /** Full-text search over title and body (web search syntax: quotes, OR, -word). */
  search?: string | null;
}

/** The posts a filter selects (alias `p` unless given). */
export function filterSql(filter: PostFilter, p: SQL = P): SQL {
  const conditions: SQL[] = [visiblePost(filter.access, p)];
  if (filter.status?.length) {
    conditions.push(sql`${p}.status = any(${sql.param([...filter.status])}::text[]::post_status[])`);
  }
  if (filter.authorSlug != null) {
    conditions.push(sql`${p}.author_id = (select id from authors where slug = ${filter.authorSlug})`);
  }
  if (filter.tagSlug != null) {
    conditions.push(
      sql`exists (select 1 from post_tags pt join tags t on t.id = pt.tag_id
                  where pt.post_id = ${p}.id and t.slug = ${filter.tagSlug})`,
    );
  }
  if (filter.search != null) {
    conditions.push(sql`${p}.search_vector @@ websearch_to_tsquery('english', ${filter.search})`);
  }
  return sql.join(conditions, sql` and `);
}

export async function postsByIds(db: Db, ids: readonly number[], access: PostAccess): Promise<PostWithAuthor[]> {
  const rows = await run(db)(
    sql`select ${withAuthor} from ${fromWithAuthor}
        where p.id = any(${sql.param([...ids])}::int[]) and ${visiblePost(access)}`,
  );
  return rows.map(readWithAuthor);
}

export async function postsBySlugs(db: Db, slugs: readonly string[], access: PostAccess): Promise<PostWithAuthor[]> {
  const rows = await run(db)(
    sql`select ${withAuthor} from ${fromWithAuthor}
        where p.slug = any(${sql.param([...slugs])}::text[]) and ${visiblePost(access)}`,
  );
  return rows.map(readWithAuthor);
}

/** Posts by an old address (an imported post's WordPress link or guid), each with the address it matched. */
export async function postsByLegacyUrls(
  db: Db,
  urls: readonly string[],
  access: PostAccess,
): Promise<(PostWithAuthor & { legacyUrl: string })[]> {
  const rows = await run(db)(
    sql`select ${withAuthor}, u.url as legacy_url from ${fromWithAuthor} join post_legacy_urls u on u.post_id = p.id
        where u.url = any(${sql.param([...urls])}::text[]) and ${visiblePost(access)}`,
  );
  return rows.map((row) => ({ ...readWithAuthor(row), legacyUrl: row.legacy_url as string }));
}

/** The engine's form of that lookup: the post `p` has this old address. */
export const hasLegacyUrlSql = (p: SQL, url: string) =>
  sql`exists (select 1 from post_legacy_urls u where u.post_id = ${p}.id and u.url = ${url})`;

export async function listPosts(db: Db, filter: PostFilter, page: Page): Promise<PageResult<PostWithAuthor>> {
  const k = keyset(page, postKey(), postCursor(filter.access));
  const rows = await run(db)(
    sql`select ${withAuthor} from ${fromWithAuthor}
        where ${filterSql(filter)} and ${k.where}
        order by ${k.orderBy} limit ${k.limit}`,
  );
  return toPage(rows.map(readWithAuthor), page);
}

export async function countPosts(db: Db, filter: PostFilter): Promise<number> {
  const [row] = await run(db)(sql`select count(*)::int as count from posts p where ${filterSql(filter)}`);
  return (row?.count as number | undefined) ?? 0;
}

/** A page of visible posts for each author, in one statement. */
export function postsByAuthors(
  db: Db,
  authorIds: readonly number[],
  page: Page,
  access: PostAccess,
): Promise<Map<number, PageResult<PostRecord>>> {
  const k = keyset(page, postKey(), postCursor(access));
  return pagesByParent(
    run(db),
    authorIds,
    page,
    (author) =>
      sql`select ${postColumns} from posts p
          where p.author_id = ${author} and ${visiblePost(access)} and ${k.where}
          order by ${k.orderBy} limit ${k.limit}`,
    read,
  );
}

export async function postCountsByAuthor(
  db: Db,
  authorIds: readonly number[],
  access: PostAccess,
): Promise<Map<number, number>> {
  const rows = await run(db)(
    sql`select p.author_id, count(*)::int as count from posts p
        where p.author_id = any(${sql.param([...authorIds])}::int[]) and ${visiblePost(access)}
        group by p.author_id`,
  );
  return new Map(rows.map((row) => [row.author_id as number, row.count as number]));
}

/** The public post published just before (or after) each given post: neighbours are public only. */
export async function adjacentPosts(
  db: Db,
  postIds: readonly number[],
  direction: 'previous' | 'next',
): Promise<Map<number, PostRecord>> {
  const [op, order] = direction === 'previous' ? [sql`<`, sql`desc`] : [sql`>`, sql`asc`];
  const rows = await run(db)(
    sql`select k.id as "__post", x.*
        from posts k
        cross join lateral (
          select ${postColumns} from posts p
          where ${publicPost}
            and (coalesce(p.published_at, p.created_at), p.id) ${op} (coalesce(k.published_at, k.created_at), k.id)
          order by coalesce(p.published_at, p.created_at) ${order}, p.id ${order} limit 1
        ) x
        where k.id = any(${sql.param([...postIds])}::int[])`,
  );
  return new Map(rows.map((row) => [row.__post as number, read(row)]));
}
