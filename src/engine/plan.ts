import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInterfaceType,
  isListType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields.js';
import { getArgumentValues, getVariableValues } from 'graphql/execution/values.js';
import { budgetStartSql, chargeSql } from '../budget.js';
import { aroundKeyset, keyset, type Page } from '../db/queries/page.js';
import type { Limits, MaxLength } from '../limits.js';
import { columnName } from '../db/queries/rows.js';
import type { Access } from '../domain/roles.js';
import { dateTimeSql } from '../schema/date-time.js';
import { decodeGlobalId, globalIdSql } from '../schema/ids.js';
import { cursorSql, pageFromArgs, type CursorKind } from '../schema/pagination.js';
import {
  SQL_EXTENSION,
  type Args,
  type ConnectionDeclaration,
  type FieldDeclaration,
  type Join,
  type RowsDeclaration,
  type Scope,
  type SourceDeclaration,
} from './declare.js';

/*
 * The read engine's planner: a query operation → one SQL statement that builds the response's
 * `data` as JSON in Postgres, from the declarations beside each field (declare.ts).
 *
 * Fields are collected exactly as graphql-js collects them (its own `collectFields`: fragments,
 * type conditions, `@include`/`@skip`, merged keys, key order), arguments and variables coerced by
 * its own functions, so the statement answers the operation as the resolvers would. Every object
 * is a `json_build_object` of its keys; a relation is a correlated subquery on its declaration's
 * rows; a connection is a keyset page (the same `keyset` the resolvers' statements use) read
 * first and limited, then turned into edges, page info and count. Each page is an index range
 * that stops after the page, whatever the size of the list (test/engine.test.ts EXPLAINs them).
 *
 * Whatever it cannot answer exactly like the resolvers, it refuses (`NotCompiled`), and the
 * resolvers answer the whole request: a field without a declaration, a field whose `authScopes`
 * the viewer does not meet, an argument the resolvers would reject (their error is the answer).
 */

export class NotCompiled extends Error {}
const refuse = (why: string): never => {
  throw new NotCompiled(why);
};

type Variables = Record<string, unknown>;

/** A planned read: its statement. */
export interface CompiledRead {
  query: SQL;
}

/**
 * What planning needs besides the request: the limits (a list's `maxLength` may read them), and
 * the comment budget the statement must count itself, or null when the static bound proves the
 * response cannot pass it (src/budget.ts).
 */
export interface PlanOptions {
  limits: Limits;
  countComments: number | null;
}

/** What the planner needs of the request: its visibility, and whether it meets a field's scopes. */
export interface Viewer {
  access: Access;
  /** Whether the viewer meets `authScopes` (object form: any of the scopes). */
  meets(scopes: Record<string, unknown>): boolean;
}

interface Planner {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Variables;
  viewer: Viewer;
  scope: Scope;
  options: PlanOptions;
}

/** The statement answering `operation`, or NotCompiled. */
export function planRead(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  rawVariables: Variables,
  viewer: Viewer,
  options: PlanOptions,
): CompiledRead {
  if (operation.operation !== 'query') refuse('not a query');
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables, { maxErrors: 1 });
  if (coerced.errors) refuse('variables the resolvers will refuse');
  let aliases = 0;
  const p: Planner = {
    schema,
    fragments,
    variables: coerced.coerced!,
    viewer,
    scope: { access: viewer.access, alias: (base) => sql.raw(`${base}${++aliases}`) },
    options,
  };
  const query = schema.getQueryType()!;
  const fields = collectFields(schema, fragments, p.variables, query, operation.selectionSet);
  const data = jsonObject([...fields].map(([key, nodes]) => [key, fieldSql(query, null, key, nodes, p, null)]));
  const budget = options.countComments;
  return { query: budget === null ? sql`select ${data}::text` : sql`select ${data}::text from ${budgetStartSql(budget)}` };
}

// --- The comment budget ------------------------------------------------------------------

/**
 * `object`, once `comments` (an integer expression) are counted against the statement's budget,
 * when it counts (src/budget.ts); the statement stops there when they are too many. A page charges
 * its comments once, as it is aggregated (after the pages inside its rows, built row by row for the
 * aggregate, have charged theirs), and skips the call when it is empty.
 */
function counted(object: SQL, comments: SQL | 1, p: Planner): SQL {
  if (p.options.countComments === null) return object;
  const charge = comments === 1 ? chargeSql(sql`1`) : sql`(case when ${comments} = 0 then true else ${chargeSql(comments)} end)`;
  return sql`(case when ${charge} then ${object} end)`;
}

const isComment = (type: GraphQLObjectType) => type.name === 'Comment';

// --- Objects -----------------------------------------------------------------------------

/** json_build_object takes at most 100 arguments: larger objects are joined as text. */
function jsonObject(pairs: [string, SQL][]): SQL {
  if (pairs.length === 0) return sql`'{}'::json`;
  const chunks: SQL[] = [];
  for (let i = 0; i < pairs.length; i += 50) {
    const chunk = pairs.slice(i, i + 50).map(([key, value]) => sql`${literal(key)}, ${value}`);
    chunks.push(sql`json_build_object(${sql.join(chunk, sql`, `)})`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const middle = chunks.map((chunk, i) => {
    const text = sql`${chunk}::text`;
    const open = i === 0 ? text : sql`substr(${text}, 2)`;
    return i === chunks.length - 1 ? open : sql`left(${open}, -1)`;
  });
  return sql`(${sql.join(middle, sql` || ', ' || `)})::json`;
}

/** A string constant in the statement's text (keys, type names): never from a variable. */
const literal = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);

/**
 * The JSON object for `type` on `row`, with the fields the nodes select. `joins` are the joins of
 * the FROM clause that reads `row`: a field on a row that at most one row matches (`unique`) adds
 * its join there (see rowsSql).
 */
function objectSql(type: GraphQLObjectType, row: SQL, nodes: readonly FieldNode[], p: Planner, joins: SQL[]): SQL {
  const fields = collectSubfields(p.schema, p.fragments, p.variables, type, nodes);
  return jsonObject([...fields].map(([key, fieldNodes]) => [key, fieldSql(type, row, key, fieldNodes, p, joins)]));
}

const joined = (joins: SQL[]) => sql.join(joins, sql` `);

function sourceOf(type: GraphQLObjectType): SourceDeclaration {
  return (type.extensions[SQL_EXTENSION] as SourceDeclaration | undefined) ?? refuse(`${type.name} has no source`);
}

const tableName = (table: PgTable) => sql.raw(`"${getTableConfig(table).name}"`);

function tableOf(type: GraphQLObjectType): PgTable {
  return sourceOf(type).table ?? refuse(`${type.name} has no table`);
}

// --- Fields ------------------------------------------------------------------------------

/**
 * A field's declaration: its own, or the one that follows from how Pothos built it (an exposed
 * property is its column; a Node's `id` its global ID).
 */
export function declarationOf(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldDeclaration | null {
  const own = field.extensions[SQL_EXTENSION] as FieldDeclaration | undefined;
  if (own) return own;
  const exposed = field.extensions.pothosExposedField as string | undefined;
  const source = type.extensions[SQL_EXTENSION] as SourceDeclaration | undefined;
  if (exposed && source?.table && exposed in getTableColumns(source.table)) {
    const column = sql.raw(`"${columnName(source.table, exposed)}"`);
    return { kind: 'value', value: (row) => sql`${row}.${column}` };
  }
  if (field.name === 'id' && type.getInterfaces().some((i) => i.name === 'Node') && source?.table) {
    return { kind: 'value', value: (row) => globalIdSql(type.name, sql`${row}.id`) };
  }
  return null;
}

function fieldSql(type: GraphQLObjectType, row: SQL | null, key: string, nodes: readonly FieldNode[], p: Planner, joins: SQL[] | null): SQL {
  const name = nodes[0]!.name.value;
  if (name === '__typename') return literal(type.name);
  const field = type.getFields()[name] ?? refuse(`no field ${name}`);
  authorize(field, p);
  const args = argumentsOf(field, nodes[0]!, p);
  if (type === p.schema.getQueryType() && isInterfaceType(getNamedType(field.type))) return nodeSql(field, key, nodes, args, p);
  const declaration = declarationOf(type, field) ?? refuse(`${type.name}.${name} has no declaration`);
  switch (declaration.kind) {
    case 'value':
      return encode(declaration.value(row ?? refuse('a value at the root'), p.scope, args), field.type);
    case 'rows':
      return rowsSql(declaration, field, row, key, nodes, args, p, joins);
    case 'connection':
      return connectionSql(declaration, field, row, nodes, args, p);
    case 'resolvers':
      return refuse(declaration.reason);
  }
}

/** The field's arguments as the resolvers get them; an argument they would refuse is theirs to answer. */
function argumentsOf(field: GraphQLField<unknown, unknown>, node: FieldNode, p: Planner): Args {
  try {
    return getArgumentValues(field, node, p.variables);
  } catch {
    return refuse('invalid arguments');
  }
}

/** `authScopes` in object form (any of them suffices), as the scope-auth plugin reads them. */
function authorize(field: GraphQLField<unknown, unknown>, p: Planner) {
  const scopes = (field.extensions.pothosOptions as { authScopes?: unknown } | undefined)?.authScopes;
  if (scopes === undefined) return;
  if (typeof scopes !== 'object' || scopes === null) refuse('authScopes computed by a function');
  if (!p.viewer.meets(scopes as Record<string, unknown>)) refuse('not authorized: the resolvers say so');
}

/** A scalar as the field's type serializes it. */
function encode(value: SQL, type: GraphQLOutputType): SQL {
  const named = getNamedType(type);
  if (named.name === 'DateTime') return dateTimeSql(value);
  if (isEnumType(named)) {
    const cases = named.getValues().map((v) => sql`when ${literal(String(v.value))} then ${literal(v.name)}`);
    return sql`(case ${value}::text ${sql.join(cases, sql` `)} end)`;
  }
  return value;
}

/** Runs a declaration's own checks (decoding IDs, one of id/slug…): what they refuse, the resolvers answer. */
function declared<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof NotCompiled) throw error;
    return refuse('the declaration refused its arguments');
  }
}

/** The column a joined row carries to tell a match from no match (its other columns may all be null). */
const MATCHED = sql.raw('"joined row"');

/**
 * An object or a list of objects from the declaration's rows: a subquery on them, or, for a
 * single row that at most one row matches (`unique`, a key lookup such as a post's author), a
 * left join beside the parent's row. Measured with pgbench on the front page as Apollo sends it
 * (20 posts with their authors), the statement ran at 0.61× of the hand-written floor's rate with
 * a subquery per author (a subplan, started once per post) and at 0.95× with the join; a lateral
 * subquery with `limit 1` did no better than the subplan, so the join has no limit and its
 * subquery is one the planner pulls up into a plain hash or index join.
 */
function rowsSql(
  declaration: RowsDeclaration,
  field: GraphQLField<unknown, unknown>,
  row: SQL | null,
  key: string,
  nodes: readonly FieldNode[],
  args: Args,
  p: Planner,
  parentJoins: SQL[] | null,
): SQL {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return refuse(`${field.name} is not an object`);
  const source = sourceOf(type);
  const a = p.scope.alias(source.alias);
  // A derived row's own joins go beside the parent's row when the row is joined there, else
  // first in the subquery's FROM, before the row that reads them.
  const derivedJoins: SQL[] = [];
  const join: Join = (table, base, on) => {
    const x = p.scope.alias(base);
    derivedJoins.push(sql`left join ${sql.raw(`"${table}"`)} ${x} on ${on(x)}`);
    return x;
  };
  const derived = declaration.from?.(a, row, join);
  const from = !derived
    ? sql`${tableName(tableOf(type))} ${a}`
    : derivedJoins.length
      ? sql`(select 1) ${p.scope.alias('one')} ${joined(derivedJoins)} cross join lateral ${derived}`
      : derived;
  const where = declared(() => declaration.where(a, row, p.scope, args));
  const order = declaration.orderBy ? sql` order by ${declaration.orderBy(a)}` : sql``;
  if (isListType(getNullableType(field.type))) {
    const joins: SQL[] = [];
    const object = objectSql(type, a, nodes, p, joins);
    const list = sql`json_agg(${object}${order})`;
    const aggregate = isComment(type) ? counted(list, sql`count(*)`, p) : list;
    // A list declared `maxLength` (src/limits.ts) holds no more: its first rows, built once limited.
    const max = maxLengthOf(field, p.options.limits);
    const rows = max === null ? sql`${from} ${joined(joins)} where ${where}` : sql`(select ${a}.* from ${from} where ${where}${order} limit ${int(max)}) ${a} ${joined(joins)}`;
    return sql`coalesce((select ${aggregate} from ${rows}), '[]'::json)`;
  }
  if (declaration.unique && parentJoins) {
    // Joined before its own fields add theirs, which may read it.
    const own = derived ?? sql`${tableName(tableOf(type))} ${a}`;
    parentJoins.push(...derivedJoins, sql`left join lateral (select true as ${MATCHED}, ${a}.* from ${own} where ${where}) ${a} on true`);
    const object = objectSql(type, a, nodes, p, parentJoins);
    return sql`(case when ${a}.${MATCHED} then ${isComment(type) ? counted(object, 1, p) : object} end)`;
  }
  const joins: SQL[] = [];
  const object = objectSql(type, a, nodes, p, joins);
  if (isComment(type) && p.options.countComments !== null) {
    // Charged for the one row kept, after the limit.
    return sql`(select ${counted(sql`${a}.object`, 1, p)} from (select ${object} as object from ${from} ${joined(joins)} where ${where}${order} limit 1) ${a})`;
  }
  return sql`(select ${object} from ${from} ${joined(joins)} where ${where}${order} limit 1)`;
}

/** A list field's declared longest length (src/limits.ts), or null. */
function maxLengthOf(field: GraphQLField<unknown, unknown>, limits: Limits): number | null {
  const max = field.extensions.maxLength as MaxLength | undefined;
  return max === undefined ? null : typeof max === 'function' ? max(limits) : max;
}

/** `node(id)` and `nodes(ids)`: the type is in the ID, so the statement knows it. */
function nodeSql(field: GraphQLField<unknown, unknown>, key: string, nodes: readonly FieldNode[], args: Args, p: Planner): SQL {
  const lookup = (id: string) => {
    const decoded = declared(() => decodeGlobalId(id));
    const type = p.schema.getType(decoded.typename);
    if (!isObjectType(type)) return refuse('an ID of no object type');
    const source = sourceOf(type);
    const visible = source.visible ?? refuse(`${type.name} has no lookup`);
    const a = p.scope.alias(source.alias);
    const joins: SQL[] = [];
    const object = objectSql(type, a, nodes, p, joins);
    // One row at most (by primary key): a comment is charged as it is built.
    return sql`(select ${isComment(type) ? counted(object, 1, p) : object} from ${tableName(tableOf(type))} ${a} ${joined(joins)}
                where ${a}.id = ${Number(decoded.id)} and ${visible(a, p.scope)})`;
  };
  if (field.name === 'node') return lookup(args.id as string);
  const found = (args.ids as string[]).map(lookup);
  return found.length ? sql`json_build_array(${sql.join(found, sql`, `)})` : sql`'[]'::json`;
}

// --- Connections -------------------------------------------------------------------------

/** A page's rows (a subquery aliased `a`), which of them are in the page, their reading order, and page info. */
interface PageRows {
  rows: SQL;
  /** Null when every row read is in the page. */
  inPage: SQL | null;
  readingOrder: SQL;
  pageInfo: Record<string, SQL>;
}

/** Numbers in the statement's text, as in the floor: a generic plan for `limit $1` would not know how few rows it takes. */
const int = (value: number) => sql.raw(String(value));

/**
 * A keyset page: with page info, the page's rows and one more (is there another page?), read in
 * the scan direction and numbered (which rows are the page's, which is last); without it, just the
 * page's rows. In pgbench on the front page as Apollo sends it (which asks for no page info), 20
 * rows without row numbers ran at 1.17× the rate of 21 numbered rows.
 */
function keysetRows(
  page: Page,
  table: SQL,
  a: SQL,
  inList: SQL,
  key: SQL[],
  cursorKey: (id: number) => SQL,
  cursorOf: (id: SQL) => SQL,
  withPageInfo: boolean,
): PageRows {
  const k = keyset(page, key, cursorKey);
  const scan = (limit: number) => sql`select * from ${table} ${a} where ${inList} and ${k.where} order by ${k.orderBy} limit ${int(limit)}`;
  if (!withPageInfo) {
    const listOrder = sql.join(key.map((column) => sql`${column} ${page.descending ? sql`desc` : sql`asc`}`), sql`, `);
    return { rows: sql`(${scan(page.limit)}) ${a}`, inPage: null, readingOrder: listOrder, pageInfo: {} };
  }
  const rows = sql`(select ${a}.*, row_number() over (order by ${k.orderBy}) as page_row from (${scan(k.limit)}) ${a}) ${a}`;
  const n = sql`${a}.page_row`;
  const more = sql`count(*) > ${int(page.limit)}`;
  const last = sql`least(count(*), ${int(page.limit)})`;
  // The page's ids are aggregated and only the one picked is encoded: encoding every row's cursor
  // to keep one took the bench's thread pages 10–15% more of Postgres's time (a PL/pgSQL loop of
  // 1,500 runs: 0.34–0.35 → 0.29–0.33 ms for the first page, 0.36–0.39 → 0.31–0.35 for one 9,000 in).
  const cursorAt = (index: SQL) => cursorOf(sql`(array_agg(${a}.id order by ${n}))[${index}]`);
  return {
    rows,
    inPage: sql`${n} <= ${int(page.limit)}`,
    readingOrder: page.fromEnd ? sql`${n} desc` : n,
    pageInfo: {
      hasNextPage: page.fromEnd ? sql.raw(String(page.before !== null)) : more,
      hasPreviousPage: page.fromEnd ? more : sql.raw(String(page.after !== null)),
      startCursor: cursorAt(page.fromEnd ? last : sql`1`),
      endCursor: cursorAt(page.fromEnd ? sql`1` : last),
    },
  };
}

/**
 * A page around a row (aroundKeyset): the scans before it and from it, each numbered in reading
 * order within its side (`page_before`); the page is the last `split.before` rows of the first
 * side and the first `split.from` of the second. Page info as toAroundPage computes it.
 */
function aroundRows(page: Page, table: SQL, a: SQL, inList: SQL, key: SQL[], cursorKey: (id: number) => SQL, cursorOf: (id: SQL) => SQL): PageRows {
  const k = aroundKeyset(page, key, cursorKey);
  const scan = (side: typeof k.before, before: boolean) =>
    sql`(select *, ${sql.raw(String(before))} as page_before from ${table} ${a} where ${inList} and ${side.where} order by ${side.orderBy} limit ${int(side.limit)})`;
  const rows = sql`(select ${a}.*, row_number() over (partition by ${a}.page_before order by ${k.readingOrder}) as page_row,
      count(*) over (partition by ${a}.page_before) as side_rows
    from (${scan(k.before, true)} union all ${scan(k.from, false)}) ${a}) ${a}`;
  const [n, before] = [sql`${a}.page_row`, sql`${a}.page_before`];
  const inPage = sql`(case when ${before} then ${n} > ${a}.side_rows - ${int(k.split.before)} else ${n} <= ${int(k.split.from)} end)`;
  const readingOrder = sql`${before} desc, ${n}`;
  // Ids, encoded once picked (keysetRows).
  const ids = sql`array_agg(${a}.id order by ${readingOrder}) filter (where ${inPage})`;
  const fromRows = sql`count(*) filter (where not ${before})`;
  return {
    rows,
    inPage,
    readingOrder,
    pageInfo: {
      hasNextPage: sql`${fromRows} > ${int(k.split.from)}`,
      hasPreviousPage: sql`(count(*) filter (where ${before}) > ${int(k.split.before)} or ${fromRows} = 0)`,
      startCursor: cursorOf(sql`(${ids})[1]`),
      endCursor: cursorOf(sql`(${ids})[count(*) filter (where ${inPage})]`),
    },
  };
}

function typeOfField(type: GraphQLObjectType, name: string): GraphQLObjectType {
  const field = type.getFields()[name] ?? refuse(`${type.name}.${name}`);
  const named = getNamedType(field.type);
  return isObjectType(named) ? named : refuse(`${type.name}.${name} is not an object`);
}

/**
 * A page of a connection as one subquery: the page's rows (with page info, one more, to know
 * whether another page follows, and numbered) read by keyset in the scan direction, then
 * aggregated into edges in the order the client reads them. Everything else of a node is built
 * for those rows only.
 */
function connectionSql(
  declaration: ConnectionDeclaration,
  field: GraphQLField<unknown, unknown>,
  row: SQL | null,
  nodes: readonly FieldNode[],
  args: Args,
  p: Planner,
): SQL {
  const connection = getNamedType(field.type) as GraphQLObjectType;
  const edge = typeOfField(connection, 'edges');
  const node = typeOfField(edge, 'node');
  const kind = node.name as CursorKind;
  const page = declared(() => pageFromArgs(args, kind, declaration.descending?.(args) ?? false));
  const table = tableName(tableOf(node));
  const alias = sourceOf(node).alias;
  const a = p.scope.alias(alias);
  const inList = (x: SQL) => declared(() => declaration.where(x, row, p.scope, args));
  const cursorKey = (id: number) => {
    const b = p.scope.alias(alias);
    return sql`select ${sql.join(declaration.key(b, args), sql`, `)} from ${table} ${b} where ${b}.id = ${id} and ${inList(b)}`;
  };
  const cursorOf = (id: SQL) => cursorSql(kind, id);
  const cursor = cursorOf(sql`${a}.id`);
  const fields = collectSubfields(p.schema, p.fragments, p.variables, connection, nodes);
  const withPageInfo = [...fields.values()].some((fieldNodes) => fieldNodes[0]!.name.value === 'pageInfo');
  const { rows, inPage, readingOrder, pageInfo } =
    page.around != null
      ? aroundRows(page, table, a, inList(a), declaration.key(a, args), cursorKey, cursorOf)
      : keysetRows(page, table, a, inList(a), declaration.key(a, args), cursorKey, cursorOf, withPageInfo);

  // The joins of the page's rows (see rowsSql).
  const joins: SQL[] = [];
  const edgeSql = (edgeNodes: readonly FieldNode[]) => {
    const fields = collectSubfields(p.schema, p.fragments, p.variables, edge, edgeNodes);
    const pairs = [...fields].map(([key, fieldNodes]): [string, SQL] => {
      const name = fieldNodes[0]!.name.value;
      if (name === 'cursor') return [key, cursor];
      if (name === 'node') return [key, objectSql(node, a, fieldNodes, p, joins)];
      // __typename, and fields of the edge itself (declared on the node's row).
      return [key, fieldSql(edge, a, key, fieldNodes, p, joins)];
    });
    const filter = inPage ? sql` filter (where ${inPage})` : sql``;
    return sql`coalesce(json_agg(${jsonObject(pairs)} order by ${readingOrder})${filter}, '[]'::json)`;
  };
  const pageInfoType = typeOfField(connection, 'pageInfo');
  const pageInfoSql = (infoNodes: readonly FieldNode[]) => {
    const fields = collectSubfields(p.schema, p.fragments, p.variables, pageInfoType, infoNodes);
    return jsonObject(
      [...fields].map(([key, fieldNodes]): [string, SQL] => {
        const name = fieldNodes[0]!.name.value;
        return [key, name === '__typename' ? literal(pageInfoType.name) : (pageInfo[name] ?? refuse(`PageInfo.${name}`))];
      }),
    );
  };
  let paged = false;
  const pairs = [...fields].map(([key, fieldNodes]): [string, SQL] => {
    const name = fieldNodes[0]!.name.value;
    if (name === 'totalCount') return [key, declaration.count(row, p.scope, args)];
    if (name === '__typename') return [key, literal(connection.name)];
    paged = true;
    if (name === 'edges') return [key, edgeSql(fieldNodes)];
    if (name === 'pageInfo') return [key, pageInfoSql(fieldNodes)];
    return refuse(`${connection.name}.${name}`);
  });
  // Edges and page info aggregate the page (one row, even for an empty page); without them the
  // page is not read at all. A page of comments charges those in it (src/budget.ts).
  if (!paged) return jsonObject(pairs);
  const object = isComment(node) ? counted(jsonObject(pairs), inPage ? sql`count(*) filter (where ${inPage})` : sql`count(*)`, p) : jsonObject(pairs);
  return sql`(select ${object} from ${rows} ${joined(joins)})`;
}
