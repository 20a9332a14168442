import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticWxr } from '../bench/wxr.js';
import { queryRows } from '../src/db/client.js';
import { CommentRenderer } from '../src/domain/import/comment-renderer.js';
import { MAX_XML_DEPTH, XmlSyntaxError, XmlTooDeepError } from '../src/domain/import/xml-stream.js';
import { renderCommentBody } from '../src/domain/markdown.js';
import { cleanWordPressHtml, importWordPress } from '../src/domain/import/wordpress.js';
import { exportWordPress } from '../src/domain/import/wordpress-export.js';
import { deepWxr, firstTooDeep } from './deep-xml.js';
import { addWriter, counterDrift, countRows, snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* `npm run import:wordpress`, in process (both databases): what maps to what, threads, statuses, idempotence, bad input. */
const fixture = (name: string) => `test/fixtures/wordpress/${name}`;
let h: Harness;
let editor: { token: string };
beforeAll(async () => {
  h = await createHarness({ COMMENT_FLOOD_SECONDS: '60' });
  editor = await addWriter(h.database.db, 'editor');
});
afterAll(() => h.close());

const THREAD = `query ($slug: String!) { post(slug: $slug) { title commentCount thread(first: 100) { totalCount edges { depth node {
  bodyHtml isPlaceholder replyCount descendantCount createdAt parent { id } author { name url author { slug } } } } } } }`;
const thread = async (slug: string, token?: string) => {
  const result = await h.gql(THREAD, { slug }, { token });
  expect(result.errors).toBeUndefined();
  return result.data.post;
};

describe('a WordPress export', () => {
  let first: Awaited<ReturnType<typeof importWordPress>>;
  beforeAll(async () => {
    first = await importWordPress(h.database.db, fixture('site.xml'));
  });

  it('reports what it imported and skipped, with reasons', () => {
    const report = first.toJSON();
    expect(report.authors).toMatchObject({ imported: 3, updated: 0, unchanged: 0 });
    expect(report.posts).toMatchObject({
      imported: 6,
      skipped: { 'page (only posts are imported)': 1, 'attachment (only posts are imported)': 1, 'nav_menu_item (only posts are imported)': 1, 'status "trash"': 1 },
    });
    expect(report.comments).toMatchObject({
      imported: 20,
      skipped: {
        'pingback (pingbacks and trackbacks are not conversation)': 1,
        'trackback (pingbacks and trackbacks are not conversation)': 1,
        'on a skipped post or page': 2,
      },
    });
    expect(report.notes).toEqual({
      'post creator not among the authors: made an author': 1,
      'reply whose parent is missing: made top-level': 1,
      'shortcode [gallery] left as text': 1,
    });
  });

  it('maps authors: slug from the login, display name, email kept private', async () => {
    const rows = await queryRows<{ slug: string; name: string; email: string | null }>(
      h.database.db,
      sql`select slug, name, email from authors where source_key is not null order by id`,
    );
    expect(rows).toEqual([
      { slug: 'ada', name: 'Ada Lovelace', email: 'ada@old.example' },
      { slug: 'grace', name: 'Grace & Co', email: 'grace@old.example' },
      { slug: 'ghost', name: 'ghost', email: null },
    ]);
  });

  it('maps posts: titles as text, slugs (empty, percent-encoded, unique), statuses, dates, comments open, tags', async () => {
    const { data } = await h.gql(
      `{ posts(first: 20, status: [DRAFT, SCHEDULED, PUBLISHED], order: OLDEST_FIRST) { edges { node {
        slug title status publishedAt createdAt commentsOpen excerpt bodyFormat author { slug } tags { slug name } } } } }`,
      {},
      { token: editor.token },
    );
    const posts = Object.fromEntries(data.posts.edges.map(({ node }: any) => [node.slug, node]));
    expect(Object.keys(posts).sort()).toEqual(['a-draft', 'cafe-creme', 'hello-world', 'hello-world-2', 'pending-review', 'private-thoughts']);
    expect(posts['hello-world']).toMatchObject({
      title: 'Hello & World',
      status: 'PUBLISHED',
      publishedAt: '2024-01-01T12:00:00.000Z',
      commentsOpen: true,
      excerpt: 'The short version',
      bodyFormat: 'HTML',
      author: { slug: 'ada' },
      tags: [{ slug: 'deep-threads', name: 'Deep threads' }, { slug: 'news', name: 'News' }],
    });
    expect(posts['cafe-creme']).toMatchObject({ status: 'SCHEDULED', publishedAt: '2030-05-01T08:00:00.000Z', commentsOpen: false, author: { slug: 'grace' } });
    // A draft's GMT date is zero: its local date stands in.
    expect(posts['a-draft']).toMatchObject({ status: 'DRAFT', publishedAt: null, createdAt: '2024-02-01T09:30:00.000Z' });
    expect(posts['pending-review'].status).toBe('DRAFT');
    expect(posts['private-thoughts'].status).toBe('DRAFT');
    expect(posts['hello-world-2']).toMatchObject({ title: 'Hello World', author: { slug: 'ghost' } });
  });

  it('keeps bodies as sanitized HTML: block comments removed, captions as figures, other shortcodes as text', async () => {
    const { data } = await h.gql(`{ post(slug: "hello-world") { bodyHtml bodyMarkdown } }`);
    const html: string = data.post.bodyHtml;
    expect(html).not.toMatch(/wp:|<script|onclick|alert/);
    expect(data.post.bodyMarkdown).not.toContain('wp:paragraph');
    expect(html).toContain('<figure><img src="https://old.example/cat.jpg" alt="A cat" width="300" height="200" /><figcaption>The cat</figcaption></figure>');
    expect(html).toContain('<p>[gallery ids="1,2,3"]</p>');
    expect(html).toContain('<p>Classic paragraph one<br />\nline two</p>');
    expect(html).toContain('<p>Intro with <strong>bold</strong>.</p>');
  });

  it('finds a post by its old link or guid', async () => {
    for (const legacyUrl of ['https://old.example/?p=10', 'https://old.example/2024/01/10/']) {
      const { data } = await h.gql(`query ($legacyUrl: String!) { post(legacyUrl: $legacyUrl) { slug } }`, { legacyUrl });
      expect(data.post).toEqual({ slug: 'hello-world' });
    }
    const { data } = await h.gql(`{ post(legacyUrl: "https://old.example/?p=12") { slug } }`);
    expect(data.post).toBeNull(); // a draft
  });

  it('keeps every thread at its true depth, parents after children, a missing parent made top-level', async () => {
    const post = await thread('hello-world');
    const edges = post.thread.edges;
    const ladder = edges.filter((e: any) => /Comment 1\d\d/.test(e.node.bodyHtml ?? ''));
    expect(ladder.map((e: any) => e.depth)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ladder.map((e: any) => e.node.author.name)).toEqual(Array.from({ length: 10 }, (_, i) => `Level ${i + 1}`));
    expect(ladder[0].node).toMatchObject({ replyCount: 1, descendantCount: 9 });
    const orphan = edges.find((e: any) => e.node.bodyHtml === '<p>My parent is gone</p>');
    expect(orphan).toMatchObject({ depth: 1, node: { parent: null } });
    // Public: 10 + approved reply + orphan + editor + hostile + split CDATA + paragraphs.
    expect(post.commentCount).toBe(16);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('maps statuses: a pending comment with an approved reply is a placeholder; spam and trash are hidden', async () => {
    const edges = (await thread('hello-world')).thread.edges;
    const placeholder = edges.find((e: any) => e.node.isPlaceholder);
    expect(placeholder.node).toMatchObject({ bodyHtml: null, author: null, replyCount: 1 });
    expect(edges.map((e: any) => e.node.bodyHtml)).not.toContain('<p>Buy pills</p>');
    const { data } = await h.gql(
      `{ moderationQueue(first: 10, statuses: [PENDING, SPAM, TRASH]) { edges { node { status bodyHtml } } } }`,
      {},
      { token: editor.token },
    );
    expect(data.moderationQueue.edges.map((e: any) => [e.node.status, e.node.bodyHtml]).sort()).toEqual([
      ['PENDING', '<p>Held, with an approved reply</p>'],
      ['SPAM', '<p>Buy pills</p>'],
      ['TRASH', '<p>Trashed with its post</p>'],
      ['TRASH', '<p>Trashed</p>'],
    ]);
  });

  it('maps commenters: a registered user to the imported author, guests with name and website; HTML sanitized; CDATA split', async () => {
    const edges = (await thread('hello-world')).thread.edges;
    const byBody = (body: string) => edges.find((e: any) => e.node.bodyHtml === body)?.node;
    expect(byBody('<p>From the editor</p>').author).toEqual({ name: 'Ada Lovelace', url: null, author: { slug: 'ada' } });
    expect(byBody('<p>Comment 101</p>').author).toEqual({ name: 'Level 1', url: 'https://guest.example/', author: null });
    const hostile = edges.find((e: any) => e.node.bodyHtml?.includes('Nice'))!.node.bodyHtml;
    expect(hostile).toMatch(/^<p>Nice <a rel="nofollow ugc noopener">x<\/a> <\/p>$/);
    expect(byBody('<p>Code: a[b[0]]&gt;c and &amp; stays</p>')).toBeDefined();
    expect(byBody('<p>First line<br />\nsecond line</p>\n<p>New paragraph</p>')).toBeDefined();
    expect(byBody('<p>Comment 110</p>').createdAt).toBe('2024-01-02T10:10:00.000Z');
  });

  it('never shows imported emails or IP addresses, to anyone (the schema exposes them to no one)', async () => {
    const everything = `{ post(slug: "hello-world") { author { name slug bio website } thread(first: 100) { edges { node {
      bodyHtml bodyMarkdown author { name url avatarUrl author { name slug website } } } } } } authors(first: 10) { edges { node { name slug website bio } } } }`;
    for (const token of [undefined, editor.token]) {
      const text = JSON.stringify((await h.gql(everything, {}, { token })).data);
      expect(text).toContain('Level 1');
      expect(text).not.toMatch(/@example\.com|@old\.example|203\.0\.113\.9/);
    }
  });

  it('leaves flood control alone: an imported commenter may comment at once', async () => {
    const { data } = await h.gql(`{ post(slug: "hello-world") { id } }`);
    const result = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status } } }`,
      { input: { postId: data.post.id, body: 'Back again', name: 'Guest', email: 'guest@example.com' } },
      { ip: '203.0.113.9' },
    );
    expect(result.data.addComment).toEqual({ __typename: 'AddCommentPayload', status: 'APPROVED' });
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await snapshot(h.database.db);
    const again = (await importWordPress(h.database.db, fixture('site.xml'))).toJSON();
    expect(again.authors).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
    expect(again.posts).toMatchObject({ imported: 0, updated: 0, unchanged: 6 });
    expect(again.comments).toMatchObject({ imported: 0, updated: 0, unchanged: 20 });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('updates what changed and adds what is new from a newer export, keeping comments written here', async () => {
    const [posts, comments] = [await countRows(h.database.db, 'posts'), await countRows(h.database.db, 'comments')];
    const report = (await importWordPress(h.database.db, fixture('site-newer.xml'))).toJSON();
    expect(report.posts).toMatchObject({ imported: 1, updated: 1, unchanged: 5 });
    expect(report.comments).toMatchObject({ imported: 2, updated: 1, unchanged: 19 });
    expect(await countRows(h.database.db, 'posts')).toBe(posts + 1);
    expect(await countRows(h.database.db, 'comments')).toBe(comments + 2);
    const post = await thread('hello-world');
    expect(post.title).toBe('Hello & World, revised');
    expect(post.thread.edges.some((e: any) => e.node.bodyHtml === '<p>Back again</p>\n')).toBe(true);
    const eleven = post.thread.edges.find((e: any) => e.node.bodyHtml === '<p>A reply at level 11</p>');
    expect(eleven.depth).toBe(11);
    expect(post.thread.edges.find((e: any) => e.node.bodyHtml === '<p>Held, with an approved reply</p>').node.isPlaceholder).toBe(false);
    expect(post.commentCount).toBe(16 + 1 + 1 + 1);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('reads https namespace URIs under any prefix (WXR 1.1), and declared encodings', async () => {
    const report = (await importWordPress(h.database.db, fixture('https-1.1.xml'))).toJSON();
    expect(report.comments).toMatchObject({ imported: 2 });
    expect((await thread('over-https')).thread.edges.map((e: any) => e.depth)).toEqual([1, 2]);
    await importWordPress(h.database.db, fixture('latin1.xml'));
    const { data } = await h.gql(`{ post(slug: "deja-vu") { title bodyHtml } }`);
    expect(data.post).toEqual({ title: 'Déjà vu', bodyHtml: '<p>Ça va très bien</p>' });
  });

  it('stops at a malformed file with its line and column, leaving the database as it was', async () => {
    const before = await snapshot(h.database.db);
    const error = await importWordPress(h.database.db, fixture('malformed.xml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XmlSyntaxError);
    expect((error as Error).message).toBe('test/fixtures/wordpress/malformed.xml:90:47: unexpected close tag.');
    expect(await snapshot(h.database.db)).toEqual(before);
  });

});

describe('a document nested too deep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palaver-deep-'));
  const file = join(dir, 'deep.xml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused as the limit is crossed, at file:line:column, leaving the database as it was', async () => {
    deepWxr.write(file, 100_000);
    const size = statSync(file).size;
    const before = await snapshot(h.database.db);
    const read: number[] = [];
    const error = await importWordPress(h.database.db, file, { progress: (bytes) => read.push(bytes) }).catch((e: unknown) => e);
    const { depth, position } = firstTooDeep(deepWxr, MAX_XML_DEPTH);
    expect(error).toBeInstanceOf(XmlTooDeepError);
    expect((error as Error).message).toBe(
      `${file}:${position}: <x> is nested ${depth} elements deep, past the limit of ${MAX_XML_DEPTH} (an export nests a handful).`,
    );
    // Refused where the limit is crossed, near the start: the rest of the file was never read.
    expect(read.every((bytes) => bytes < size)).toBe(true);
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('reads nesting up to the limit', async () => {
    deepWxr.write(file, MAX_XML_DEPTH - deepWxr.depthBefore);
    const report = (await importWordPress(h.database.db, file, { dryRun: true })).toJSON();
    expect(report.posts).toMatchObject({ imported: 2 });
  });
});

describe('password-protected posts (a non-empty wp:post_password)', () => {
  const LOCKED = 'template-password-protected';
  const LINK = 'https://locked.example/2012/01/04/template-password-protected/';
  const LISTED = 'password-protected post imported as a draft, not public (Palaver has no protected posts yet)';
  const named = [`Template: Password Protected (the password is “enter”) (${LINK})`, 'Locked and scheduled (https://locked.example/?p=1169)'];
  let report: Awaited<ReturnType<typeof importWordPress>>;
  beforeAll(async () => {
    report = await importWordPress(h.database.db, fixture('protected.xml'));
  });

  /** What a reader can reach of the locked posts (ids found with an editor's token), their comment and tags. */
  const reachable = async (harness: Harness, editorToken: string) => {
    const ids = await harness.gql(
      `{ post(slug: "${LOCKED}") { id thread(first: 10) { edges { node { id } } } } other: post(slug: "locked-and-scheduled") { id } }`,
      {},
      { token: editorToken },
    );
    const [post, other, comment] = [ids.data.post.id, ids.data.other.id, ids.data.post.thread.edges[0].node.id];
    const result = await harness.gql(
      `query ($post: ID!, $other: ID!, $comment: ID!, $link: String!) {
        bySlug: post(slug: "${LOCKED}") { id } scheduled: post(slug: "locked-and-scheduled") { id } byLink: post(legacyUrl: $link) { id }
        byId: post(id: $post) { id } node(id: $post) { id } nodes(ids: [$post, $other, $comment]) { id } comment(id: $comment) { id }
        search: posts(first: 10, search: "xyzzy") { edges { node { slug } } }
        all: posts(first: 100) { edges { node { slug } } }
        doors: posts(first: 10, tag: "doors") { edges { node { slug } } }
        locks: posts(first: 10, tag: "locks") { edges { node { slug } } }
        tags(first: 100) { edges { node { slug postCount } } }
        author(slug: "keeper") { postCount posts(first: 10) { edges { node { slug } } } }
      }`,
      { post, other, comment, link: LINK },
    );
    expect(result.errors).toBeUndefined();
    return result.data;
  };

  it('imports each as a DRAFT whatever its status (publish, future), and names each in the report', async () => {
    const json = report.toJSON();
    expect(json.posts).toMatchObject({ imported: 3 });
    expect(json.lists).toEqual({ [LISTED]: named });
    expect(report.toString()).toContain(`\n  2 × ${LISTED}:\n            ${named[0]}\n            ${named[1]}`);
    const { data } = await h.gql(
      `{ locked: post(slug: "${LOCKED}") { status publishedAt bodyHtml } scheduled: post(slug: "locked-and-scheduled") { status publishedAt } open: post(slug: "open-door") { status } }`,
      {},
      { token: editor.token },
    );
    expect(data.locked).toMatchObject({ status: 'DRAFT', publishedAt: null });
    expect(data.locked.bodyHtml).toContain('Xyzzy');
    expect(data.scheduled).toEqual({ status: 'DRAFT', publishedAt: null });
    expect(data.open).toEqual({ status: 'PUBLISHED' });
  });

  it('shows readers neither them nor their bodies, comments or tags: by slug, link, id, node, search, lists, tag counts', async () => {
    const data = await reachable(h, editor.token);
    expect(data).toMatchObject({
      bySlug: null, scheduled: null, byLink: null, byId: null, node: null, nodes: [null, null, null], comment: null,
      search: { edges: [] }, doors: { edges: [{ node: { slug: 'open-door' } }] }, locks: { edges: [] },
      author: { postCount: 0, posts: { edges: [] } },
    });
    const slugs = data.all.edges.map((e: any) => e.node.slug);
    expect(slugs).toContain('open-door');
    expect(slugs).not.toContain(LOCKED);
    const tags = Object.fromEntries(data.tags.edges.map((e: any) => [e.node.slug, e.node.postCount]));
    expect(tags.doors).toBe(1);
    expect(tags).not.toHaveProperty('locks');
    expect(JSON.stringify(data)).not.toMatch(/xyzzy/i);
  });

  it('stays a draft, and named, when imported again; one imported as published before becomes a draft', async () => {
    const before = await snapshot(h.database.db);
    const again = (await importWordPress(h.database.db, fixture('protected.xml'))).toJSON();
    expect(again.posts).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
    expect(again.lists).toEqual({ [LISTED]: named });
    expect(await snapshot(h.database.db)).toEqual(before);
    // As an import before this rule left it: published, with its date.
    await h.database.db.execute(sql`update posts set status = 'published', published_at = '2012-01-04T10:00:00Z' where slug = ${LOCKED}`);
    const fixed = (await importWordPress(h.database.db, fixture('protected.xml'))).toJSON();
    expect(fixed.posts).toMatchObject({ updated: 1, unchanged: 2 });
    const { data } = await h.gql(`{ post(slug: "${LOCKED}") { status publishedAt } }`, {}, { token: editor.token });
    expect(data.post).toEqual({ status: 'DRAFT', publishedAt: null });
    expect((await h.gql(`{ post(slug: "${LOCKED}") { id } }`)).data.post).toBeNull();
  });

  it('is exported as a draft, and imported from that export as a draft: never public through a round trip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-locked-'));
    const fresh = await createHarness();
    try {
      const file = join(dir, 'export.xml');
      await exportWordPress(h.database.db, file, { siteUrl: 'https://new.example' });
      const item = readFileSync(file, 'utf8').split('<item>').find((text) => text.includes('Template: Password Protected'))!;
      expect(item).toContain('<wp:status><![CDATA[draft]]></wp:status>');
      await importWordPress(fresh.database.db, file);
      const data = await reachable(fresh, (await addWriter(fresh.database.db, 'editor')).token);
      expect(data).toMatchObject({ bySlug: null, scheduled: null, node: null, nodes: [null, null, null], comment: null, search: { edges: [] } });
      expect(JSON.stringify(data)).not.toMatch(/xyzzy/i);
    } finally {
      await fresh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the same post twice in one file', () => {
  const comment = (id: number, approved: string) =>
    `<wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>Reader</wp:comment_author><wp:comment_date_gmt>2024-01-0${id} 10:00:00</wp:comment_date_gmt><wp:comment_content>Comment ${id}</wp:comment_content><wp:comment_approved>${approved}</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>`;
  const item = (approved: string) =>
    `<item><title>Twice</title><link>https://twice.example/twice/</link><dc:creator>ann</dc:creator><content:encoded>Body</content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-01-01 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status><wp:post_name>twice</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>${comment(1, approved)}${comment(2, approved)}</item>`;
  const wxr = (...items: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Twice</title><link>https://twice.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://twice.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>ann</wp:author_login><wp:author_display_name>Ann</wp:author_display_name></wp:author>
${items.join('\n')}
</channel></rss>`;

  it('reads the second as an update of the first: its statuses win, and the count follows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-twice-'));
    try {
      const file = join(dir, 'twice.xml');
      // Both comments approved, then the same post again with both marked spam.
      writeFileSync(file, wxr(item('1'), item('spam')));
      const report = (await importWordPress(h.database.db, file)).toJSON();
      expect(report.posts.imported).toBe(1);
      expect(report.comments).toMatchObject({ imported: 2, updated: 2 });
      const { data } = await h.gql(`{ post(slug: "twice") { commentCount thread(first: 10) { totalCount } } }`);
      expect(data.post).toEqual({ commentCount: 0, thread: { totalCount: 0 } });
      expect(await counterDrift(h.database.db)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a large export (several read chunks, several write batches)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palaver-wxr-'));
  const file = join(dir, 'large.xml');
  beforeAll(() => writeSyntheticWxr(file, { posts: 70, comments: 100, seed: 3 }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops at a malformed record far into the file, with posts already written, and leaves the database as it was', async () => {
    const text = readFileSync(file, 'utf8');
    const cut = text.indexOf('</item>', text.length / 2) + '</item>'.length;
    const broken = join(dir, 'broken.xml');
    writeFileSync(broken, `${text.slice(0, cut)}\n<item><title>oops</item>`);
    const before = await snapshot(h.database.db);
    const error = await importWordPress(h.database.db, broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XmlSyntaxError);
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('imports every comment with exact counters, then imports again changing nothing', async () => {
    const [posts, comments] = [await countRows(h.database.db, 'posts'), await countRows(h.database.db, 'comments')];
    const report = (await importWordPress(h.database.db, file)).toJSON();
    expect(report.posts).toMatchObject({ imported: 70 });
    expect(report.comments).toMatchObject({ imported: 7000 });
    expect(await countRows(h.database.db, 'posts')).toBe(posts + 70);
    expect(await countRows(h.database.db, 'comments')).toBe(comments + 7000);
    expect(await counterDrift(h.database.db)).toEqual([]);
    const before = await snapshot(h.database.db);
    expect((await importWordPress(h.database.db, file)).toJSON().comments).toMatchObject({ imported: 0, unchanged: 7000 });
    expect(await snapshot(h.database.db)).toEqual(before);
  });
});

describe('a dry run', () => {
  it('writes nothing, and reports what it would do', async () => {
    const fresh = await createHarness();
    try {
      const report = (await importWordPress(fresh.database.db, fixture('site.xml'), { dryRun: true })).toJSON();
      expect(report).toMatchObject({ dryRun: true, posts: { imported: 6 }, comments: { imported: 20 } });
      for (const table of ['authors', 'posts', 'comments', 'tags'] as const) expect(await countRows(fresh.database.db, table)).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});

describe('cleanWordPressHtml', () => {
  it('counts real shortcodes only', () => {
    const names: string[] = [];
    cleanWordPressHtml('[embed]https://x[/embed] [sic] [1] [contact-form id="3"] [audio /]', (name) => names.push(name));
    expect(names).toEqual(['embed', 'contact-form', 'audio']);
  });
});

describe('CommentRenderer', () => {
  it('renders on its thread exactly what renderCommentBody renders, in order', async () => {
    const renderer = new CommentRenderer();
    try {
      const sources = ['Hi <script>alert(1)</script><b onclick="x()">there</b>\n\nSecond', '<a href="javascript:alert(1)">x</a> <a href="https://e.org">e</a>', ''];
      const html = await renderer.render(sources);
      expect(renderer.threaded).toBe(true);
      expect(html).toEqual(sources.map((source) => renderCommentBody('html', source)));
      expect(html[0]).not.toContain('script');
    } finally {
      await renderer.close();
    }
  });

  it('renders on the calling thread once its thread is gone', async () => {
    const renderer = new CommentRenderer();
    await renderer.close();
    expect(renderer.threaded).toBe(false);
    expect(await renderer.render(['<i>x</i>'])).toEqual([renderCommentBody('html', '<i>x</i>')]);
  });
});
