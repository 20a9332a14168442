import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Db } from '../src/db/client.js';
import { exportWordPress } from '../src/domain/import/wordpress-export.js';
import { importWordPress } from '../src/domain/import/wordpress.js';
import { addPost, addThread, counterDrift, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* `npm run export:wordpress`: WXR 1.2 that reads back as what was exported (a round trip through a fresh database). */
const dir = mkdtempSync(join(tmpdir(), 'palaver-export-'));
let source: Harness;
let copy: Harness;
beforeAll(async () => {
  [source, copy] = await Promise.all([createHarness(), createHarness()]);
});
afterAll(async () => {
  await Promise.all([source.close(), copy.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Every post and comment as a reader or moderator would compare them, comments in reading order.
 * (A Markdown body comes back as HTML: its rendering, less the trailing newline markdown-it adds.)
 */
async function everything(db: Db) {
  const posts = await queryRows<Record<string, unknown>>(
    db,
    sql`select p.id, p.slug, p.title, p.excerpt, btrim(p.body_html, E' \n') as body_html, p.status, p.published_at,
               -- WXR has one date a post: its publication's, or a draft's creation's.
               case when p.published_at is null then p.created_at end as draft_created_at,
               p.comments_open, p.comment_count, a.slug as author,
               (select string_agg(t.slug || ':' || t.name, ',' order by t.slug) from post_tags pt join tags t on t.id = pt.tag_id where pt.post_id = p.id) as tags
        from posts p join authors a on a.id = p.author_id order by p.slug`,
  );
  return Promise.all(
    posts.map(async ({ id, ...post }) => {
      const comments = await queryRows<Record<string, unknown>>(
        db,
        sql`select c.id, c.parent_id, c.depth, c.status, c.deleted, btrim(c.body_html, E' \n') as body_html, c.author_name, c.author_email,
                   c.author_url, c.ip, c.created_at, c.reply_count, c.descendant_count, c.listed, a.slug as registered
            from comments c left join authors a on a.id = c.author_id where c.post_id = ${id} order by c.path`,
      );
      // A parent by its position in reading order: ids differ between the databases.
      const position = new Map(comments.map((c, i) => [c.id, i]));
      return { ...post, comments: comments.map(({ id: _id, parent_id, ...c }) => ({ ...c, parent: parent_id === null ? null : position.get(parent_id) })) };
    }),
  );
}

describe('export:wordpress', () => {
  it('round-trips: import a fixture, export it, import the export into a fresh database, and get every post and comment back', async () => {
    await importWordPress(source.database.db, 'test/fixtures/wordpress/site.xml');
    // A post written here, in Markdown, with a thread: exported as its HTML.
    const [author] = await queryRows<{ id: number }>(source.database.db, sql`select id from authors where slug = 'ada'`);
    const markdown = await addPost(source.database.db, { authorId: author!.id, slug: 'written-here', title: 'Written <here> & now', bodyMarkdown: 'Some *body*.' });
    await addThread(source.database.db, markdown, [draft(null, 1), draft(0, 2, { status: 'pending' }), draft(1, 3), draft(null, 4, { status: 'spam' })]);

    const file = join(dir, 'export.xml');
    const counts = await exportWordPress(source.database.db, file, { siteUrl: 'https://new.example/' });
    expect(counts).toEqual({ authors: 3, posts: 7, comments: 24 });
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('xmlns:wp="http://wordpress.org/export/1.2/"');
    expect(xml).toContain('<wp:comment_author_IP>');
    expect(xml).toContain(']]]]><![CDATA[>'); // the comment with "]]>" in it, split as WordPress splits it

    const report = (await importWordPress(copy.database.db, file)).toJSON();
    expect(report).toMatchObject({ authors: { imported: 3 }, posts: { imported: 7 }, comments: { imported: 24 } });
    expect(await everything(copy.database.db)).toEqual(await everything(source.database.db));
    expect(await counterDrift(copy.database.db)).toEqual([]);
  });
});
