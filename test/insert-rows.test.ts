import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { insertComments } from '../src/db/queries/import.js';
import { insertRows } from '../src/db/queries/rows.js';
import { comments } from '../src/db/schema.js';
import { addAuthor, addPost, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* insertRows (queries/rows.ts): rows as column arrays of text, each cast back; what goes in comes out. */
let h: Harness;
let postId: number;
beforeAll(async () => {
  h = await createHarness();
  postId = await addPost(h.database.db, { authorId: await addAuthor(h.database.db) });
});
afterAll(() => h.close());

describe('insertRows', () => {
  it('writes every kind of column exactly: text with quotes, backslashes, braces and commas, empty against null, times, booleans, enums, bigint arrays', async () => {
    const awkward = ['', 'a "quoted" word', 'back\\slash \\" both', '{braces}, commas, NULL', 'line\nbreak\ttab', 'Zoë 山田 🎉', 'null'];
    const createdAt = new Date('2024-03-04T05:06:07.089Z');
    const rows = awkward.map((text, i) => ({
      id: 900_000 + i,
      postId,
      parentId: null,
      depth: 1,
      path: [Number.MAX_SAFE_INTEGER - i, 900_000 + i],
      authorId: null,
      authorName: text || 'x',
      authorEmail: i % 2 ? null : text,
      authorUrl: null,
      bodyMarkdown: text,
      bodyHtml: `<p>${text}</p>`,
      status: i % 2 ? ('spam' as const) : ('approved' as const),
      deleted: i % 3 === 0,
      createdAt,
      updatedAt: createdAt,
    }));
    await insertComments(h.database.db, rows);
    const back = await queryRows<Record<string, unknown>>(
      h.database.db,
      sql`select id, path::text as path, author_email, body_markdown, body_html, status::text as status, deleted, created_at
          from comments where id >= 900000 order by id`,
    );
    expect(back.map((row) => ({ ...row, created_at: new Date(row.created_at as string).toISOString() }))).toEqual(
      rows.map((row) => ({
        id: row.id,
        path: `{${row.path.join(',')}}`,
        author_email: row.authorEmail,
        body_markdown: row.bodyMarkdown,
        body_html: row.bodyHtml,
        status: row.status,
        deleted: row.deleted,
        created_at: createdAt.toISOString(),
      })),
    );
  });

  it('refuses rows that set different columns (one left out would be null, not its default)', () => {
    const one = draft(null, 1);
    expect(() => insertRows(comments, [{ postId, depth: 1, path: [1], authorName: one.authorName, bodyMarkdown: 'a', bodyHtml: 'a' }, { postId, depth: 1, path: [2], authorName: 'b', bodyMarkdown: 'b', bodyHtml: 'b', status: 'approved' }])).toThrow(
      /every row must set the same columns/,
    );
    expect(() => insertRows(comments, [{ postId, depth: 1, path: [{ nested: true }] as never, authorName: 'a', bodyMarkdown: 'a', bodyHtml: 'a' }])).toThrow(/inside an array/);
  });
});
