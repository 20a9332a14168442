import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/ids.js';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread, addWriter } from './fixtures.js';
import { createHarness, expectBudgetEdge, type Harness } from './harness.js';

/*
 * The read engine's budget, its reads under the response cache, and its plans (repeats answered
 * past yoga). That it answers like the resolvers is test/engine.test.ts.
 */
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const authors = [];
  for (const name of ['Ann', 'Ben', 'Cy']) authors.push({ id: await addAuthor(db, { name }), name });
  const postId = await addPost(db, { authorId: authors[0]!.id, slug: 'tree', title: 'Tree' });
  await addThread(db, postId, threadDrafts(random(7), { comments: 400, topLevel: 30, maxDepth: 9, moderation: true }, new Date('2024-01-01'), authors));
});
afterAll(() => h.close());

const nested = (levels: number, args = '(first: 7)'): string =>
  levels === 0 ? '' : `replies${args} { __typename edges { __typename node { id bodyHtml ${nested(levels - 1, args)} } } }`;

describe('the read engine', () => {
  it('count comments exactly for the budget: at it, one statement; one past it, the resolvers refuse', async () => {
    const query = `{ post(slug: "tree") { comments(first: 30) { edges { node { id author { name } ${nested(3, '(first: 50)')} } } } } }`;
    const count = (JSON.stringify((await h.gql(query)).data).match(/"node":/g) ?? []).length;
    expect(count).toBeGreaterThan(100);
    await expectBudgetEdge(h, query, count);
  });
});

describe('the read engine with the response cache', () => {
  it('answer a miss in one statement, with the objects the cache needs to invalidate it', async () => {
    const cached = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300' });
    const author = await addAuthor(cached.database.db, { name: 'Ann' });
    const post = await addPost(cached.database.db, { authorId: author, slug: 'c' });
    const ids = await addThread(cached.database.db, post, threadDrafts(random(5), { comments: 20, topLevel: 4, maxDepth: 3, moderation: false }, new Date('2024-01-01'), [{ id: author, name: 'Ann' }]));
    const query = `{ post(slug: "c") { commentCount comments { edges { node { id bodyHtml replies { edges { node { id bodyHtml } } } } } } } }`;
    await cached.gql('{ __typename }'); // the cache's check for scheduled posts, once a second
    const miss = await cached.gql(query);
    expect(miss.statements).toBe(1);
    expect((await cached.gql(query)).statements).toBe(0);
    expect(miss.data).toEqual((await cached.gql(query, {}, { reference: true })).data);
    // A reply deep in the tree names its ancestors: the cached tree is dropped.
    const editor = await addWriter(cached.database.db, 'editor');
    await cached.gql(`mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: TRASH) { __typename } }`, { ids: [encodeGlobalId('Comment', ids[1]!)] }, { token: editor.token });
    const fresh = await cached.gql(query);
    expect(fresh.statements).toBeGreaterThan(0);
    expect(fresh.data.post.commentCount).toBe(miss.data.post.commentCount - 1);
    await cached.close();
  });
});

describe('plans', () => {
  // Over a real socket, as server.ts serves, without the response cache: a repeat of a read the
  // engine answered is rerun from its plan, past yoga.
  let web: Harness;
  beforeAll(async () => {
    web = await createHarness({}, { http: true });
    const author = await addAuthor(web.database.db, { name: 'Ann' });
    const post = await addPost(web.database.db, { authorId: author, slug: 'planned', title: 'Planned' });
    await addThread(web.database.db, post, threadDrafts(random(3), { comments: 30, topLevel: 5, maxDepth: 3, moderation: false }, new Date('2024-01-01'), [{ id: author, name: 'Ann' }]));
  });
  afterAll(() => web.close());

  const raw = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${web.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answer a repeat from the plan, with fresh data and the headers yoga sent', async () => {
    const query = `{ post(slug: "planned") { title commentCount comments(first: 3) { edges { node { id bodyHtml replies { edges { node { id } } } } } } } }`;
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const served = web.app.plans!.served;
      const first = await raw(query, { accept });
      const second = await raw(query, { accept });
      expect(web.app.plans!.served).toBe(served + 1);
      expect(second).toEqual(first);
      expect(first.type).toBe(`${accept}; charset=utf-8`);
    }
    // The data changes behind the API's back: a plan reruns its statement, nothing is kept.
    const before = await web.gql(query);
    expect(before.statements).toBe(1);
    await web.database.db.execute(sql`update posts set title = 'Replanned' where slug = 'planned'`);
    const after = await web.gql(query);
    expect(after.statements).toBe(1);
    expect(after.data.post.title).toBe('Replanned');
    expect({ ...after.data.post, title: 'Planned' }).toEqual(before.data.post);
  });

  it('stand only for single JSON responses, not event streams', async () => {
    const query = `{ post(slug: "planned") { title } }`;
    const served = web.app.plans!.served;
    const first = await raw(query, { accept: 'text/event-stream' });
    const second = await raw(query, { accept: 'text/event-stream' });
    expect(first.type).toContain('text/event-stream');
    expect(second).toEqual(first);
    expect(web.app.plans!.served).toBe(served);
  });

  it('are not made for requests the resolvers answered, nor used with credentials', async () => {
    const served = web.app.plans!.served;
    const other = `{ post(slug: "planned") { title } viewer { role } }`;
    await web.gql(other);
    expect((await web.gql(other)).statements).toBeGreaterThan(0);
    const token = (await addWriter(web.database.db, 'editor')).token;
    const query = `{ post(slug: "planned") { title } }`;
    await web.gql(query);
    await web.gql(query, {}, { token });
    expect(web.app.plans!.served).toBe(served);
    await web.gql(query);
    expect(web.app.plans!.served).toBe(served + 1);
  });
});
