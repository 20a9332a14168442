import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * A page deep into a 10,000-comment thread costs what the first page costs: the same statements,
 * and a plan in which no step touches more rows than the page (keyset seek, not an offset scan).
 * Measured by rows in EXPLAIN ANALYZE, never by time.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  const postId = await addPost(db, { slug: 'deep', authorId: await addAuthor(db) });
  const shape = { comments: 10_000, topLevel: 200, maxDepth: 12, moderation: false };
  await addThread(db, postId, threadDrafts(random(1), shape, new Date('2024-01-01'), []));
});
afterAll(() => h.close());

const page = `query ($after: String) {
  post(slug: "deep") { thread(first: 50, after: $after) { edges { depth node { id bodyHtml author { name } } } pageInfo { endCursor } } }
}`;

/** The largest row count any step of the statement's plan produced. */
async function maxRows(query: string, params: unknown[]): Promise<number> {
  const client = (h.database.db as any).$client;
  const statement = `explain (analyze, format json) ${query}`;
  const result = h.database.kind === 'pglite' ? (await client.query(statement, params)).rows : await client.unsafe(statement, params);
  const walk = (node: any): number => Math.max(node['Actual Rows'] * (node['Actual Loops'] || 1), ...(node.Plans ?? []).map(walk));
  return walk(result[0]['QUERY PLAN'][0].Plan);
}

/** The page through the read engine (its one statement) or the resolvers (their thread statement). */
async function threadStatement(after: string | null, reference: boolean) {
  const log: { query: string; params: unknown[] }[] = [];
  h.database.statements.log = log;
  const result = await h.gql(page, { after }, { reference });
  h.database.statements.log = undefined;
  const statement = reference ? log.find((entry) => entry.query.includes('cross join lateral'))! : log[0]!;
  return { result, statements: log.length, rows: await maxRows(statement.query, statement.params) };
}

describe('thread pagination at depth', () => {
  it('reads about one page of rows for page 1 and for a page 9,000 comments in', async () => {
    // Walk to ~9,000 in by cursor, as a client scrolling would (180 pages of 50).
    let after: string | null = null;
    for (let i = 0; i < 180; i++) {
      const { data }: { data: any } = await h.gql(`query ($after: String) { post(slug: "deep") { thread(first: 50, after: $after) { pageInfo { endCursor } } } }`, { after });
      after = data.post.thread.pageInfo.endCursor;
    }
    for (const reference of [false, true]) {
      const first = await threadStatement(null, reference);
      const deep = await threadStatement(after, reference);
      expect(deep.result.data.post.thread.edges).toHaveLength(50);
      expect(deep.statements).toBe(first.statements);
      if (!reference) expect(deep.statements).toBe(1);
      // 51 rows: the page and one more to know whether another page follows.
      expect(first.rows).toBeLessThanOrEqual(51);
      expect(deep.rows).toBeLessThanOrEqual(51);
    }
  });
});
