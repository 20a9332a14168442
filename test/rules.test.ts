import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { canReadComment, isPublicComment, publicCommentSql, readableCommentSql } from '../src/db/queries/comments.js';
import { isPublicPost, publicPostSql } from '../src/db/queries/posts.js';
import { accessOf } from '../src/domain/roles.js';
import { dateTimeSql } from '../src/schema/date-time.js';
import { encodeGlobalId, globalIdSql } from '../src/schema/ids.js';
import { cursorSql, encodeCursor } from '../src/schema/pagination.js';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread, addWriter } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Rules that exist in TypeScript (for the resolvers and the writes) and in SQL (for the read
 * engine and the statements) are written side by side, once each; here each pair must agree on
 * every row of a thread with every status, and on every value of an encoding.
 */
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const authorId = await addAuthor(db);
  const at = (days: number) => new Date(Date.now() + days * 86_400_000);
  for (const [status, publishedAt] of [
    ['published', at(-1)],
    ['published', at(1)],
    ['scheduled', at(-1)],
    ['scheduled', at(1)],
    ['draft', null],
    ['archived', at(-1)],
  ] as const) {
    const postId = await addPost(db, { authorId, status, publishedAt });
    await addThread(db, postId, threadDrafts(random(postId), { comments: 40, topLevel: 5, maxDepth: 4, moderation: true }, new Date('2024-01-01'), []));
  }
  await db.execute(sql`update comments set deleted = true where id % 7 = 0`);
});
afterAll(() => h.close());

const rows = <T>(query: SQL) => queryRows<T>(h.database.db, query);

describe('rules written in TypeScript and SQL agree', () => {
  it('a public post', async () => {
    const posts = await rows<{ status: 'draft'; published_at: string | null; sql: boolean }>(
      sql`select p.status, p.published_at, ${publicPostSql()} as sql from posts p`,
    );
    expect(new Set(posts.map((p) => p.sql))).toEqual(new Set([true, false]));
    for (const p of posts) {
      expect(isPublicPost({ status: p.status, publishedAt: p.published_at === null ? null : new Date(p.published_at) }), JSON.stringify(p)).toBe(p.sql);
    }
  });

  it('a public comment, and one a request may read', async () => {
    const anonymous = accessOf(null);
    const editor = accessOf({ tokenId: 1, role: 'editor', author: (await addWriter(h.database.db, 'editor')) as never });
    const comments = await rows<{ id: number; status: 'approved'; deleted: boolean; public: boolean; anonymous: boolean; editor: boolean }>(
      sql`select c.id, c.status, c.deleted, ${publicCommentSql(sql.raw('c'))} as public,
                 ${readableCommentSql(sql.raw('c'), anonymous)} as anonymous, ${readableCommentSql(sql.raw('c'), editor)} as editor
          from comments c`,
    );
    expect(new Set(comments.map((c) => `${c.status} ${c.deleted}`)).size).toBeGreaterThanOrEqual(5);
    for (const c of comments) {
      expect(isPublicComment(c)).toBe(c.public);
      expect(canReadComment(c, anonymous, new Set())).toBe(c.anonymous);
      expect(canReadComment(c, editor, new Set())).toBe(c.editor);
    }
  });

  it('global IDs, cursors and DateTime', async () => {
    const keys = [1, 9, 10, 99, 123_456, 2 ** 31 - 1];
    for (const type of ['Post', 'Comment', 'Author', 'Tag'] as const) {
      const encoded = await rows<{ key: number; id: string; cursor: string }>(
        sql`select k as key, ${globalIdSql(type, sql`k`)} as id, ${cursorSql(type, sql`k`)} as cursor
            from unnest(${sql.param(keys)}::int[]) k`,
      );
      for (const e of encoded) {
        expect(e.id).toBe(encodeGlobalId(type, e.key));
        expect(e.cursor).toBe(encodeCursor(type, e.key));
      }
    }
    const times = ['2024-02-29T23:59:59.999Z', '1999-12-31T00:00:00.000Z', '2024-06-01T12:00:00.5Z', '2030-01-01T00:00:00.001Z'];
    const formatted = await rows<{ t: string; f: string }>(
      sql`select t, ${dateTimeSql(sql`t::timestamptz`)} as f from unnest(${sql.param(times)}::text[]) t`,
    );
    for (const { t, f } of formatted) expect(f).toBe(new Date(t).toISOString());
  });
});
