import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateOptions } from '../seeds/generate.js';
import { queryRows } from '../src/db/client.js';
import { createHarness, type Harness } from './harness.js';

const options: GenerateOptions = {
  seed: 7,
  authors: 4,
  posts: 20,
  publishedRatio: 0.8,
  thread: { comments: 15, topLevel: 5, maxDepth: 3, moderation: true },
  deep: { slug: 'deep', comments: 1500, topLevel: 30, maxDepth: 12, moderation: false },
  now: new Date('2025-06-01T00:00:00Z'),
};

let a: Harness;
let b: Harness;
beforeAll(async () => {
  [a, b] = await Promise.all([createHarness(), createHarness()]);
  await generate(a.database.db, options);
  await generate(b.database.db, options);
});
afterAll(() => Promise.all([a.close(), b.close()]));

const dump = (h: Harness) =>
  Promise.all([
    queryRows(h.database.db, sql`select slug, title, status, published_at::text, body_markdown, comment_count from posts order by id`),
    queryRows(h.database.db, sql`select post_id, parent_id, depth, path::text, author_name, status, deleted, body_markdown, reply_count, descendant_count from comments order by id`),
  ]);

describe('synthetic data generator', () => {
  it('writes the same data for the same seed', async () => {
    const [first, second] = await Promise.all([dump(a), dump(b)]);
    expect(first[1]).toHaveLength(20 * 15 + 1500);
    expect(second).toEqual(first);
  });

  it('shapes the deep thread as asked: all approved, at most 12 deep, about 30 top-level', async () => {
    const [stats] = await queryRows<{ total: number; approved: number; top: number; max_depth: number }>(
      a.database.db,
      sql`select count(*)::int as total, count(*) filter (where c.status = 'approved' and not c.deleted)::int as approved,
                 count(*) filter (where parent_id is null)::int as top, max(depth)::int as max_depth
          from comments c join posts p on p.id = c.post_id where p.slug = 'deep'`,
    );
    expect(stats).toMatchObject({ total: 1500, approved: 1500 });
    expect(stats!.max_depth).toBeGreaterThanOrEqual(8);
    expect(stats!.max_depth).toBeLessThanOrEqual(12);
    expect(stats!.top).toBeGreaterThan(15);
    expect(stats!.top).toBeLessThan(60);
  });

  it('mixes in moderation states and unpublished posts, and counts only public comments', async () => {
    const rows = await queryRows<{ status: string; posts: number; comments: number; counted: number; public: number }>(
      a.database.db,
      sql`select p.status, count(distinct p.id)::int as posts, count(c.id)::int as comments,
                 (select coalesce(sum(comment_count), 0)::int from posts q where q.status = p.status) as counted,
                 count(c.id) filter (where c.status = 'approved' and not c.deleted)::int as public
          from posts p left join comments c on c.post_id = p.id group by p.status order by p.status`,
    );
    expect(rows.map((r) => r.status)).toEqual(expect.arrayContaining(['published']));
    expect(rows.reduce((sum, r) => sum + r.posts, 0)).toBe(21);
    for (const row of rows) expect(row.counted).toBe(row.public);
    const [hidden] = await queryRows<{ n: number }>(a.database.db, sql`select count(*)::int as n from comments where status <> 'approved' or deleted`);
    expect(hidden!.n).toBeGreaterThan(0);
  });
});
