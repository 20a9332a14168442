import { writeFileSync } from 'node:fs';

/*
 * Exports with one element nested `elements` deep, as a hostile client sent them (issue 20:
 * 100,000 nested `<x>`, 740 KB), written by the tests rather than committed. The nesting starts
 * at the first column of line 6, three characters an element, after a complete record that would
 * import; `depthBefore` is the depth of the element holding it.
 */

const nested = (elements: number) => `${'<x>'.repeat(elements)}\n${'</x>'.repeat(elements)}`;

/** A WXR file: a published post, then an item holding the nesting (under rss/channel/item). */
export const deepWxr = {
  depthBefore: 3,
  line: 6,
  write(file: string, elements: number) {
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Deep</title><link>https://deep.example</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://deep.example</wp:base_blog_url>
<item><title>Before the deep one</title><dc:creator>ann</dc:creator><content:encoded>Body</content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2024-01-01 09:00:00</wp:post_date_gmt><wp:post_name>before-the-deep-one</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>
<item><title>The deep one</title><wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
${nested(elements)}
</item></channel></rss>
`,
    );
  },
};

/** A Disqus file: a thread on hello-world (site.xml's first post) and a comment, then a post holding the nesting (under disqus/post). */
export const deepDisqus = {
  depthBefore: 2,
  line: 6,
  write(file: string, elements: number) {
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="deep"><id>deep</id><link>https://old.example/2024/01/10/</link></thread>
<post dsq:id="deep-1"><thread dsq:id="deep"/><message>Before the deep one</message><createdAt>2024-03-01T00:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Deep</name></author></post>
<post dsq:id="deep-2"><thread dsq:id="deep"/>
${nested(elements)}
</post></disqus>
`,
    );
  },
};

/** Where the first element past `limit` ends (saxes reports the end of a start tag): line and column. */
export const firstTooDeep = (doc: { depthBefore: number; line: number }, limit: number) => {
  const index = limit + 1 - doc.depthBefore; // which `<x>` of the line, from 1
  return { depth: limit + 1, position: `${doc.line}:${index * 3}` };
};
