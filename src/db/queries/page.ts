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
}

export interface PageResult<T> {
  items: T[];
  /** More rows exist beyond this page in the direction of travel. */
  hasMore: boolean;
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

export function toPage<T>(rows: T[], page: Page): PageResult<T> {
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  if (page.fromEnd) items.reverse();
  return { items, hasMore };
}

/** Loader keys carry the page; this names a page so that equal pages batch together. */
export function pageKey(page: Page): string {
  return `${page.limit}:${page.after ?? ''}:${page.before ?? ''}:${page.fromEnd ? 1 : 0}:${page.descending ? 1 : 0}`;
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
  const grouped = new Map<number, R[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) grouped.get(row.__parent as number)?.push(read(row));
  return new Map([...grouped].map(([id, items]) => [id, toPage(items, page)]));
}

/** The statement pagesByParent runs: its rows carry the parent id as `__parent`. */
export function pagesByParentQuery(parentIds: readonly number[], inner: (parent: SQL) => SQL, maxRows?: number): SQL {
  return sql`
    select k.parent_key as "__parent", x.*
    from unnest(${sql.param([...parentIds])}::int[]) as k(parent_key)
    cross join lateral (${inner(sql.raw('k.parent_key'))}) x
    ${maxRows === undefined ? sql`` : sql`limit ${maxRows}`}`;
}
