import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addWriter, snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/* Editors' post mutations: drafts, slugs, tags, versions, publishing and scheduling. */
let h: Harness;
let editor: { id: number; token: string };
let author: { id: number; token: string };
beforeAll(async () => {
  h = await createHarness();
  editor = await addWriter(h.database.db, 'editor');
  author = await addWriter(h.database.db, 'author');
});
afterAll(() => h.close());

const POST_FIELDS = `id slug title status version publishedAt bodyHtml excerpt commentsOpen tags { slug name }`;
const RESULT = `__typename ... on Post { ${POST_FIELDS} } ... on Error { code message } ... on ValidationError { field } ... on ConflictError { field currentVersion }`;

async function create(input: Record<string, unknown>, token = editor.token) {
  const { data, errors } = await h.gql(`mutation ($input: CreatePostInput!) { createPost(input: $input) { ${RESULT} } }`, { input }, { token });
  expect(errors).toBeUndefined();
  return data.createPost;
}
async function update(id: string, version: number, fields: Record<string, unknown>, token = editor.token) {
  const { data, errors } = await h.gql(
    `mutation ($id: ID!, $version: Int!, $fields: PostFields!) { updatePost(id: $id, version: $version, fields: $fields) { ${RESULT} } }`,
    { id, version, fields },
    { token },
  );
  expect(errors).toBeUndefined();
  return data.updatePost;
}
async function publication(mutation: string, id: string, extra: Record<string, unknown> = {}, token = editor.token) {
  const args = Object.keys(extra).map((k) => `, ${k}: $${k}`).join('');
  const types = Object.keys(extra).map((k) => `, $${k}: ${k === 'publishAt' ? 'DateTime!' : 'Int'}`).join('');
  const { data, errors } = await h.gql(`mutation ($id: ID!${types}) { ${mutation}(id: $id${args}) { ${RESULT} } }`, { id, ...extra }, { token });
  expect(errors).toBeUndefined();
  return data[mutation];
}
const publicPost = async (slug: string) => (await h.gql(`query ($slug: String!) { post(slug: $slug) { id status } }`, { slug })).data.post;

describe('createPost', () => {
  it('creates a draft with a slug from the title, rendered Markdown and tags', async () => {
    const post = await create({ title: 'Sanders Is the Kremlin’s Favorite?', bodyMarkdown: '# Hi\n\nText', tags: ['Russia', 'Election 2020', 'russia'] });
    expect(post).toMatchObject({
      __typename: 'Post',
      slug: 'sanders-is-the-kremlins-favorite',
      status: 'DRAFT',
      version: 1,
      publishedAt: null,
      bodyHtml: '<h1>Hi</h1>\n<p>Text</p>\n',
      commentsOpen: true,
      tags: [
        { slug: 'election-2020', name: 'Election 2020' },
        { slug: 'russia', name: 'Russia' },
      ],
    });
    // Drafts are not public.
    expect(await publicPost(post.slug)).toBeNull();
  });

  it('makes generated slugs unique, and refuses a taken explicit slug with CONFLICT', async () => {
    const first = await create({ title: 'Same Title', bodyMarkdown: 'a' });
    const second = await create({ title: 'Same Title', bodyMarkdown: 'b' });
    expect([first.slug, second.slug]).toEqual(['same-title', 'same-title-2']);
    const before = await snapshot(h.database.db);
    expect(await create({ title: 'Other', slug: 'same-title', bodyMarkdown: 'c' })).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      field: 'slug',
    });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it.each([
    [{ title: '  ', bodyMarkdown: 'x' }, 'title'],
    [{ title: 'x'.repeat(301), bodyMarkdown: 'x' }, 'title'],
    [{ title: 'ok', slug: 'Not A Slug', bodyMarkdown: 'x' }, 'slug'],
    [{ title: 'ok', bodyMarkdown: 'x', tags: ['!!!'] }, 'tags'],
    [{ title: 'ok', bodyMarkdown: 'x', excerpt: 'e'.repeat(1001) }, 'excerpt'],
  ])('refuses %j with a ValidationError on %s, changing nothing', async (input, field) => {
    const before = await snapshot(h.database.db);
    expect(await create(input)).toMatchObject({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field });
    expect(await snapshot(h.database.db)).toEqual(before);
  });
});

describe('updatePost', () => {
  it('applies changes at the current version and bumps it; a stale version is a CONFLICT that changes nothing', async () => {
    const post = await create({ title: 'Versioned', bodyMarkdown: 'v1', tags: ['a'] });
    const v2 = await update(post.id, 1, { title: 'Versioned, again', bodyMarkdown: '*v2*', tags: ['b', 'c'], commentsOpen: false });
    expect(v2).toMatchObject({ version: 2, title: 'Versioned, again', bodyHtml: '<p><em>v2</em></p>\n', commentsOpen: false });
    expect(v2.tags.map((t: any) => t.slug)).toEqual(['b', 'c']);
    const before = await snapshot(h.database.db);
    expect(await update(post.id, 1, { title: 'Lost update' })).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      field: 'version',
      currentVersion: 2,
    });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('refuses to take another post’s slug, and unknown or malformed IDs', async () => {
    const a = await create({ title: 'Slug A', bodyMarkdown: 'a' });
    const b = await create({ title: 'Slug B', bodyMarkdown: 'b' });
    expect(await update(b.id, 1, { slug: a.slug })).toMatchObject({ __typename: 'ConflictError', field: 'slug' });
    expect(await update(encodeGlobalId('Post', 99999), 1, { title: 'x' })).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await update('garbage', 1, { title: 'x' })).toMatchObject({ __typename: 'ValidationError', field: 'id' });
  });
});

describe('publishing', () => {
  it('publishes now, unpublishes, archives, keeping the first publication time', async () => {
    const post = await create({ title: 'Going Live', bodyMarkdown: 'x' });
    const published = await publication('publishPost', post.id);
    expect(published).toMatchObject({ status: 'PUBLISHED', version: 2 });
    expect(Date.now() - new Date(published.publishedAt).getTime()).toBeLessThan(60_000);
    expect(await publicPost('going-live')).toEqual({ id: post.id, status: 'PUBLISHED' });
    const again = await publication('publishPost', post.id);
    expect(again.publishedAt).toBe(published.publishedAt);
    expect(await publication('unpublishPost', post.id)).toMatchObject({ status: 'DRAFT', publishedAt: null });
    expect(await publicPost('going-live')).toBeNull();
    await publication('publishPost', post.id);
    expect(await publication('archivePost', post.id)).toMatchObject({ status: 'ARCHIVED' });
    expect(await publicPost('going-live')).toBeNull();
  });

  it('refuses a status change at a stale version', async () => {
    const post = await create({ title: 'Stale Publish', bodyMarkdown: 'x' });
    await update(post.id, 1, { title: 'Stale Publish!' });
    expect(await publication('publishPost', post.id, { version: 1 })).toMatchObject({ __typename: 'ConflictError', currentVersion: 2 });
    expect(await publicPost(post.slug)).toBeNull();
  });

  it('makes a scheduled post public when its time comes, with no job running', async () => {
    const post = await create({ title: 'Scheduled', bodyMarkdown: 'x' });
    const at = new Date(Date.now() + 1500);
    expect(await publication('schedulePost', post.id, { publishAt: at.toISOString() })).toMatchObject({
      status: 'SCHEDULED',
      publishedAt: at.toISOString(),
    });
    expect(await publicPost('scheduled')).toBeNull();
    await sleep(at.getTime() - Date.now() + 300);
    expect(await publicPost('scheduled')).toEqual({ id: post.id, status: 'SCHEDULED' });
    const past = await publication('schedulePost', post.id, { publishAt: new Date(Date.now() - 1000).toISOString() });
    expect(past).toMatchObject({ __typename: 'ValidationError', field: 'publishAt' });
  });
});

describe('what writers see', () => {
  it('shows writers their own drafts and editors all of them; the public none', async () => {
    const mine = await create({ title: 'Author Draft', bodyMarkdown: 'x' }, author.token);
    const query = `{ posts(status: [DRAFT], first: 100) { edges { node { slug author { id } } } } }`;
    const asAuthor = (await h.gql(query, {}, { token: author.token })).data.posts.edges.map((e: any) => e.node.slug);
    const asEditor = (await h.gql(query, {}, { token: editor.token })).data.posts.edges.map((e: any) => e.node.slug);
    const asPublic = (await h.gql(query)).data.posts.edges;
    expect(asAuthor).toEqual([mine.slug]);
    expect(asEditor).toContain(mine.slug);
    expect(asEditor.length).toBeGreaterThan(1);
    expect(asPublic).toEqual([]);
    const bySlug = `query ($slug: String!) { post(slug: $slug) { status } }`;
    expect((await h.gql(bySlug, { slug: mine.slug }, { token: author.token })).data.post).toEqual({ status: 'DRAFT' });
    expect((await h.gql(bySlug, { slug: mine.slug })).data.post).toBeNull();
  });
});
