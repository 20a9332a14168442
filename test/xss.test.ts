import { sql } from 'drizzle-orm';
import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addWriter, snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * An XSS corpus through addComment and createPost: neither the stored nor the returned HTML may
 * hold anything executable; nor may a guest's name or website, which are normalized on the way in. The HTML is parsed (as a browser would tokenize it) and every
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

  it.each([
    ['https://x.example/"><script>alert(1)</script>', 'https://x.example/%22%3E%3Cscript%3Ealert(1)%3C/script%3E'],
    ["https://x.example/?q=\"'><img src=x onerror=alert(1)>#\"<svg>", "https://x.example/?q=%22%27%3E%3Cimg%20src=x%20onerror=alert(1)%3E#%22%3Csvg%3E"],
    ['  HTTPS://Ex.EXAMPLE:443/a b  ', 'https://ex.example/a%20b'],
    ['http://bücher.example', 'http://xn--bcher-kva.example/'],
  ])('stores and returns a guest website normalized: %s', async (url, normalized) => {
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { comment { id author { url } } } } }`,
      { input: { postId, body: `My site, ${normalized.length}`, name: 'U', email: `u${normalized.length}@example.com`, url } },
      { ip: '10.9.2.1' },
    );
    const { id, author } = data.addComment.comment;
    expect(author.url).toBe(normalized);
    const [row] = await queryRows<{ author_url: string }>(h.database.db, sql`select author_url from comments where id = ${keyOf(id, 'Comment')}`);
    expect(row!.author_url).toBe(normalized);
    expect(normalized).not.toMatch(/["<>\s]/);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://x"onmouseover="alert(1).example/',
    'https://user:secret@x.example/',
    'x.example',
  ])('refuses a guest website that is not a plain http(s) URL, changing nothing: %s', async (url) => {
    const before = await snapshot(h.database.db);
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on ValidationError { field } } }`,
      { input: { postId, body: 'Bad link', name: 'U', email: 'bad-url@example.com', url } },
      { ip: '10.9.2.2' },
    );
    expect(data.addComment).toEqual({ __typename: 'ValidationError', field: 'url' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('strips control and bidi characters from guest names, on the way in', async () => {
    const names: [string, string][] = [
      ['Ada\u202Efdp.exe\u202C', 'Adafdp.exe'],
      ['\u2067Bob\u2069 \u200Fthe\u200E builder\u061C', 'Bob the builder'],
      ['Eve\u0007\u001b[31mRed\nLine\u0085', 'Eve [31mRed Line'],
      // Stripping leaves room: the limit counts what is stored.
      [`${'n'.repeat(245)}\u202E\u202E`, 'n'.repeat(245)],
    ];
    for (const [i, [name, stored]] of names.entries()) {
      const { data } = await h.gql(
        `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { comment { id author { name } } } } }`,
        { input: { postId, body: `Named ${i}`, name, email: `named${i}@example.com` } },
        { ip: `10.9.3.${i}` },
      );
      const { id, author } = data.addComment.comment;
      expect(author.name).toBe(stored);
      const [row] = await queryRows<{ author_name: string }>(h.database.db, sql`select author_name from comments where id = ${keyOf(id, 'Comment')}`);
      expect(row!.author_name).toBe(stored);
    }
    // NUL, which Postgres cannot store, is refused before anything runs (src/input-checks.ts).
    const nul = await h.gql(`mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }`, {
      input: { postId, body: 'Nul', name: 'Eve\u0000', email: 'nul@example.com' },
    });
    expect(nul.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.name' });
    // A name of nothing but such characters is no name.
    const before = await snapshot(h.database.db);
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on ValidationError { field } } }`,
      { input: { postId, body: 'Nameless', name: '\u202E\u2066\u0007 ', email: 'nameless@example.com' } },
      { ip: '10.9.3.99' },
    );
    expect(data.addComment).toEqual({ __typename: 'ValidationError', field: 'name' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('returns the stored name and website on the public thread, compiled or not', async () => {
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { comment { id } } } }`,
      { input: { postId, body: 'Public author', name: 'Mallory\u202E', email: 'mallory@example.com', url: 'https://m.example/"><b>' } },
      { ip: '10.9.4.1' },
    );
    const id = data.addComment.comment.id;
    const expected = { name: 'Mallory', url: 'https://m.example/%22%3E%3Cb%3E' };
    const thread = `query ($id: ID!) { post(id: $id) { comments(first: 100) { edges { node { id author { name url } } } } } }`;
    for (const query of [thread, thread.replace('post(id: $id)', 'post(id: $id) @include(if: true)')]) {
      const result = await h.gql(query, { id: postId });
      const node = result.data.post.comments.edges.map((e: any) => e.node).find((c: any) => c.id === id);
      expect(node.author).toEqual(expected);
    }
    expect((await h.gql(`query ($id: ID!) { comment(id: $id) { author { name url } } }`, { id })).data.comment.author).toEqual(expected);
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
