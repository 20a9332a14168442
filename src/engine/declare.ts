import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Access } from '../domain/roles.js';

/*
 * What a field means in SQL, declared beside the field in its src/schema/ file (as the field's
 * `extensions`), and what an object type is read from (as the type's `extensions`). The read
 * engine (src/engine/plan.ts) builds one statement per request from these declarations and nothing
 * else; the resolvers next to them are the reference it is tested against (test/engine.test.ts).
 *
 * Fields that need no declaration: `t.expose*` fields read the column of the property they expose
 * (the type's table says which), a Node's `id` is its global ID, `__typename` is the type's name.
 * The encoding of a value (DateTime, enums) follows from the field's GraphQL type.
 */

/** What a declaration can use besides its row: the request's visibility and fresh aliases. */
export interface Scope {
  access: Access;
  /** A table alias not used anywhere else in the statement. */
  alias(base: string): SQL;
}

/** A field's arguments, coerced (enum values are their internal values). */
export type Args = Record<string, unknown>;

/** An object type's source: the table behind it, or a derived row (`from`). */
export interface SourceDeclaration {
  /** The table whose rows back the object; exposed fields read its columns. */
  table?: PgTable;
  /** Base of the alias its rows get in statements (a number is added). */
  alias: string;
  /** Node types: the rows of the table this request may see by ID (`node`, `nodes`, root lookups). */
  visible?: (row: SQL, scope: Scope) => SQL;
}

/** A scalar computed from the parent's row. */
export interface ValueDeclaration {
  kind: 'value';
  value: (row: SQL, scope: Scope, args: Args) => SQL;
}

/**
 * For a derived row (`from`): left-joins `table` beside the parent's row, on what `on` says of its
 * fresh alias, and returns that alias. A derived row that looked the table up itself (a join
 * inside it, on the parent's columns) could not be merged into a plain join by the planner.
 */
export type Join = (table: string, base: string, on: (alias: SQL) => SQL) => SQL;

/**
 * An object, or a list of objects, of the field's type: the rows of `from` (default: the type's
 * table) that `where` selects for the parent `row` (null for root fields), in `orderBy` order.
 * A field that is not a list shows the first such row, or null.
 */
export interface RowsDeclaration {
  kind: 'rows';
  from?: (alias: SQL, row: SQL | null, join: Join) => SQL;
  where: (alias: SQL, row: SQL | null, scope: Scope, args: Args) => SQL;
  orderBy?: (alias: SQL) => SQL;
  /**
   * At most one row matches `where` (it looks up a key, such as a post's author): the engine then
   * joins the row beside its parent's instead of running a subquery for each parent row.
   * test/engine.test.ts would see duplicated parents if a declaration claimed it wrongly.
   */
  unique?: boolean;
}

/**
 * A Relay connection over the field's node type: the rows `where` selects for the parent, sorted
 * by `key` (ascending unless `descending`), paged by keyset (cursors name a row by id, and only a
 * row of this very list positions a page; so does `around`, on connections that take it), counted
 * by `count`.
 */
export interface ConnectionDeclaration {
  kind: 'connection';
  where: (alias: SQL, row: SQL | null, scope: Scope, args: Args) => SQL;
  /** The sort key (an argument such as `order` may choose it). */
  key: (alias: SQL, args: Args) => SQL[];
  descending?: (args: Args) => boolean;
  /** `totalCount`: an integer expression for the parent `row`. */
  count: (row: SQL | null, scope: Scope, args: Args) => SQL;
}

/** A field the engine leaves to the resolvers, and why (the README lists them). */
export interface ResolverOnlyDeclaration {
  kind: 'resolvers';
  reason: string;
}

export type FieldDeclaration = ValueDeclaration | RowsDeclaration | ConnectionDeclaration | ResolverOnlyDeclaration;

/** The `extensions` key the declarations live under. */
export const SQL_EXTENSION = 'palaverSql';

export const sqlSource = (source: SourceDeclaration) => ({ [SQL_EXTENSION]: source });
export const sqlValue = (value: ValueDeclaration['value']) => ({ [SQL_EXTENSION]: { kind: 'value', value } as ValueDeclaration });
export const sqlRows = (rows: Omit<RowsDeclaration, 'kind'>) => ({ [SQL_EXTENSION]: { kind: 'rows', ...rows } as RowsDeclaration });
export const sqlConnection = (connection: Omit<ConnectionDeclaration, 'kind'>) => ({
  [SQL_EXTENSION]: { kind: 'connection', ...connection } as ConnectionDeclaration,
});
export const resolversOnly = (reason: string) => ({ [SQL_EXTENSION]: { kind: 'resolvers', reason } as ResolverOnlyDeclaration });
