import { sql, type SQL } from 'drizzle-orm';

/*
 * Keyset pagination shared by every list. A cursor is the id of a row already seen; statements
 * compare sort keys with a sub-select of that row's key, so a page deep into a list costs one
 * index seek, never an offset scan. `fromEnd` (last/before) scans backwards and flips the rows.
 */
export interface Page {
  /** Rows wanted; statements fetch one more to learn whether another page follows. */
  limit: number;
  after: number | null;
  before: number | null;
  fromEnd: boolean;
  descending: boolean;
  /**
   * A page around this row (a permalink): `aroundSplit` rows before it and the rest from it on,
   * in reading order. Never with `after`, `before` or `fromEnd` (pageFromArgs refuses them).
   */
  around?: number | null;
}

export interface PageResult<T> {
  items: T[];
  /** More rows exist beyond this page in the direction of travel. */
  hasMore: boolean;
  /** Pages around a row: rows exist before the page (see `aroundKeyset`). */
  hasBefore?: boolean;
}

/**
 * WHERE conditions, ORDER BY and LIMIT for a keyset page over `key` (one column or several).
 * `cursorKey(id)` must select the same key for the cursor row, and only if the request may see
 * that row in this list (the list's own visibility): a cursor naming any other row selects nothing,
 * so the page is empty, exactly as for an id that never existed, and the answer says nothing about
 * the row (a draft, a held comment) that a client may have guessed the id of.
 */
export function keyset(page: Page, key: SQL[], cursorKey: (id: number) => SQL) {
  const tuple = key.length === 1 ? key[0]! : sql`(${sql.join(key, sql`, `)})`;
  const conditions: SQL[] = [];
  if (page.after !== null) {
    conditions.push(sql`${tuple} ${page.descending ? sql`<` : sql`>`} (${cursorKey(page.after)})`);
  }
  if (page.before !== null) {
    conditions.push(sql`${tuple} ${page.descending ? sql`>` : sql`<`} (${cursorKey(page.before)})`);
  }
  const direction = page.descending !== page.fromEnd ? sql`desc` : sql`asc`;
  return {
    where: conditions.length ? sql.join(conditions, sql` and `) : sql`true`,
    orderBy: sql.join(
      key.map((column) => sql`${column} ${direction}`),
      sql`, `,
    ),
    limit: page.limit + 1,
  };
}

/**
 * How a page of `limit` rows around a row splits: a third before it (rounded down), the rest from
 * it on. A reader opening a permalink sees some context above the comment and mostly what follows,
 * and the row is at the same place in every page size's window; `first: 1` is the row alone.
 */
export function aroundSplit(limit: number): { before: number; from: number } {
  const before = Math.floor(limit / 3);
  return { before, from: limit - before };
}

/**
 * A page around the row `page.around` as two keyset scans from its key, each an index range that
 * stops after its share of the page plus one row (which tells whether more rows lie that way):
 * `before` reads backwards from the row (excluded), `from` forwards from it (included). A row that
 * is not in this list (cursorKey selects nothing) positions nothing: both scans are empty, and the
 * page is what `after` a cursor of such a row gives (`edges: []`, `hasPreviousPage` true).
 */
export function aroundKeyset(page: Page, key: SQL[], cursorKey: (id: number) => SQL) {
  const tuple = key.length === 1 ? key[0]! : sql`(${sql.join(key, sql`, `)})`;
  const split = aroundSplit(page.limit);
  const target = cursorKey(page.around!);
  const order = (descending: boolean) =>
    sql.join(
      key.map((column) => sql`${column} ${descending ? sql`desc` : sql`asc`}`),
      sql`, `,
    );
  return {
    split,
    before: {
      where: sql`${tuple} ${page.descending ? sql`>` : sql`<`} (${target})`,
      orderBy: order(!page.descending),
      limit: split.before + 1,
    },
    from: {
      where: sql`${tuple} ${page.descending ? sql`<=` : sql`>=`} (${target})`,
      orderBy: order(page.descending),
      limit: split.from + 1,
    },
    /** Reading order over both. */
    readingOrder: order(page.descending),
  };
}

/**
 * A page around a row from the rows of both scans in reading order, each marked with its side
 * (`before`: true for rows before the row).
 */
export function toAroundPage<T>(rows: { item: T; before: boolean }[], page: Page): PageResult<T> {
  const split = aroundSplit(page.limit);
  const before = rows.filter((row) => row.before).map((row) => row.item);
  const from = rows.filter((row) => !row.before).map((row) => row.item);
  return {
    items: [...before.slice(Math.max(0, before.length - split.before)), ...from.slice(0, split.from)],
    hasMore: from.length > split.from,
    // Nothing from the row on: the row is not in the list, answered as after an unknown cursor.
    hasBefore: before.length > split.before || from.length === 0,
  };
}

export function toPage<T>(rows: T[], page: Page): PageResult<T> {
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  if (page.fromEnd) items.reverse();
  return { items, hasMore };
}

/** Loader keys carry the page; this names a page so that equal pages batch together. */
export function pageKey(page: Page): string {
  return `${page.limit}:${page.after ?? ''}:${page.before ?? ''}:${page.fromEnd ? 1 : 0}:${page.descending ? 1 : 0}:${page.around ?? ''}`;
}

/**
 * Paginated children of many parents in one statement: `inner(parent)` is a select that filters
 * on the parent reference, orders and limits; a lateral join runs it once per parent id, each run
 * an index range scan that stops after `limit` rows (a window function would read every child).
 */
export async function pagesByParent<R>(
  run: (query: SQL) => Promise<Record<string, unknown>[]>,
  parentIds: readonly number[],
  page: Page,
  inner: (parent: SQL) => SQL,
  read: (row: Record<string, unknown>) => R,
  /** Stop after this many rows in all (the caller's budget); the pages are then incomplete. */
  maxRows?: number,
): Promise<Map<number, PageResult<R>>> {
  const rows = await run(pagesByParentQuery(parentIds, inner, maxRows));
  const grouped = new Map<number, { item: R; before: boolean }[]>(parentIds.map((id) => [id, []]));
  // Around pages mark the rows before the page's row (`__before`, see aroundKeyset).
  for (const row of rows) grouped.get(row.__parent as number)?.push({ item: read(row), before: row.__before === true });
  return new Map(
    [...grouped].map(([id, items]) => [id, page.around != null ? toAroundPage(items, page) : toPage(items.map((row) => row.item), page)]),
  );
}

/** The statement pagesByParent runs: its rows carry the parent id as `__parent`. */
export function pagesByParentQuery(parentIds: readonly number[], inner: (parent: SQL) => SQL, maxRows?: number): SQL {
  return sql`
    select k.parent_key as "__parent", x.*
    from unnest(${sql.param([...parentIds])}::int[]) as k(parent_key)
    cross join lateral (${inner(sql.raw('k.parent_key'))}) x
    ${maxRows === undefined ? sql`` : sql`limit ${maxRows}`}`;
}
