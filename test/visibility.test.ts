import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addTag, addThread, addWriter, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * What a draft or a held comment is must not show through the edges of the API: the tags only
 * drafts carry, and cursors naming rows a client may not see. Each is checked both ways: the public
 * learns nothing (the answer is the one for something that does not exist, byte for byte), and
 * those who may see the draft see it.
 */
let h: Harness;
const ids: Record<string, number> = {};
let editor: { id: number; token: string };
let writer: { id: number; token: string };
let otherWriter: { id: number; token: string };
const day = (d: number) => new Date(Date.UTC(2024, 0, d));
const UNKNOWN = 2_000_000;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  editor = await addWriter(db, 'editor');
  writer = await addWriter(db, 'contributor');
  otherWriter = await addWriter(db, 'contributor');
  ids.ada = await addAuthor(db, { slug: 'ada', name: 'Ada' });
  ids.go = await addTag(db, 'go');
  ids.secret = await addTag(db, 'secret-merger-with-acme');
  ids.zig = await addTag(db, 'zig');
  const post = (slug: string, fields: Parameters<typeof addPost>[1]) => addPost(db, { slug, title: slug, ...fields });
  ids.p1 = await post('p1', { authorId: ids.ada, publishedAt: day(1), tagIds: [ids.go] });
  ids.p2 = await post('p2', { authorId: ids.ada, publishedAt: day(2), tagIds: [ids.go] });
  ids.p3 = await post('p3', { authorId: ids.ada, publishedAt: day(3), tagIds: [ids.zig] });
  const unpublished = { authorId: writer.id, status: 'draft', publishedAt: null } as const;
  ids.olderDraft = await post('older-draft', { ...unpublished, createdAt: day(10) });
  ids.merger = await post('merger', { ...unpublished, createdAt: day(11), tagIds: [ids.secret, ids.go] });
  // On p1: c1, c2 (held), c3 top-level; c1's replies r1, r2 (held), r3. On the draft: d1, the oldest.
  const [c1, c2, c3, r1, r2, r3] = await addThread(db, ids.p1, [
    draft(null, 10),
    draft(null, 11, { status: 'pending' }),
    draft(null, 12),
    draft(0, 13),
    draft(0, 14, { status: 'pending' }),
    draft(0, 15),
  ]);
  Object.assign(ids, { c1, c2, c3, r1, r2, r3 });
  ids.d1 = (await addThread(db, ids.merger, [draft(null, 1)]))[0]!;
});
afterAll(() => h.close());

const by = (token?: string) => ({ token });
const slugs = (connection: any) => connection.edges.map((edge: any) => edge.node.slug);
const nodeIds = (connection: any) => connection.edges.map((edge: any) => edge.node.id);
/** A well-formed cursor, in the format the API hands out (checked below against real ones). */
const cursorOf = (kind: string, id: number) => Buffer.from(`${kind}:${id}`).toString('base64url');

/** The response exactly as sent: status and body text. */
async function raw(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await h.app.fetch(`${h.origin}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.text() };
}

describe('tags of drafts', () => {
  const everyPath = `query ($tag: ID!, $slug: String!) {
    tags(first: 100) { totalCount edges { node { slug postCount } } }
    node(id: $tag) { id }
    nodes(ids: [$tag]) { id }
    posts(tag: $slug) { totalCount edges { node { slug tags { slug } } } }
  }`;
  const secret = () => ({ tag: encodeGlobalId('Tag', ids.secret!), slug: 'secret-merger-with-acme' });
  const unknown = { tag: encodeGlobalId('Tag', UNKNOWN), slug: 'no-such-tag' };

  it('are invisible to the public by every path, as if they did not exist', async () => {
    const { data, errors } = await h.gql(everyPath, secret());
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      tags: { totalCount: 2, edges: [{ node: { slug: 'go', postCount: 2 } }, { node: { slug: 'zig', postCount: 1 } }] },
      node: null,
      nodes: [null],
      posts: { totalCount: 0, edges: [] },
    });
    expect(await raw(everyPath, secret())).toEqual(await raw(everyPath, unknown));
    // A writer who may see other drafts, but not this one, is the public here.
    expect(await raw(everyPath, secret(), otherWriter.token)).toEqual(await raw(everyPath, unknown, otherWriter.token));
  });

  it('are visible, with their counts, to whoever may see the draft: its writer and editors', async () => {
    for (const token of [writer.token, editor.token]) {
      const { data, errors } = await h.gql(everyPath, secret(), by(token));
      expect(errors).toBeUndefined();
      expect(data).toEqual({
        tags: {
          totalCount: 3,
          edges: [
            { node: { slug: 'go', postCount: 3 } },
            { node: { slug: 'secret-merger-with-acme', postCount: 1 } },
            { node: { slug: 'zig', postCount: 1 } },
          ],
        },
        node: { id: secret().tag },
        nodes: [{ id: secret().tag }],
        posts: { totalCount: 1, edges: [{ node: { slug: 'merger', tags: [{ slug: 'go' }, { slug: 'secret-merger-with-acme' }] } }] },
      });
    }
  });

  it('are, for every viewer, exactly the tags of the posts that viewer sees', async () => {
    const query = `{
      tags(first: 100) { totalCount edges { node { slug postCount } } }
      posts(first: 100) { edges { node { tags { slug } } } }
    }`;
    for (const token of [undefined, otherWriter.token, writer.token, editor.token]) {
      const { data } = await h.gql(query, {}, by(token));
      const counts = new Map<string, number>();
      for (const { node } of data.posts.edges) for (const { slug } of node.tags) counts.set(slug, (counts.get(slug) ?? 0) + 1);
      const expected = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([slug, postCount]) => ({ slug, postCount }));
      expect(data.tags.edges.map((edge: any) => edge.node)).toEqual(expected);
      expect(data.tags.totalCount).toBe(expected.length);
    }
  });

  it('become public with their first published post and private again when it is unpublished', async () => {
    const launch = await addPost(h.database.db, {
      authorId: writer.id,
      status: 'draft',
      publishedAt: null,
      tagIds: [await addTag(h.database.db, 'launch')],
    });
    const query = `{ tags(first: 100) { totalCount edges { node { slug postCount } } } posts(tag: "launch") { totalCount } }`;
    const launchTag = (data: any) => data.tags.edges.find((edge: any) => edge.node.slug === 'launch')?.node ?? null;
    const publication = async (mutation: string) => {
      const { errors } = await h.gql(`mutation ($id: ID!) { ${mutation}(id: $id) { __typename } }`, { id: encodeGlobalId('Post', launch) }, by(editor.token));
      expect(errors).toBeUndefined();
    };
    expect(launchTag((await h.gql(query)).data)).toBeNull();
    await publication('publishPost');
    const published = (await h.gql(query)).data;
    expect(launchTag(published)).toEqual({ slug: 'launch', postCount: 1 });
    expect(published.tags.totalCount).toBe(3);
    expect(published.posts.totalCount).toBe(1);
    await publication('unpublishPost');
    const unpublished = (await h.gql(query)).data;
    expect(launchTag(unpublished)).toBeNull();
    expect(unpublished.tags.totalCount).toBe(2);
    expect(unpublished.posts.totalCount).toBe(0);
  });
});

describe('cursors', () => {
  const page = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`;
  // Each connection, and where its page is in the response.
  const connections = {
    posts: [`query ($c: String) { posts(first: 2, after: $c) { ${page} } }`, (d: any) => d.posts],
    'posts backwards': [`query ($c: String) { posts(order: OLDEST_FIRST, last: 2, before: $c) { ${page} } }`, (d: any) => d.posts],
    "an author's posts": [`query ($c: String) { author(slug: "ada") { posts(first: 2, after: $c) { ${page} } } }`, (d: any) => d.author.posts],
    tags: [`query ($c: String) { tags(first: 2, after: $c) { ${page} } }`, (d: any) => d.tags],
    comments: [`query ($c: String) { post(slug: "p1") { comments(first: 2, after: $c) { ${page} } } }`, (d: any) => d.post.comments],
    thread: [`query ($c: String) { post(slug: "p1") { thread(first: 2, after: $c) { ${page} } } }`, (d: any) => d.post.thread],
    replies: [`query ($id: ID!, $c: String) { comment(id: $id) { replies(first: 2, after: $c) { ${page} } } }`, (d: any) => d.comment.replies],
  } as const;

  it('are the ones the API hands out', async () => {
    const { data } = await h.gql(`{ posts(status: [DRAFT], first: 100) { edges { cursor node { slug } } } }`, {}, by(editor.token));
    expect(data.posts.edges).toContainEqual({ cursor: cursorOf('Post', ids.merger!), node: { slug: 'merger' } });
    const held = await h.gql(`{ moderationQueue(first: 1) { edges { cursor } } }`, {}, by(editor.token));
    expect(held.data.moderationQueue.edges[0].cursor).toBe(cursorOf('Comment', ids.r2!));
  });

  it("of rows the public may not see answer exactly as cursors of rows that do not exist: an empty page", async () => {
    const cases: [keyof typeof connections, string, number][] = [
      ['posts', 'Post', ids.merger!],
      ['posts backwards', 'Post', ids.olderDraft!],
      ["an author's posts", 'Post', ids.merger!],
      ['tags', 'Tag', ids.secret!],
      ['comments', 'Comment', ids.c2!], // held
      ['comments', 'Comment', ids.d1!], // another post's (a draft's)
      ['thread', 'Comment', ids.c2!],
      ['thread', 'Comment', ids.d1!],
      ['replies', 'Comment', ids.r2!], // held
      ['replies', 'Comment', ids.d1!], // another post's
    ];
    for (const [name, kind, hidden] of cases) {
      const [query, pageOf] = connections[name];
      const variables = { id: encodeGlobalId('Comment', ids.c1!) };
      const invisible = await raw(query, { ...variables, c: cursorOf(kind, hidden) });
      const unknown = await raw(query, { ...variables, c: cursorOf(kind, UNKNOWN) });
      expect(invisible, `${name}, ${kind} ${hidden}`).toEqual(unknown);
      expect(invisible.status).toBe(200);
      const { data, errors } = JSON.parse(invisible.body);
      expect(errors).toBeUndefined();
      expect(pageOf(data).edges).toEqual([]);
    }
  });

  it('of rows the viewer may see page from that row, drafts included for those who may see them', async () => {
    const drafts = `query ($c: String) { posts(status: [DRAFT], first: 1, after: $c) { edges { node { slug } } } }`;
    for (const token of [editor.token, writer.token]) {
      const { data } = await h.gql(drafts, { c: cursorOf('Post', ids.merger!) }, by(token));
      expect(slugs(data.posts)).toEqual(['older-draft']);
    }
    const comments = await h.gql(connections.comments[0], { c: cursorOf('Comment', ids.c1!) });
    expect(nodeIds(comments.data.post.comments)).toEqual([encodeGlobalId('Comment', ids.c3!)]);
    const replies = await h.gql(connections.replies[0], { id: encodeGlobalId('Comment', ids.c1!), c: cursorOf('Comment', ids.r1!) });
    expect(nodeIds(replies.data.comment.replies)).toEqual([encodeGlobalId('Comment', ids.r3!)]);
    const tags = await h.gql(connections.tags[0], { c: cursorOf('Tag', ids.secret!) }, by(editor.token));
    expect(nodeIds(tags.data.tags)).toEqual([encodeGlobalId('Tag', ids.zig!)]);
  });
});
