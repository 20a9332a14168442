import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addTag, addThread } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * DataLoader batching in the reference executor (the resolvers), asserted by counting SQL statements: one request for a post with its
 * comments and four more levels of replies, with authors at every level, costs one statement per
 * level plus a constant, the same for a thread ten times bigger.
 */
let h: Harness;
const shape = { topLevel: 40, maxDepth: 8, moderation: true };

beforeAll(async () => {
  // The resolvers' own batching: the read engine would answer these in one statement.
  h = await createHarness({}, { engine: 'reference' });
  const db = h.database.db;
  const authors = [];
  for (const name of ['Ann', 'Ben', 'Cy']) authors.push({ id: await addAuthor(db, { name }), name });
  const tagIds = [await addTag(db, 'alpha'), await addTag(db, 'beta')];
  await addPost(db, { authorId: authors[1]!.id, status: 'draft', publishedAt: null, tagIds: [await addTag(db, 'gamma')] });
  for (const comments of [200, 2000]) {
    const postId = await addPost(db, { authorId: authors[0]!.id, slug: `thread-${comments}`, tagIds });
    const drafts = threadDrafts(random(comments), { ...shape, comments }, new Date('2024-01-01'), authors);
    await addThread(db, postId, drafts);
  }
});
afterAll(() => h.close());

const level = (inner = '') => `edges { node { id createdAt bodyHtml author { name author { slug } } ${inner} } }`;
const fiveLevels = `query ($slug: String!) {
  post(slug: $slug) {
    title author { name }
    comments(first: 50) { ${level(
      `replies(first: 50) { ${level(`replies(first: 50) { ${level(`replies(first: 50) { ${level(`replies(first: 50) { ${level()} }`)} }`)} }`)} }`,
    )} }
  }
}`;

function countComments(connection: any): { count: number; depth: number } {
  let count = 0;
  let depth = 0;
  for (const { node } of connection.edges) {
    count++;
    if (node.replies) {
      const below = countComments(node.replies);
      count += below.count;
      depth = Math.max(depth, below.depth);
    }
  }
  return { count, depth: connection.edges.length ? depth + 1 : 0 };
}

describe('batching', () => {
  it('costs the same small number of statements for 200 and 2,000 comments, 5 levels deep', async () => {
    const small = await h.gql(fiveLevels, { slug: 'thread-200' });
    const large = await h.gql(fiveLevels, { slug: 'thread-2000' });
    expect(small.errors).toBeUndefined();
    expect(large.errors).toBeUndefined();

    const loaded = countComments(large.data.post.comments);
    // The big request really walks a big tree, five levels deep...
    expect(loaded.depth).toBe(5);
    expect(loaded.count).toBeGreaterThan(500);
    expect(countComments(small.data.post.comments).count).toBeLessThan(loaded.count);
    // ...for one statement per level of comments plus one for the post (its author joined in).
    expect(large.statements).toBe(5 + 1);
    expect(small.statements).toBe(large.statements);
  });

  it('loads comment authors with the comments, not one by one', async () => {
    const { data } = await h.gql(fiveLevels, { slug: 'thread-2000' });
    const registered = JSON.stringify(data).match(/"author":\{"slug"/g) ?? [];
    expect(registered.length).toBeGreaterThan(50);
  });
});

describe('indexes', () => {
  // With sequential scans disabled the planner still picks one when no index fits; so a plan
  // without "Seq Scan" on comments proves every statement of these requests has its index.
  async function explain(query: string, params: unknown[]): Promise<string[]> {
    const client = (h.database.db as any).$client;
    const statement = `explain (format json) ${query}`;
    if (h.database.kind === 'pglite') {
      return client.transaction(async (tx: any) => {
        await tx.query('set local enable_seqscan = off');
        return scans((await tx.query(statement, params)).rows[0]['QUERY PLAN'][0].Plan);
      });
    }
    return client.begin(async (tx: any) => {
      await tx.unsafe('set local enable_seqscan = off');
      return scans((await tx.unsafe(statement, params))[0]['QUERY PLAN'][0].Plan);
    });
  }

  /** "Node Type on relation" (and "using index") for every node of a plan. */
  function scans(plan: any): string[] {
    const index = plan['Index Name'] ? ` using ${plan['Index Name']}` : '';
    const own = plan['Relation Name'] ? [`${plan['Node Type']} on ${plan['Relation Name']}${index}`] : [];
    return [...own, ...(plan.Plans ?? []).flatMap(scans)];
  }

  it('would notice a sequential scan', async () => {
    expect(await explain('select id from comments where body_markdown = $1', ['x'])).toEqual(['Seq Scan on comments']);
  });

  it('reads comments and posts by index scans only', async () => {
    const log: { query: string; params: unknown[] }[] = [];
    h.database.statements.log = log;
    await h.gql(fiveLevels, { slug: 'thread-2000' });
    const page = await h.gql(`{ post(slug: "thread-2000") { thread(first: 50) { pageInfo { endCursor } } } }`);
    const cursor = page.data.post.thread.pageInfo.endCursor;
    await h.gql(`query ($c: String) { post(slug: "thread-2000") { id thread(first: 50, after: $c) { totalCount edges { node { id } } } comments { totalCount } previousPost { id } nextPost { id } } }`, { c: cursor });
    await h.gql(`{ posts(first: 5, search: "thread") { totalCount edges { node { id tags { id } author { postCount posts(first: 2) { edges { node { id } } } } } } } }`);
    const tags = await h.gql(`{ tags(first: 1) { totalCount pageInfo { endCursor } edges { node { id postCount } } } }`);
    const { endCursor } = tags.data.tags.pageInfo;
    await h.gql(`query ($c: String, $id: ID!) { tags(first: 1, after: $c) { edges { node { id } } } node(id: $id) { id } }`, {
      c: endCursor,
      id: tags.data.tags.edges[0].node.id,
    });
    h.database.statements.log = undefined;

    expect(log.length).toBeGreaterThan(10);
    for (const { query, params } of log) {
      const plan = await explain(query, params);
      expect(plan.filter((scan) => /^Seq Scan on (comments|posts|post_tags)$/.test(scan)), query).toEqual([]);
    }
  });

  it('walks tags in name order by index, each checked for a visible post by index', async () => {
    const log: { query: string; params: unknown[] }[] = [];
    h.database.statements.log = log;
    const { data } = await h.gql(`{ tags(first: 1) { edges { node { slug } } } }`);
    h.database.statements.log = undefined;
    expect(data.tags.edges).toEqual([{ node: { slug: 'alpha' } }]);
    const [list] = log;
    expect(await explain(list!.query, list!.params)).toEqual([
      'Index Scan on tags using tags_name_idx',
      expect.stringMatching(/^Index (Only )?Scan on post_tags using post_tags_tag_idx$/),
      expect.stringMatching(/^Index (Only )?Scan on posts using /),
    ]);
  });
});
