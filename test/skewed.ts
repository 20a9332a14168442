import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../src/db/client.js';
import { analyze } from '../src/db/queries/import.js';

/*
 * A skewed dataset for plan tests: one post with a long thread (10,000 comments by default) among
 * hundreds of posts with a few comments each, so that the planner's statistics say "about 29
 * comments per post" (as on the bench database) while one post has 10,000. A plan chosen for the
 * average thread and run on the long one is what plan tests must catch.
 *
 * It is written in a handful of set-based statements (generate_series, window functions, one
 * recursive CTE for the paths), not through importThread: seconds on PGlite, not minutes. The rows
 * follow the thread model of schema.ts exactly (path, depth, counters, placeholders), and
 * test/plans.test.ts checks them with counterDrift.
 *
 * Shape of the long thread, in creation order (comment n = 1, 2, ...):
 * - comments 1..maxDepth open with a chain, one reply under the other, so that every depth exists;
 * - after that a comment is top-level with a small chance, otherwise its depth is drawn with a
 *   long tail (most replies are shallow, some go down to maxDepth), and its parent is the latest
 *   earlier comment one level up: threads grow both wide and deep, like the generator's;
 * - a "hot" stretch (the second fifth of the thread) has no new top-level comment and mostly
 *   direct replies, so that one top-level comment collects well over a thousand replies: the
 *   comment with the most children, for replies pages.
 * About 3% of comments are pending, 1% spam and 1% deleted (those with public replies become
 * placeholders); a fifth are by registered authors, 50 of them by default as on the bench database
 * (a blog's writers and a few registered readers; guests have no author row).
 */

export interface SkewedOptions {
  /** Comments on the long thread. */
  comments: number;
  /** Posts with a short thread (2 to 6 comments, at most 2 deep). */
  smallPosts: number;
  /** Registered authors; a fifth of the comments are theirs. */
  authors: number;
  maxDepth: number;
}

export interface SkewedDataset {
  /** The post with the long thread. */
  postId: number;
  slug: string;
  /** The comment with the most replies in the long thread, and how many it has (listed). */
  hotCommentId: number;
  hotReplies: number;
  /** Listed comments of the long thread (the size of its flattened thread). */
  listed: number;
}

export const defaultSkew: SkewedOptions = { comments: 10_000, smallPosts: 400, authors: 50, maxDepth: 12 };

/** A deterministic number in [0, 1) for an integer expression and a salt (hashint8 mixes well). */
const unit = (expr: string, salt: number) => `((hashint8(((${expr}) * 31 + ${salt})::bigint)::bigint + 2147483648) / 4294967296.0)`;

export async function addSkewedDataset(db: Db, options: Partial<SkewedOptions> = {}): Promise<SkewedDataset> {
  const o = { ...defaultSkew, ...options };
  const slug = 'skewed-deep';
  await db.execute(sql`
    insert into authors (slug, name, role)
    select 'skewed-author-' || g, 'Reader ' || g, 'contributor' from generate_series(1, ${o.authors}) g`);
  const [writer] = await queryRows<{ id: number }>(db, sql`select min(id)::int as id from authors where slug like 'skewed-author-%'`);
  // Post 0 is the long thread; posts 1..smallPosts are short ones.
  await db.execute(sql`
    insert into posts (slug, title, body_markdown, body_html, author_id, status, published_at, created_at)
    select case when g = 0 then ${slug} else 'skewed-' || g end, 'Post ' || g, 'Body.', '<p>Body.</p>',
           ${writer!.id}, 'published', timestamptz '2024-01-01' + g * interval '1 hour', timestamptz '2024-01-01'
    from generate_series(0, ${o.smallPosts}) g`);

  // A plain table, not a temporary one: with postgres.js each statement may take another connection.
  await db.execute(sql`drop table if exists skewed_shape`);
  await db.execute(shapeTable(o));
  await db.execute(parents(o.maxDepth));
  await db.execute(paths());
  await db.execute(descendantCounts());
  await db.execute(replyCounts());
  await db.execute(sql`
    insert into comments (id, post_id, parent_id, depth, path, author_id, author_name, author_email, author_url,
                          body_markdown, body_html, status, deleted, held_reason, reply_count, descendant_count,
                          created_at, updated_at)
    select id, post_id, parent_id, depth, path, author_id, author_name, author_email, author_url,
           body, '<p>' || body || '</p>', status::comment_status, deleted,
           case when status in ('pending', 'spam') then 'skewed: held' end, reply_count, descendant_count,
           created_at, created_at
    from skewed_shape`);
  await db.execute(sql`
    update posts p set comment_count = s.count
    from (select post_id, count(*) filter (where status = 'approved' and not deleted)::int as count
          from skewed_shape group by post_id) s
    where p.id = s.post_id`);
  await db.execute(sql`drop table skewed_shape`);
  // Without statistics the planner guesses, and the guesses are not what production sees.
  await analyze(db);

  const [hot] = await queryRows<{ post_id: number; id: number; reply_count: number; listed: number }>(
    db,
    sql`select c.post_id, c.id, c.reply_count,
               (select count(*)::int from comments t where t.post_id = c.post_id and t.listed) as listed
        from comments c join posts p on p.id = c.post_id
        where p.slug = ${slug} order by c.reply_count desc, c.id limit 1`,
  );
  return { postId: hot!.post_id, slug, hotCommentId: hot!.id, hotReplies: hot!.reply_count, listed: hot!.listed };
}

/**
 * One row per comment with everything but its parent, path and counters: post, position `n` in
 * creation order, depth, time, status and author. Ids come from the comments' own sequence.
 */
function shapeTable(o: SkewedOptions): SQL {
  const key = 'p.rank * 100000 + g.n';
  const hot = `g.n > ${Math.floor(o.comments / 5)} and g.n <= ${Math.floor((2 * o.comments) / 5)}`;
  // Mostly depth 2 and 3, down to maxDepth now and then (v³ leans towards 0).
  const tail = `2 + floor(${o.maxDepth - 1} * power(${unit(key, 2)}, 3))::int`;
  const depth = `case
      when p.rank > 0 then case when g.n = 1 or ${unit(key, 1)} < 0.5 then 1 else 2 end
      when g.n <= ${o.maxDepth} then g.n::int
      when ${hot} then case when ${unit(key, 1)} < 0.7 then 2 else ${tail} end
      when ${unit(key, 1)} < 0.025 then 1
      else ${tail} end`;
  const roll = unit(key, 3);
  const registered = `${unit(key, 4)} < 0.2`;
  const author = `(1 + floor(${unit(key, 5)} * ${o.authors}))::int`;
  return sql.raw(`
    create table skewed_shape as
    select nextval(pg_get_serial_sequence('comments', 'id'))::int as id, p.id as post_id, g.n, ${depth} as depth,
           p.published_at + make_interval(secs => (sum(1 + floor(${unit(key, 6)} * 600)) over w)::float8) as created_at,
           case when ${roll} < 0.03 then 'pending' when ${roll} < 0.04 then 'spam' else 'approved' end as status,
           ${roll} >= 0.04 and ${roll} < 0.05 as deleted,
           case when ${registered} then a.id end as author_id,
           case when ${registered} then a.name else 'Guest ' || g.n end as author_name,
           case when ${registered} then null else 'guest' || g.n || '@example.com' end as author_email,
           case when not ${registered} and ${unit(key, 7)} < 0.1 then 'https://example.com/' || g.n end as author_url,
           'Comment ' || g.n || ' ' || repeat('on the primary and the ballot, ', 1 + floor(${unit(key, 8)} * 12)::int) as body,
           null::int as parent_id, null::bigint[] as path, 0 as reply_count, 0 as descendant_count
    from (select id, published_at, row_number() over (order by slug <> 'skewed-deep', id) - 1 as rank from posts where slug like 'skewed-%') p
    cross join lateral generate_series(1, case when p.rank = 0 then ${o.comments} else 2 + floor(${unit('p.rank', 9)} * 5)::int end) g(n)
    left join authors a on a.slug = 'skewed-author-' || ${author}
    window w as (partition by p.id order by g.n)`);
}

/**
 * A comment's parent is the latest earlier comment of its post one level up (one exists: depth 1
 * opens every thread, and the long one opens with a chain to maxDepth).
 */
function parents(maxDepth: number): SQL {
  const latest = Array.from(
    { length: maxDepth - 1 },
    (_, i) => `max(n) filter (where depth = ${i + 1}) over (partition by post_id order by n rows between unbounded preceding and 1 preceding)`,
  );
  return sql.raw(`
    update skewed_shape s set parent_id = p.id
    from (select post_id, n, depth, (array[${latest.join(', ')}])[depth - 1] as parent_n from skewed_shape) c
    join skewed_shape p on p.post_id = c.post_id and p.n = c.parent_n
    where c.depth > 1 and s.post_id = c.post_id and s.n = c.n`);
}

/** Materialized paths, root down: [created_at in µs, id] pairs (as pathStamp in domain/thread.ts). */
function paths(): SQL {
  return sql`
    with recursive tree(id, path) as (
      select id, array[(extract(epoch from created_at) * 1000000)::bigint, id::bigint] from skewed_shape where parent_id is null
      union all
      select s.id, t.path || array[(extract(epoch from s.created_at) * 1000000)::bigint, s.id::bigint]
      from skewed_shape s join tree t on s.parent_id = t.id
    )
    update skewed_shape s set path = t.path from tree t where s.id = t.id`;
}

/** descendant_count: public comments below (each counts for every ancestor: the ids at the even positions of its path). */
function descendantCounts(): SQL {
  return sql`
    update skewed_shape s set descendant_count = b.count
    from (select s.path[2 * g] as id, count(*)::int as count
          from skewed_shape s cross join lateral generate_series(1, s.depth - 1) g
          where s.status = 'approved' and not s.deleted
          group by 1) b
    where s.id = b.id`;
}

/** reply_count: children that are listed (public, or placeholders with public descendants). */
function replyCounts(): SQL {
  return sql`
    update skewed_shape s set reply_count = r.count
    from (select parent_id, count(*)::int as count from skewed_shape
          where parent_id is not null and ((status = 'approved' and not deleted) or descendant_count > 0)
          group by parent_id) r
    where s.id = r.parent_id`;
}
