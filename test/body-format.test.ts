import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPosts } from '../src/db/queries/import.js';
import { htmlToText, renderCommentBody, renderPostBody } from '../src/domain/markdown.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addThread, addWriter, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* `bodyFormat`: Markdown bodies (the API's) and HTML bodies (imported), both rendered to sanitized `bodyHtml`. */
let h: Harness;
let editor: { id: number; token: string };
beforeAll(async () => {
  h = await createHarness();
  editor = await addWriter(h.database.db, 'editor');
});
afterAll(() => h.close());

const hostile = '<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:x()">link</a></p><img src="https://x.example/a.png" onerror="steal()"><table><tr><td>cell</td></tr></table>';

async function htmlPost(source: string) {
  const [row] = await insertPosts(h.database.db, [
    {
      slug: `html-${Math.random().toString(36).slice(2)}`,
      title: 'Imported',
      status: 'published',
      publishedAt: new Date('2024-01-01T00:00:00Z'),
      authorId: editor.id,
      bodyFormat: 'html',
      bodyMarkdown: source,
      bodyHtml: renderPostBody('html', source),
    },
  ]);
  return row!.id;
}

describe('rendering HTML bodies', () => {
  it('sanitizes with the post and comment allow-lists', () => {
    const post = renderPostBody('html', hostile);
    expect(post).not.toMatch(/script|onclick|onerror|javascript/);
    expect(post).toContain('<img src="https://x.example/a.png" />');
    expect(post).toContain('<td>cell</td>');
    const comment = renderCommentBody('html', hostile);
    expect(comment).not.toMatch(/script|onclick|onerror|javascript|<img|<table/);
    expect(comment).toContain('<p>Hi ');
  });

  it('makes paragraphs of blank lines, as WordPress displays them, but not inside <pre>', () => {
    expect(renderCommentBody('html', 'One\nline\n\nTwo')).toBe('<p>One<br />\nline</p>\n<p>Two</p>');
    expect(renderPostBody('html', '<h2>T</h2>\n\ntext\n\n<pre>a\n\nb</pre>')).toBe('<h2>T</h2>\n<p>text</p>\n<pre>a\n\nb</pre>');
  });
});

describe('bodyFormat in the API', () => {
  it('is exposed on posts and comments, alike through the engine and the resolvers', async () => {
    const postId = await htmlPost('<p>Hello</p>');
    await addThread(h.database.db, postId, [draft(null, 1)]);
    const query = `query ($id: ID!) { node(id: $id) { ... on Post { bodyFormat bodyMarkdown bodyHtml comments(first: 1) { edges { node { bodyFormat } } } } } }`;
    const variables = { id: encodeGlobalId('Post', postId) };
    const expected = { bodyFormat: 'HTML', bodyMarkdown: '<p>Hello</p>', bodyHtml: '<p>Hello</p>', comments: { edges: [{ node: { bodyFormat: "MARKDOWN" } }] } };
    const answer = await h.gql(query, variables);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.node).toEqual(expected);
    expect((await h.gql(query, variables, { reference: true })).data.node).toEqual(expected);
  });

  it('updatePost takes the body in the post format: `body` for HTML, sanitized; `bodyMarkdown` is refused there', async () => {
    const id = encodeGlobalId('Post', await htmlPost('<p>Old</p>'));
    const update = async (fields: Record<string, unknown>, version = 1) =>
      (
        await h.gql(
          `mutation ($id: ID!, $version: Int!, $fields: PostFields!) { updatePost(id: $id, version: $version, fields: $fields) {
            __typename ... on Post { version bodyFormat bodyMarkdown bodyHtml } ... on ValidationError { field message } } }`,
          { id, version, fields },
          { token: editor.token },
        )
      ).data.updatePost;
    expect(await update({ bodyMarkdown: '# Md' })).toMatchObject({ __typename: 'ValidationError', field: 'bodyMarkdown' });
    expect(await update({ body: 'x', bodyMarkdown: 'y' })).toMatchObject({ __typename: 'ValidationError', field: 'body' });
    expect(await update({ body: '<p onclick="x()">New</p><script>bad()</script>' })).toEqual({
      __typename: 'Post',
      version: 2,
      bodyFormat: 'HTML',
      bodyMarkdown: '<p onclick="x()">New</p><script>bad()</script>',
      bodyHtml: '<p>New</p>',
    });
  });

  it('`body` on a Markdown post is Markdown', async () => {
    const created = await h.gql(`mutation { createPost(input: { title: "Md", bodyMarkdown: "a" }) { ... on Post { id } } }`, {}, { token: editor.token });
    const { data } = await h.gql(
      `mutation ($id: ID!) { updatePost(id: $id, version: 1, fields: { body: "*b*" }) { ... on Post { bodyFormat bodyHtml } } }`,
      { id: created.data.createPost.id },
      { token: editor.token },
    );
    expect(data.updatePost).toEqual({ bodyFormat: 'MARKDOWN', bodyHtml: '<p><em>b</em></p>\n' });
  });
});

describe('htmlToText (titles, names)', () => {
  it('reads text without a tag or entity as the sanitizer would (it skips the sanitizer for it)', () => {
    const viaSanitizer = (html: string) => htmlToText(`<span></span>${html}`);
    for (const text of ['  Jane "JJ" > Doe\t\n', "O'Brien", 'Zoë 山田 🎉', '>>> quote', 'x=1; y>2', '\u00a0nbsp\u2028line', 'back\\slash'])
      expect(htmlToText(text)).toBe(viaSanitizer(text));
  });

  it('strips tags and decodes entities', () => {
    expect(htmlToText('<b>Tom</b> &amp; <script>alert(1)</script>Jerry&#33;')).toBe('Tom & Jerry!');
  });
});
