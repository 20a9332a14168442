import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { cdata } from '../src/domain/import/wordpress-export.js';
import { random } from '../seeds/generate.js';

/*
 * A synthetic WordPress export for the import benchmark: `posts` posts with `comments` comments
 * each (deterministic for a seed), threads up to 10 deep with each reply's parent among the 20
 * comments before it, and a reply sometimes written before its parent in the file, as WordPress
 * exports list comments by id. Streamed to disk, like the import reads it.
 */
export async function writeSyntheticWxr(file: string, { posts = 1000, comments = 100, seed = 7 } = {}) {
  const next = random(seed);
  const rng = () => next.next();
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const date = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  await write(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Bench</title><link>https://bench.example</link>
  <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example</wp:base_site_url><wp:base_blog_url>https://bench.example</wp:base_blog_url>
`);
  for (let a = 1; a <= 20; a++) {
    await write(`  <wp:author><wp:author_id>${a}</wp:author_id><wp:author_login>${cdata(`writer${a}`)}</wp:author_login><wp:author_email>${cdata(`writer${a}@bench.example`)}</wp:author_email><wp:author_display_name>${cdata(`Writer ${a}`)}</wp:author_display_name></wp:author>\n`);
  }
  let commentId = 0;
  for (let p = 1; p <= posts; p++) {
    const start = Date.UTC(2020, 0, 1) + p * 3_600_000;
    const depth: number[] = [];
    const items: string[] = [];
    for (let i = 0; i < comments; i++) {
      const id = ++commentId;
      const parentIndex = i > 0 && rng() < 0.7 ? i - 1 - Math.floor(rng() * Math.min(i, 20)) : -1;
      const level = parentIndex >= 0 && depth[parentIndex]! < 10 ? depth[parentIndex]! + 1 : 1;
      depth.push(level);
      const parent = level > 1 ? id - (i - parentIndex) : 0;
      const status = rng() < 0.9 ? '1' : rng() < 0.5 ? '0' : 'spam';
      items.push(`    <wp:comment><wp:comment_id>${id}</wp:comment_id><wp:comment_author>${cdata(`Reader ${id % 997}`)}</wp:comment_author><wp:comment_author_email>${cdata(`reader${id % 997}@example.org`)}</wp:comment_author_email><wp:comment_author_url>https://reader${id % 997}.example.org/</wp:comment_author_url><wp:comment_author_IP>${cdata(`198.51.100.${id % 250}`)}</wp:comment_author_IP><wp:comment_date>${cdata(date(start + i * 60_000))}</wp:comment_date><wp:comment_date_gmt>${cdata(date(start + i * 60_000))}</wp:comment_date_gmt><wp:comment_content>${cdata(`Comment ${id}: I ${rng() < 0.5 ? 'agree' : 'disagree'} with <em>that</em>, and here is why.\n\nA second paragraph with a <a href="https://example.org/${id}">link</a>.`)}</wp:comment_content><wp:comment_approved>${cdata(status)}</wp:comment_approved><wp:comment_type>${cdata('comment')}</wp:comment_type><wp:comment_parent>${parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n`);
    }
    // Now and then a reply is listed before its parent.
    if (items.length > 2 && rng() < 0.3) items.reverse();
    await write(`  <item><title>${cdata(`Post ${p}`)}</title><link>https://bench.example/post-${p}/</link><dc:creator>${cdata(`writer${1 + (p % 20)}`)}</dc:creator><guid isPermaLink="false">https://bench.example/?p=${p}</guid><content:encoded>${cdata(`<!-- wp:paragraph --><p>Body of post ${p}.</p><!-- /wp:paragraph -->`)}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded><wp:post_id>${p}</wp:post_id><wp:post_date>${cdata(date(start))}</wp:post_date><wp:post_date_gmt>${cdata(date(start))}</wp:post_date_gmt><wp:comment_status>${cdata('open')}</wp:comment_status><wp:post_name>${cdata(`post-${p}`)}</wp:post_name><wp:status>${cdata('publish')}</wp:status><wp:post_type>${cdata('post')}</wp:post_type><category domain="post_tag" nicename="tag-${p % 30}">${cdata(`Tag ${p % 30}`)}</category>\n${items.join('')}  </item>\n`);
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'close');
}
