import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetStartSql, chargeSql, CommentBudget, isBudgetStop } from '../src/budget.js';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addTag, addThread, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The comment budget (src/budget.ts): its TypeScript and SQL halves agree; it counts every comment
 * a response holds, each time it holds it, on the engine's path and the resolvers' alike; a
 * request past it gets the refusal alone, at once; the lists whose length the static cost counts
 * on hold no more.
 */

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

let h: Harness;
let postId: number;
let chain: number[];
beforeAll(async () => {
  // A budget of 40 comments; replies nest at most 4 deep, but a thread imported 7 deep is there.
  h = await createHarness({ COMMENT_BUDGET: '40', MAX_COMMENT_DEPTH: '4', MAX_QUERY_COST: '1000000' });
  const db = h.database.db;
  postId = await addPost(db, { slug: 'p', authorId: await addAuthor(db) });
  // 30 top-level comments, and a chain of 7 below the first.
  const drafts = Array.from({ length: 30 }, (_, i) => draft(null, i));
  for (let depth = 0; depth < 7; depth++) drafts.push(draft(depth === 0 ? 0 : drafts.length - 1, 100 + depth));
  const ids = await addThread(db, postId, drafts);
  chain = [ids[0]!, ...ids.slice(30)];
});
afterAll(() => h.close());

describe('the two halves of the rule', () => {
  it('refuse at the same comment: the TypeScript budget and the statement counter', async () => {
    for (const max of [0, 1, 5, 12]) {
      for (const charges of [[1, 1, 1, 1, 1, 1], [3, 0, 2, 4], [12], [13], [0, 0]]) {
        const budget = new CommentBudget(max);
        let accepted = 0;
        for (const n of charges) {
          try {
            budget.charge(n);
            accepted++;
          } catch {
            break;
          }
        }
        // The statement charges the same amounts in order, each as a row of an aggregate.
        const list = sql.join(charges.map((n, i) => sql.raw(`(${i}, ${n})`)), sql`, `);
        let stopped = false;
        try {
          await queryRows(
            h.database.db,
            sql`select (select json_agg(case when ${chargeSql(sql`c.n`)} then c.i end order by c.i) from (values ${list}) as c(i, n))::text as charged
                from ${budgetStartSql(max)}`,
          );
        } catch (error) {
          expect(isBudgetStop(error), String(error)).toBe(true);
          stopped = true;
        }
        expect({ max, charges, stopped }).toEqual({ max, charges, stopped: accepted < charges.length });
        expect(budget.exceeded !== null).toBe(accepted < charges.length);
      }
    }
  });

  it('once spent, refuses every later charge and check', () => {
    const budget = new CommentBudget(2);
    budget.charge(2);
    budget.check();
    expect(budget.remaining).toBe(0);
    expect(() => budget.charge(1)).toThrow(/more than 2 comments/);
    expect(() => budget.charge(0)).toThrow(/more than 2 comments/);
    expect(() => budget.check()).toThrow(/more than 2 comments/);
    expect(budget.remaining).toBe(0);
  });
});

describe('a response holds at most COMMENT_BUDGET comments, counted each time they appear', () => {
  it('counts a thread reached again from each of its comments, though the comments are the same (the loaders load them once)', async () => {
    // 5 comments, then the same 5 again under each: 30 comments in the response, 5 distinct.
    const reentry = `{ post(slug: "p") { thread(first: 5) { edges { node { id post { thread(first: 5) { edges { node { id } } } } } } } } }`;
    const six = `{ post(slug: "p") { thread(first: 6) { edges { node { id post { thread(first: 6) { edges { node { id } } } } } } } } }`;
    for (const reference of [false, true]) {
      const within = await h.gql(reentry, {}, { reference });
      expect(within.errors, JSON.stringify(within.errors)).toBeUndefined();
      expect(JSON.stringify(within.data).match(/"id"/g)).toHaveLength(30);
      // 6 + 36 = 42 comments, past 40: refused, though the request loads 6 distinct comments.
      const past = await h.gql(six, {}, { reference });
      expect(code(past)).toBe('LIMIT_EXCEEDED');
      expect(past.errors![0]!.extensions).toMatchObject({ limit: 'comments', max: 40 });
      expect(past.data).toBeNull();
    }
  });

  it('counts a node asked for again, and nodes(ids:) listing one comment many times', async () => {
    const id = encodeGlobalId('Comment', chain[1]!);
    const nodes = `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    for (const reference of [false, true]) {
      expect((await h.gql(nodes, { ids: Array(40).fill(id) }, { reference })).errors).toBeUndefined();
      const past = await h.gql(nodes, { ids: Array(41).fill(id) }, { reference });
      expect(code(past)).toBe('LIMIT_EXCEEDED');
      expect(past.data).toBeNull();
    }
  });

  it("stops the engine's statement itself: one statement, a small refusal, no answer built by the resolvers", async () => {
    const deep = `{ post(slug: "p") { comments(first: 30) { edges { node { id bodyHtml replies(first: 5) { edges { node { id replies(first: 5) { edges { node { id } } } } } } } } } } }`;
    // 30 + 1 + 1 = 32 comments: within 40, one statement.
    const within = await h.gql(deep);
    expect(within.errors).toBeUndefined();
    expect(within.statements).toBe(1);
    const wide = `{ post(slug: "p") { a: comments(first: 30) { edges { node { id } } } b: comments(first: 30) { edges { node { id } } } } }`;
    const past = await h.gql(wide);
    expect(code(past)).toBe('LIMIT_EXCEEDED');
    expect(past.data).toBeNull();
    // The statement stopped at the budget; nothing else ran after it.
    expect(past.statements).toBe(1);
  });
});

describe('lists whose length the static cost counts on hold no more', () => {
  it('ancestors: at most MAX_COMMENT_DEPTH − 1, root first, for a comment imported deeper', async () => {
    const deepest = encodeGlobalId('Comment', chain.at(-1)!);
    const query = `query ($id: ID!) { comment(id: $id) { depth ancestors { id depth } } }`;
    const [engine, resolvers] = [await h.gql(query, { id: deepest }), await h.gql(query, { id: deepest }, { reference: true })];
    expect(engine.data).toEqual(resolvers.data);
    expect(engine.data.comment.depth).toBe(8);
    expect(engine.data.comment.ancestors.map((a: { depth: number }) => a.depth)).toEqual([1, 2, 3]);
    expect(engine.data.comment.ancestors[0].id).toBe(encodeGlobalId('Comment', chain[0]!));
  });

  it('tags: at most 100 a post, the first by name', async () => {
    const db = h.database.db;
    const tagIds: number[] = [];
    for (let i = 0; i < 103; i++) tagIds.push(await addTag(db, `t${String(i).padStart(3, '0')}`));
    await addPost(db, { slug: 'tagged', authorId: await addAuthor(db), tagIds });
    const query = `{ post(slug: "tagged") { tags { slug } } }`;
    const [engine, resolvers] = [await h.gql(query), await h.gql(query, {}, { reference: true })];
    expect(engine.data).toEqual(resolvers.data);
    expect(engine.data.post.tags).toHaveLength(100);
    expect(engine.data.post.tags.at(-1).slug).toBe('t099');
  });
});
