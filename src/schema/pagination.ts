import { sql, type SQL } from 'drizzle-orm';
import type { Page, PageResult } from '../db/queries/page.js';
import { badInput } from '../errors.js';
import { keyOf } from './ids.js';

/*
 * Connection arguments → a keyset Page, and a page of rows → a Relay connection.
 * Cursors are opaque (base64url of "kind:id"): the id of the row at that edge. Page sizes are 1–100
 * (20 when neither `first` nor `last` is given); anything else is BAD_USER_INPUT.
 *
 * `around` (a node's global ID, on connections that take it) asks for the page holding that row
 * (page.ts, aroundKeyset): it positions the page itself, so it takes `first` (or the default size)
 * and neither `after`, `before` nor `last`. Its ID is checked as `comment(id:)` checks one: a
 * malformed ID, or one of another type, is BAD_USER_INPUT; a row that is unknown, hidden or in
 * another list is an empty page, as for a cursor of such a row.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `ThreadEvent`: a `threadEvents` event (ids from a bigint sequence; the others are integers). */
export type CursorKind = 'Author' | 'BlockedSender' | 'Comment' | 'Post' | 'Tag' | 'ThreadEvent';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  around?: string | null;
}

export function encodeCursor(kind: CursorKind, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** The same, in SQL: base64url is base64 with `-_` for `+/` and no padding. */
export function cursorSql(kind: CursorKind, id: SQL): SQL {
  return sql`translate(rtrim(encode(convert_to(${sql.raw(`'${kind}:'`)} || ${id}, 'UTF8'), 'base64'), '='), '+/', '-_')`;
}

export function decodeCursor(kind: CursorKind, cursor: string | null | undefined, argument: string): number | null {
  if (cursor == null) return null;
  const match = /^([A-Za-z]+):([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString());
  const max = kind === 'ThreadEvent' ? Number.MAX_SAFE_INTEGER : 2 ** 31 - 1;
  if (!match || match[1] !== kind || Number(match[2]) > max) {
    throw badInput(`\`${argument}\` is not a cursor of ${kind === 'ThreadEvent' ? 'a thread event' : 'this connection'}`, argument);
  }
  return Number(match[2]);
}

export function pageFromArgs(args: ConnectionArgs, kind: CursorKind, descending = false): Page {
  if (args.first != null && args.last != null) throw badInput('Pass `first` or `last`, not both', 'last');
  const argument = args.last != null ? 'last' : 'first';
  const size = args.first ?? args.last ?? DEFAULT_PAGE_SIZE;
  if (size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`\`${argument}\` must be between 1 and ${MAX_PAGE_SIZE}, got ${size}`, argument);
  }
  if (args.around != null) {
    if (args.after != null || args.before != null || args.last != null) {
      throw badInput('`around` places the page itself: pass it with `first` only, not with `after`, `before` or `last`', 'around');
    }
    return { limit: size, after: null, before: null, fromEnd: false, descending, around: keyOf(args.around, kind, 'around') };
  }
  return {
    limit: size,
    after: decodeCursor(kind, args.after, 'after'),
    before: decodeCursor(kind, args.before, 'before'),
    fromEnd: args.last != null,
    descending,
  };
}

export function toConnection<T extends { id: number }>(
  result: PageResult<T>,
  page: Page,
  kind: CursorKind,
  totalCount: () => Promise<number> | number,
) {
  const edges = result.items.map((node) => ({ cursor: encodeCursor(kind, node.id), node }));
  return {
    edges,
    pageInfo: {
      // Going forward, the page after `after` exists by definition; going backward, likewise.
      hasNextPage: page.fromEnd ? page.before !== null : result.hasMore,
      hasPreviousPage: page.fromEnd ? result.hasMore : page.around != null ? result.hasBefore === true : page.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
