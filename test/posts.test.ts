import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addTag, addThread, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Posts, authors and tags as the public sees them: lists, filters, search, neighbours, Relay
 * nodes, and drafts (or posts scheduled for later) invisible in every field and count.
 */
let h: Harness;
const ids: Record<string, number> = {};
const day = (d: number) => new Date(Date.UTC(2024, 0, d));

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  ids.ada = await addAuthor(db, { slug: 'ada', name: 'Ada' });
  ids.bob = await addAuthor(db, { slug: 'bob', name: 'Bob' });
  ids.go = await addTag(db, 'go');
  ids.rust = await addTag(db, 'rust');
  const post = (slug: string, fields: Parameters<typeof addPost>[1]) => addPost(db, { slug, title: slug, ...fields });
  ids.p1 = await post('p1', { authorId: ids.ada, publishedAt: day(1), tagIds: [ids.go], bodyMarkdown: 'Gophers love goroutines.' });
  ids.p2 = await post('p2', { authorId: ids.bob, publishedAt: day(2), tagIds: [ids.rust], bodyMarkdown: 'Crabs and borrow checkers.' });
  ids.p3 = await post('p3', { authorId: ids.ada, publishedAt: day(3), tagIds: [ids.go, ids.rust], title: 'Kremlin goroutines' });
  ids.draft = await post('draft', { authorId: ids.ada, status: 'draft', publishedAt: null, tagIds: [ids.go], title: 'Secret goroutines' });
  ids.later = await post('later', { authorId: ids.ada, status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000), tagIds: [ids.go] });
  ids.due = await post('due', { authorId: ids.bob, status: 'scheduled', publishedAt: day(4) });
  ids.archived = await post('archived', { authorId: ids.bob, status: 'archived', publishedAt: day(5) });
  ids.draftComment = (await addThread(db, ids.draft, [draft(null, 1)]))[0]!;
});
afterAll(() => h.close());

const slugs = (connection: any) => connection.edges.map((e: any) => e.node.slug);

describe('posts', () => {
  it('lists public posts newest first by default, oldest first on request, with totalCount', async () => {
    const { data } = await h.gql(`{
      newest: posts { totalCount edges { node { slug } } }
      oldest: posts(order: OLDEST_FIRST, first: 2) { edges { node { slug } } pageInfo { hasNextPage endCursor } }
    }`);
    // A scheduled post whose time has come is public; drafts, future and archived posts are not.
    expect(slugs(data.newest)).toEqual(['due', 'p3', 'p2', 'p1']);
    expect(data.newest.totalCount).toBe(4);
    expect(slugs(data.oldest)).toEqual(['p1', 'p2']);
    const next = await h.gql(`query ($after: String) { posts(order: OLDEST_FIRST, first: 2, after: $after) { edges { node { slug } } pageInfo { hasNextPage } } }`, { after: data.oldest.pageInfo.endCursor });
    expect(slugs(next.data.posts)).toEqual(['p3', 'due']);
    expect(next.data.posts.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by author, tag and full-text search', async () => {
    const { data } = await h.gql(`{
      byAda: posts(author: "ada") { totalCount edges { node { slug } } }
      byGo: posts(tag: "go") { totalCount edges { node { slug } } }
      both: posts(author: "bob", tag: "rust") { edges { node { slug } } }
      search: posts(search: "goroutines") { totalCount edges { node { slug } } }
      phrase: posts(search: "borrow -gophers") { edges { node { slug } } }
      nobody: posts(author: "nobody") { totalCount edges { node { slug } } }
    }`);
    expect(slugs(data.byAda)).toEqual(['p3', 'p1']);
    expect(data.byAda.totalCount).toBe(2);
    expect(slugs(data.byGo)).toEqual(['p3', 'p1']);
    expect(slugs(data.both)).toEqual(['p2']);
    expect(slugs(data.search)).toEqual(['p3', 'p1']);
    expect(data.search.totalCount).toBe(2);
    expect(slugs(data.phrase)).toEqual(['p2']);
    expect(data.nobody).toEqual({ totalCount: 0, edges: [] });
  });

  it('finds a post by slug or id, with author, tags and neighbours', async () => {
    const query = `query ($id: ID, $slug: String) { post(id: $id, slug: $slug) {
      id slug bodyHtml bodyMarkdown commentCount commentsOpen publishedAt
      author { slug } tags { slug } previousPost { slug } nextPost { slug } } }`;
    const bySlug = await h.gql(query, { slug: 'p2' });
    expect(bySlug.data.post).toMatchObject({
      id: encodeGlobalId('Post', ids.p2!),
      bodyHtml: '<p>Crabs and borrow checkers.</p>\n',
      bodyMarkdown: 'Crabs and borrow checkers.',
      publishedAt: '2024-01-02T00:00:00.000Z',
      commentsOpen: true,
      commentCount: 0,
      author: { slug: 'bob' },
      tags: [{ slug: 'rust' }],
      previousPost: { slug: 'p1' },
      nextPost: { slug: 'p3' },
    });
    const byId = await h.gql(query, { id: encodeGlobalId('Post', ids.p1!) });
    expect(byId.data.post).toMatchObject({ slug: 'p1', previousPost: null, nextPost: { slug: 'p2' } });
    const last = await h.gql(query, { slug: 'due' });
    expect(last.data.post.nextPost).toBeNull();
  });

  it('keeps drafts, future and archived posts invisible everywhere', async () => {
    for (const slug of ['draft', 'later', 'archived']) {
      const { data, errors } = await h.gql(`query ($slug: String!, $id: ID!) { post(slug: $slug) { id } byId: post(id: $id) { id } node(id: $id) { id } }`, {
        slug,
        id: encodeGlobalId('Post', ids[slug]!),
      });
      expect(errors).toBeUndefined();
      expect(data).toEqual({ post: null, byId: null, node: null });
    }
    const { data } = await h.gql(`{
      author(slug: "ada") { postCount posts { totalCount edges { node { slug } } } }
      tags { edges { node { slug postCount } } }
      search: posts(search: "secret") { totalCount }
    }`);
    expect(data.author.postCount).toBe(2);
    expect(slugs(data.author.posts)).toEqual(['p3', 'p1']);
    expect(data.author.posts.totalCount).toBe(2);
    expect(data.tags.edges.map((e: any) => e.node)).toEqual([
      { slug: 'go', postCount: 2 },
      { slug: 'rust', postCount: 2 },
    ]);
    expect(data.search.totalCount).toBe(0);
  });

  it("hides a draft's comments", async () => {
    const { data } = await h.gql(`query ($id: ID!) { comment(id: $id) { id } }`, {
      id: encodeGlobalId('Comment', ids.draftComment!),
    });
    expect(data.comment).toBeNull();
  });
});

describe('authors, tags and nodes', () => {
  it('lists authors by name and finds one by slug or id', async () => {
    const { data } = await h.gql(`query ($id: ID!) {
      authors { totalCount edges { node { slug name postCount } } }
      bySlug: author(slug: "bob") { id name }
      byId: author(id: $id) { slug }
      missing: author(slug: "nobody") { id }
    }`, { id: encodeGlobalId('Author', ids.ada!) });
    expect(data.authors.totalCount).toBe(2);
    expect(data.authors.edges.map((e: any) => e.node)).toEqual([
      { slug: 'ada', name: 'Ada', postCount: 2 },
      { slug: 'bob', name: 'Bob', postCount: 2 },
    ]);
    expect(data.bySlug).toEqual({ id: encodeGlobalId('Author', ids.bob!), name: 'Bob' });
    expect(data.byId).toEqual({ slug: 'ada' });
    expect(data.missing).toBeNull();
  });

  it('resolves node and nodes of every type, in order, null for the missing', async () => {
    const wanted = [
      encodeGlobalId('Tag', ids.rust!),
      encodeGlobalId('Post', ids.p1!),
      encodeGlobalId('Author', ids.bob!),
      encodeGlobalId('Post', 999),
    ];
    const { data, statements } = await h.gql(`query ($ids: [ID!]!) {
      nodes(ids: $ids) { __typename id ... on Post { slug } ... on Author { slug } ... on Tag { slug } }
    }`, { ids: wanted });
    expect(data.nodes).toEqual([
      { __typename: 'Tag', id: wanted[0], slug: 'rust' },
      { __typename: 'Post', id: wanted[1], slug: 'p1' },
      { __typename: 'Author', id: wanted[2], slug: 'bob' },
      null,
    ]);
    // One statement, however many IDs of however many types (the read engine).
    expect(statements).toBe(1);
  });

  it('answers an ID asked for more than once in one request, by node, nodes or both, for every type', async () => {
    const [commentId] = await addThread(h.database.db, ids.p2!, [draft(null, 1)]);
    const every = {
      Post: encodeGlobalId('Post', ids.p1!),
      Author: encodeGlobalId('Author', ids.bob!),
      Tag: encodeGlobalId('Tag', ids.go!),
      Comment: encodeGlobalId('Comment', commentId!),
    };
    for (const [typename, id] of Object.entries(every)) {
      const node = { __typename: typename, id };
      const requests = {
        'node twice': [`query ($id: ID!) { a: node(id: $id) { __typename id } b: node(id: $id) { __typename id } }`, { a: node, b: node }],
        'node and nodes': [`query ($id: ID!) { a: node(id: $id) { __typename id } b: nodes(ids: [$id]) { __typename id } }`, { a: node, b: [node] }],
        'nodes with it twice': [`query ($id: ID!) { b: nodes(ids: [$id, $id]) { __typename id } }`, { b: [node, node] }],
      } as const;
      for (const [name, [query, expected]] of Object.entries(requests)) {
        const { status, data, errors, statements } = await h.gql(query, { id });
        expect({ status, errors, data }, `${typename}: ${name}`).toEqual({ status: 200, errors: undefined, data: expected });
        expect(statements).toBe(1);
      }
    }
  });
});
