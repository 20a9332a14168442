import { getTableColumns, sql, type InferSelectModel, type SQL } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/*
 * Raw statements (lateral joins, tree walks) cannot go through drizzle's query builder, but their
 * rows should look exactly like the builder's. These two helpers keep one column list per table:
 * `columns` renders `alias.column as "prefixcolumn"` for a select list, and `readRow` decodes such
 * a row with each column's own driver mapping (timestamps to Date, bigint arrays to numbers).
 */

type Key<T extends PgTable> = keyof T['_']['columns'] & string;

function dbName(column: { name: string; keyAsName: boolean }): string {
  return column.keyAsName ? toSnakeCase(column.name) : column.name;
}

/** The database name of a table's column, by its property name. */
export function columnName<T extends PgTable>(table: T, key: Key<T>): string {
  return dbName(getTableColumns(table)[key] as unknown as { name: string; keyAsName: boolean });
}

export function columns<T extends PgTable>(
  table: T,
  alias: string,
  options: { prefix?: string; omit?: readonly Key<T>[] } = {},
): SQL {
  const prefix = options.prefix ?? '';
  const list = Object.entries(getTableColumns(table))
    .filter(([key]) => !options.omit?.includes(key as Key<T>))
    .map(([, column]) => `${alias}."${dbName(column)}" as "${prefix}${dbName(column)}"`);
  return sql.raw(list.join(', '));
}

type Decoder = { key: string; name: string; decode: ((value: unknown) => unknown) | null }[];
const decoders = new WeakMap<PgTable, Map<string, Decoder>>();

/** The columns to read for a table and prefix, computed once: rows are many, columns few. */
function decoderFor(table: PgTable, prefix: string): Decoder {
  let byPrefix = decoders.get(table);
  if (!byPrefix) decoders.set(table, (byPrefix = new Map()));
  let decoder = byPrefix.get(prefix);
  if (!decoder) {
    decoder = Object.entries(getTableColumns(table)).map(([key, column]) => ({
      key,
      name: prefix + dbName(column),
      // Text, numbers and booleans arrive as they are; only the others need the column's mapping.
      decode: ['string', 'number', 'boolean'].includes(column.dataType) ? null : (value: unknown) => column.mapFromDriverValue(value),
    }));
    byPrefix.set(prefix, decoder);
  }
  return decoder;
}

export function readRow<T extends PgTable>(
  table: T,
  row: Record<string, unknown>,
  prefix = '',
): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const { key, name, decode } of decoderFor(table, prefix)) {
    if (!(name in row)) continue;
    const value = row[name];
    out[key] = value === null || value === undefined ? null : decode ? decode(value) : value;
  }
  return out as InferSelectModel<T>;
}

/** An array element as Postgres reads it inside an array literal: a number, a quoted string, or NULL. */
function arrayElement(item: unknown): string {
  if (item === null || item === undefined) return 'NULL';
  if (typeof item === 'number') return String(item);
  if (typeof item === 'string') return `"${item.replace(/[\\"]/g, '\\$&')}"`;
  throw new Error(`insertRows: cannot write ${typeof item} inside an array`);
}

/** A value as Postgres reads it from text for a column of `sqlType`: the form every column takes through `insertRows`. */
function asText(value: unknown, sqlType: string): string | null {
  if (value === null || value === undefined) return null;
  if (sqlType === 'json' || sqlType === 'jsonb') return JSON.stringify(value);
  if (sqlType.endsWith('[]')) {
    if (!Array.isArray(value)) throw new Error(`insertRows: a ${sqlType} column takes an array`);
    return `{${value.map(arrayElement).join(',')}}`;
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') throw new Error(`insertRows: cannot write an object to a ${sqlType} column`);
  return String(value);
}

/**
 * `insert into table (…) select … from unnest($1::text[], $2::text[], …)`: many rows in a
 * statement of one parameter per column, each cast back with the column's SQL type. Drizzle's
 * builder makes rows × columns parameters and spent 7.8 s of CPU building and binding the
 * 100,000 comments of `npm run bench:import` (of 27 s for the whole import); this takes 0.4 s.
 * (Text, because postgres.js serializes neither booleans, times nor nested arrays inside an array.)
 * Every row must set the same columns: one left out would be null here, not its default.
 */
export function insertRows<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): SQL {
  const keys = Object.keys(rows[0] ?? {});
  const expected = new Set(keys);
  const all = getTableColumns(table) as Record<string, PgColumn>;
  if (keys.some((key) => !all[key])) throw new Error(`insertRows: no such column among ${keys.join(', ')}`);
  for (const row of rows) {
    const own = Object.keys(row);
    if (own.length !== keys.length || own.some((key) => !expected.has(key)))
      throw new Error(`insertRows: every row must set the same columns (${keys.join(', ')}), not ${own.join(', ')}`);
  }
  const names = keys.map((key) => `"${dbName(all[key]!)}"`);
  const arrays = keys.map((key) => {
    const type = all[key]!.getSQLType();
    return sql`${sql.param(rows.map((row) => asText((row as Record<string, unknown>)[key], type)))}::text[]`;
  });
  const casts = keys.map((key, i) => `v.${names[i]}::${all[key]!.getSQLType()}`);
  return sql`insert into ${table} (${sql.raw(names.join(', '))}) select ${sql.raw(casts.join(', '))}
    from unnest(${sql.join(arrays, sql`, `)}) as v(${sql.raw(names.join(', '))})`;
}
