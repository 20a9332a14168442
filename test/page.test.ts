import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import {
  aroundKeyset,
  aroundSplit,
  keyset,
  pageKey,
  pagesByParent,
  pagesByParentQuery,
  toAroundPage,
  toPage,
  type Page,
} from '../src/db/queries/page.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Keyset pagination (src/db/queries/page.ts) on its own: the pure parts (how a page splits, what a
 * fetched page becomes, a page's loader key), then the statements' conditions, order and limit run
 * on a real database over a small table with ties in its sort key. Every list of the API pages
 * this way; test/thread.test.ts and test/navigation.test.ts show it through GraphQL. Written
 * against `npm run test:mutation`: the database describe only creates its harness and table in
 * beforeAll, never running page.ts there.
 */

const page = (fields: Partial<Page> = {}): Page => ({ limit: 10, after: null, before: null, fromEnd: false, descending: false, ...fields });

describe('aroundSplit', () => {
  it('puts a third (rounded down) before the row and the rest from it on', () => {
    expect([1, 2, 3, 4, 10, 50].map(aroundSplit)).toEqual([
      { before: 0, from: 1 },
      { before: 0, from: 2 },
      { before: 1, from: 2 },
      { before: 1, from: 3 },
      { before: 3, from: 7 },
      { before: 16, from: 34 },
    ]);
  });
});

describe('toPage', () => {
  it('has more when the statement found one row past the page, and drops that row', () => {
    expect(toPage([1, 2, 3], page({ limit: 2 }))).toEqual({ items: [1, 2], hasMore: true });
  });

  it('has no more on an exactly full last page, nor on a short one', () => {
    expect(toPage([1, 2], page({ limit: 2 }))).toEqual({ items: [1, 2], hasMore: false });
    expect(toPage([1], page({ limit: 2 }))).toEqual({ items: [1], hasMore: false });
    expect(toPage([], page({ limit: 2 }))).toEqual({ items: [], hasMore: false });
  });

  it('turns a page read from the end back into reading order', () => {
    expect(toPage([5, 4, 3], page({ limit: 2, fromEnd: true }))).toEqual({ items: [4, 5], hasMore: true });
    expect(toPage([5, 4], page({ limit: 2, fromEnd: true }))).toEqual({ items: [4, 5], hasMore: false });
  });
});

describe('toAroundPage', () => {
  const rows = (before: number[], from: number[]) => [...before.map((item) => ({ item, before: true })), ...from.map((item) => ({ item, before: false }))];

  it('keeps the last rows before the row and the first from it, and says where more lie', () => {
    // limit 6: 2 before, 4 from the row on; each scan read one more than its share.
    expect(toAroundPage(rows([1, 2, 3], [4, 5, 6, 7, 8]), page({ limit: 6, around: 4 }))).toEqual({ items: [2, 3, 4, 5, 6, 7], hasMore: true, hasBefore: true });
  });

  it('has nothing more either way when each side is exactly its share or less', () => {
    expect(toAroundPage(rows([2, 3], [4, 5, 6, 7]), page({ limit: 6, around: 4 }))).toEqual({ items: [2, 3, 4, 5, 6, 7], hasMore: false, hasBefore: false });
    // limit 9: 3 before; only 2 there.
    expect(toAroundPage(rows([2, 3], [4, 5]), page({ limit: 9, around: 4 }))).toEqual({ items: [2, 3, 4, 5], hasMore: false, hasBefore: false });
  });

  it('answers a row that is not in the list (nothing from it on) as after an unknown cursor', () => {
    expect(toAroundPage(rows([1, 2], []), page({ limit: 6, around: 4 }))).toEqual({ items: [1, 2], hasMore: false, hasBefore: true });
  });
});

describe('pageKey', () => {
  it('names every part of a page, so that only equal pages share a key', () => {
    expect(pageKey(page({ limit: 5 }))).toBe('5:::0:0:');
    expect(pageKey(page({ limit: 5, after: 7, before: 9, fromEnd: true, descending: true, around: 3 }))).toBe('5:7:9:1:1:3');
    expect(pageKey(page({ limit: 5, after: 0 }))).toBe('5:0::0:0:');
  });
});

describe('on a database', () => {
  let h: Harness;
  // Rows of list 1 in (k, id) order are ids 1–7; k has ties (2 and 3; 5 and 6). List 2: 11, 12.
  const data = [
    [1, 1, 10],
    [2, 1, 20],
    [3, 1, 20],
    [4, 1, 30],
    [5, 1, 40],
    [6, 1, 40],
    [7, 1, 50],
    [11, 2, 5],
    [12, 2, 6],
  ];
  beforeAll(async () => {
    h = await createHarness();
    await h.database.db.execute(sql`create table page_rows (id int primary key, list int not null, k int not null)`);
    await h.database.db.execute(sql`insert into page_rows (id, list, k) values ${sql.join(data.map((row) => sql`(${sql.join(row.map((v) => sql`${v}`), sql`, `)})`), sql`, `)}`);
  });
  afterAll(() => h.close());

  const key = [sql`k`, sql`id`];
  /** The cursor row's key, found only in the list being paged (as every list's cursorKey). */
  const cursorKey =
    (list: SQL | number, columns: SQL[] = key) =>
    (id: number) =>
      sql`select ${sql.join(columns, sql`, `)} from page_rows where id = ${id} and list = ${list}`;
  const ids = (rows: { id: number }[]) => rows.map((row) => row.id);

  /** The rows the keyset statement reads (one past the page), and the page made of them. */
  async function read(p: Page, list = 1, k: SQL[] = key) {
    const q = keyset(p, k, cursorKey(list, k));
    const rows = ids(await queryRows<{ id: number }>(h.database.db, sql`select id from page_rows where list = ${list} and ${q.where} order by ${q.orderBy} limit ${q.limit}`));
    return { rows, page: toPage(rows, p) };
  }

  describe('keyset', () => {
    it('reads the first page and one row more, in key order with ties broken by id', async () => {
      expect(await read(page({ limit: 3 }))).toEqual({ rows: [1, 2, 3, 4], page: { items: [1, 2, 3], hasMore: true } });
      expect(await read(page())).toEqual({ rows: [1, 2, 3, 4, 5, 6, 7], page: { items: [1, 2, 3, 4, 5, 6, 7], hasMore: false } });
    });

    it('continues after a cursor, the next row of a tie included', async () => {
      expect((await read(page({ limit: 2, after: 2 }))).page).toEqual({ items: [3, 4], hasMore: true });
      expect((await read(page({ limit: 3, after: 3 }))).page).toEqual({ items: [4, 5, 6], hasMore: true });
    });

    it('has no next page after an exactly full last page', async () => {
      expect(await read(page({ limit: 3, after: 4 }))).toEqual({ rows: [5, 6, 7], page: { items: [5, 6, 7], hasMore: false } });
    });

    it('reads backwards from a cursor (last/before) and returns reading order', async () => {
      expect(await read(page({ limit: 2, before: 6, fromEnd: true }))).toEqual({ rows: [5, 4, 3], page: { items: [4, 5], hasMore: true } });
      expect((await read(page({ limit: 2, fromEnd: true }))).page).toEqual({ items: [6, 7], hasMore: true });
      expect((await read(page({ limit: 2, before: 3, fromEnd: true }))).page).toEqual({ items: [1, 2], hasMore: false });
    });

    it('takes after and before together: the rows between them', async () => {
      expect((await read(page({ after: 2, before: 6 }))).page).toEqual({ items: [3, 4, 5], hasMore: false });
      expect((await read(page({ limit: 2, after: 2, before: 6 }))).page).toEqual({ items: [3, 4], hasMore: true });
      expect((await read(page({ limit: 2, after: 2, before: 6, fromEnd: true }))).page).toEqual({ items: [4, 5], hasMore: true });
      expect((await read(page({ after: 5, before: 3 }))).page).toEqual({ items: [], hasMore: false });
    });

    it('pages a descending list both ways', async () => {
      const desc = (fields: Partial<Page>) => page({ descending: true, ...fields });
      expect((await read(desc({ limit: 3 }))).page).toEqual({ items: [7, 6, 5], hasMore: true });
      expect((await read(desc({ limit: 3, after: 6 }))).page).toEqual({ items: [5, 4, 3], hasMore: true });
      expect((await read(desc({ before: 3 }))).page).toEqual({ items: [7, 6, 5, 4], hasMore: false });
      expect((await read(desc({ limit: 2, fromEnd: true }))).page).toEqual({ items: [2, 1], hasMore: true });
      expect((await read(desc({ limit: 2, before: 3, fromEnd: true }))).page).toEqual({ items: [5, 4], hasMore: true });
      expect((await read(desc({ after: 6, before: 3 }))).page).toEqual({ items: [5, 4], hasMore: false });
    });

    it('pages on a one-column key', async () => {
      expect((await read(page({ limit: 1, after: 11 }), 2, [sql`k`])).page).toEqual({ items: [12], hasMore: false });
      expect((await read(page({ limit: 1, before: 12, fromEnd: true }), 2, [sql`k`])).page).toEqual({ items: [11], hasMore: false });
    });

    it('is empty after or before a row that is not in the list', async () => {
      expect((await read(page({ after: 11 }))).page).toEqual({ items: [], hasMore: false });
      expect((await read(page({ before: 999, fromEnd: true }))).page).toEqual({ items: [], hasMore: false });
    });
  });

  /** A page around a row as the statements read it: both scans, marked, in reading order (as comments.ts does). */
  const aroundStatement = (p: Page, list: SQL | number) => {
    const q = aroundKeyset(p, key, cursorKey(list));
    const scan = (side: typeof q.before, before: boolean) =>
      sql`(select id, k, ${sql.raw(String(before))} as "__before" from page_rows where list = ${list} and ${side.where} order by ${side.orderBy} limit ${side.limit})`;
    return { q, statement: sql`select * from (${scan(q.before, true)} union all ${scan(q.from, false)}) x order by ${q.readingOrder}` };
  };

  describe('aroundKeyset', () => {
    async function around(p: Page) {
      const { q, statement } = aroundStatement(p, 1);
      const rows = await queryRows<{ id: number; __before: boolean }>(h.database.db, statement);
      return { split: q.split, rows: rows.map((row) => [row.id, row.__before]), page: toAroundPage(rows.map((row) => ({ item: row.id, before: row.__before })), p) };
    }

    it('reads a share before the row (plus one) backwards, and the row and the rest (plus one) forwards', async () => {
      expect(await around(page({ limit: 4, around: 4 }))).toEqual({
        split: { before: 1, from: 3 },
        rows: [[2, true], [3, true], [4, false], [5, false], [6, false], [7, false]],
        page: { items: [3, 4, 5, 6], hasMore: true, hasBefore: true },
      });
      expect((await around(page({ limit: 6, around: 3 }))).page).toEqual({ items: [1, 2, 3, 4, 5, 6], hasMore: true, hasBefore: false });
    });

    it('in a descending list, reads before the row from the end', async () => {
      expect(await around(page({ limit: 4, around: 4, descending: true }))).toEqual({
        split: { before: 1, from: 3 },
        rows: [[6, true], [5, true], [4, false], [3, false], [2, false], [1, false]],
        page: { items: [5, 4, 3, 2], hasMore: true, hasBefore: true },
      });
    });

    it('positions nothing for a row not in the list', async () => {
      expect((await around(page({ limit: 4, around: 11 }))).page).toEqual({ items: [], hasMore: false, hasBefore: true });
    });
  });

  describe('pagesByParent', () => {
    const run = (query: SQL) => queryRows<Record<string, unknown>>(h.database.db, query);
    const read = (row: Record<string, unknown>) => row.id as number;
    const keysetInner = (p: Page) => (list: SQL) => {
      const q = keyset(p, key, cursorKey(list));
      return sql`select id from page_rows where list = ${list} and ${q.where} order by ${q.orderBy} limit ${q.limit}`;
    };

    it('pages the rows of each parent in one statement, every parent answered', async () => {
      const p = page({ limit: 2 });
      const pages = await pagesByParent(run, [1, 2, 3], p, keysetInner(p), read);
      expect([...pages]).toEqual([
        [1, { items: [1, 2], hasMore: true }],
        [2, { items: [11, 12], hasMore: false }],
        [3, { items: [], hasMore: false }],
      ]);
      const after = page({ limit: 2, after: 5 });
      expect(await pagesByParent(run, [1], after, keysetInner(after), read)).toEqual(new Map([[1, { items: [6, 7], hasMore: false }]]));
    });

    it('pages around a row per parent; a parent without the row positions nothing', async () => {
      const p = page({ limit: 4, around: 4 });
      const pages = await pagesByParent(run, [1, 2], p, (list) => aroundStatement(p, list).statement, read);
      expect([...pages]).toEqual([
        [1, { items: [3, 4, 5, 6], hasMore: true, hasBefore: true }],
        [2, { items: [], hasMore: false, hasBefore: true }],
      ]);
    });

    it('stops after maxRows rows in all', async () => {
      const p = page({ limit: 2 });
      const count = async (maxRows?: number) => (await run(pagesByParentQuery([1, 2, 3], keysetInner(p), maxRows))).length;
      expect(await count()).toBe(5);
      expect(await count(4)).toBe(4);
      expect(await count(0)).toBe(0);
      const rows = await run(pagesByParentQuery([2], keysetInner(p)));
      expect(rows).toEqual([
        { __parent: 2, id: 11 },
        { __parent: 2, id: 12 },
      ]);
    });
  });
});
