import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDisqus } from '../src/domain/import/disqus.js';
import { importWordPress } from '../src/domain/import/wordpress.js';
import { MAX_XML_DEPTH, XmlTooDeepError } from '../src/domain/import/xml-stream.js';
import { deepDisqus, firstTooDeep } from './deep-xml.js';
import { addWriter, counterDrift, snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* `npm run import:disqus`: comments onto existing posts, matched by link or identifier; idempotent. */
const file = 'test/fixtures/disqus/comments.xml';
let h: Harness;
let editor: { token: string };
beforeAll(async () => {
  h = await createHarness();
  editor = await addWriter(h.database.db, 'editor');
  await importWordPress(h.database.db, 'test/fixtures/wordpress/site.xml');
});
afterAll(() => h.close());

const disqusComments = async (slug: string, token?: string) => {
  const { data, errors } = await h.gql(
    `query ($slug: String!) { post(slug: $slug) { commentCount thread(first: 100) { edges { depth node {
      bodyHtml bodyFormat isPlaceholder replyCount author { name url author { slug } } } } } } }`,
    { slug },
    { token },
  );
  expect(errors).toBeUndefined();
  return data.post;
};

describe('a Disqus export', () => {
  it('writes nothing in a dry run, and reports what it would do', async () => {
    const before = await snapshot(h.database.db);
    const report = await importDisqus(h.database.db, file, { match: 'link', dryRun: true });
    expect(report.toJSON()).toMatchObject({ dryRun: true, comments: { imported: 8 } });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('matched by link: threads to posts by their old address (any scheme, trailing slash or not); unmatched reported', async () => {
    const report = (await importDisqus(h.database.db, file, { match: 'link' })).toJSON();
    expect(report.comments).toMatchObject({ imported: 8, updated: 0, unchanged: 0, skipped: { 'its thread matches no post': 3 } });
    expect(report.notes).toEqual({
      'thread not matched to a post (link): https://elsewhere.example/not-here/': 1,
      'thread not matched to a post (link): https://old.example/gone/': 1,
    });
  });

  it('keeps true depth (children before parents), deleted ones as placeholders only under replies, spam as spam, HTML sanitized, guests', async () => {
    const post = await disqusComments('hello-world');
    const disqus = post.thread.edges.filter((e: any) => e.node.isPlaceholder || /Top|level|deleted|Hi/.test(e.node.bodyHtml ?? ''));
    expect(disqus.map((e: any) => [e.depth, e.node.isPlaceholder ? 'placeholder' : e.node.bodyHtml])).toEqual([
      [1, 'placeholder'], // the WordPress comment held for moderation, with its reply
      [1, '<p>Top</p>'],
      [2, '<p>Second level</p>'],
      [3, '<p>Third level</p>'],
      [1, 'placeholder'],
      [2, '<p>Reply to a deleted one</p>'],
      [1, '<p>Hi</p>'],
    ]);
    const top = post.thread.edges.find((e: any) => e.node.bodyHtml === '<p>Top</p>').node;
    expect(top).toMatchObject({ bodyFormat: 'HTML', author: { name: 'Reader', url: null, author: null } });
    const all = JSON.stringify(post);
    expect(all).not.toMatch(/Deleted, alone|Cheap watches|reader@example\.org|198\.51\.100\.7/);
    const { data } = await h.gql(`{ moderationQueue(first: 10, statuses: [SPAM]) { edges { node { bodyHtml } } } }`, {}, { token: editor.token });
    expect(data.moderationQueue.edges.map((e: any) => e.node.bodyHtml)).toContain('<p>Cheap watches</p>');
    expect(JSON.stringify(await disqusComments('hello-world', editor.token))).not.toMatch(/reader@example\.org|198\.51\.100\.7/);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('changes nothing when imported again', async () => {
    const before = await snapshot(h.database.db);
    const report = (await importDisqus(h.database.db, file, { match: 'link' })).toJSON();
    expect(report.comments).toMatchObject({ imported: 0, updated: 0, unchanged: 8 });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('matched by identifier: a slug, or the WordPress plugin form "ID guid"; a missing parent made top-level', async () => {
    const report = (await importDisqus(h.database.db, file, { match: 'identifier' })).toJSON();
    expect(report.comments).toMatchObject({ imported: 2, unchanged: 8, skipped: { 'its thread matches no post': 1 } });
    expect(report.notes).toMatchObject({ 'reply whose parent is missing: made top-level': 1, 'thread not matched to a post (identifier): nothing': 1 });
    const post = await disqusComments('hello-world-2');
    expect(post.thread.edges.map((e: any) => [e.depth, e.node.bodyHtml])).toEqual([
      [1, '<p>On the other post</p>'],
      [1, '<p>Lost parent</p>'],
    ]);
    expect(post.commentCount).toBe(2);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

});

describe('a Disqus document nested too deep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palaver-deep-'));
  const deep = join(dir, 'deep.xml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused as the limit is crossed, at file:line:column, leaving the database as it was', async () => {
    deepDisqus.write(deep, 100_000);
    const size = statSync(deep).size;
    const before = await snapshot(h.database.db);
    const read: number[] = [];
    const error = await importDisqus(h.database.db, deep, { progress: (bytes) => read.push(bytes) }).catch((e: unknown) => e);
    const { depth, position } = firstTooDeep(deepDisqus, MAX_XML_DEPTH);
    expect(error).toBeInstanceOf(XmlTooDeepError);
    expect((error as Error).message).toBe(
      `${deep}:${position}: <x> is nested ${depth} elements deep, past the limit of ${MAX_XML_DEPTH} (an export nests a handful).`,
    );
    // Refused where the limit is crossed, near the start: the rest of the file was never read.
    expect(read.every((bytes) => bytes < size)).toBe(true);
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('reads nesting up to the limit', async () => {
    deepDisqus.write(deep, MAX_XML_DEPTH - deepDisqus.depthBefore);
    const report = (await importDisqus(h.database.db, deep, { dryRun: true })).toJSON();
    expect(report.comments).toMatchObject({ imported: 2 });
  });
});
