import { Kind, type ExecutionArgs, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { SQL } from 'drizzle-orm';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from './context.js';
import { renderStatement, type Db } from './db/client.js';
import {
  authorScalars,
  commentAuthorScalars,
  commentScalars,
  postScalars,
  postPageQuery,
  postTreeQuery,
  readJson,
  type JsonText,
  type PostLookup,
  type TreeField,
} from './db/queries/post-tree.js';
import type { Logger } from './logger.js';
import { keyOf } from './schema/ids.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './schema/pagination.js';
import { isSingleJsonResponse, keyedRequest, type Shortcut } from './shortcuts.js';

/*
 * Compiled reads. The reads that front pages, post pages and thread views send — a first page of
 * posts, or one post by slug or ID, with post fields, the author, and comments with replies nested
 * to any depth, each level paged with `first` — are answered by one SQL statement that builds the
 * response JSON in Postgres (db/queries/post-tree.ts), instead of a statement per level and
 * graphql-js resolving thousands of objects one field at a time (which was most of the deep
 * thread's CPU and memory).
 *
 * Only those shapes are compiled, for anonymous requests; anything else — another root field,
 * fragments, directives, cursors, `pageInfo`, `totalCount`, an argument that the resolvers would
 * refuse, a token holder (who may see drafts and held comments) — runs through the resolvers as
 * usual, and so does a tree that turns out larger than the comment budget (so that it gets the
 * resolvers' LIMIT_EXCEEDED). test/compiled.test.ts checks that both ways give the same data.
 *
 * It replaces `execute`, so it runs after validation and the limits, and inside the response
 * cache, whose `__typename`/`id` fields it answers like any other selection.
 */

type Variables = Record<string, unknown>;

/** Thrown while planning: this request is not of the compiled shape. */
class NotCompiled extends Error {}
const refuse = (): never => {
  throw new NotCompiled();
};

function valueOf(node: ValueNode | undefined, variables: Variables): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return node.name.value in variables ? variables[node.name.value] : refuse();
    case Kind.INT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.NULL:
      return null;
    default:
      return refuse();
  }
}

function fieldsOf(selectionSet: SelectionSetNode | undefined): FieldNode[] {
  if (!selectionSet) return refuse();
  return selectionSet.selections.map((selection) =>
    selection.kind === Kind.FIELD && !selection.directives?.length ? selection : refuse(),
  );
}

/** The arguments of a field, which must be among `allowed`. */
function argumentsOf(field: FieldNode, allowed: string[], variables: Variables): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) {
    if (!allowed.includes(argument.name.value)) refuse();
    args[argument.name.value] = valueOf(argument.value, variables);
  }
  return args;
}

const keyOfField = (field: FieldNode) => field.alias?.value ?? field.name.value;

function scalarsPlan<K extends string>(
  field: FieldNode,
  scalars: Record<K, unknown>,
  typename: string,
  toField: (key: string, name: K) => TreeField,
  objects: Record<string, (field: FieldNode) => TreeField> = {},
): TreeField {
  const name = field.name.value;
  if (name === '__typename') return { key: keyOfField(field), kind: 'typename', typename };
  if (Object.hasOwn(scalars, name)) {
    return field.selectionSet || field.arguments?.length ? refuse() : toField(keyOfField(field), name as K);
  }
  return Object.hasOwn(objects, name) ? objects[name]!(field) : refuse();
}

function selectionPlan(field: FieldNode, plan: (field: FieldNode) => TreeField): TreeField[] {
  const fields = fieldsOf(field.selectionSet).map(plan);
  // A key asked twice is one field merged from both selections in GraphQL: left to the resolvers.
  if (new Set(fields.map((f) => f.key)).size !== fields.length) refuse();
  // json_build_object takes at most 100 arguments: 50 keys and values.
  return fields.length > 50 ? refuse() : fields;
}

function pageOf(field: FieldNode, variables: Variables, defaultOrder = 'OLDEST_FIRST') {
  const args = argumentsOf(field, ['first', 'order'], variables);
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) refuse();
  const order = args.order ?? defaultOrder;
  if (order !== 'OLDEST_FIRST' && order !== 'NEWEST_FIRST') refuse();
  return { limit: limit as number, descending: order === 'NEWEST_FIRST' };
}

/** The selection of a connection: `edges { node }` and `__typename`s, nothing else. */
function connectionPlan(field: FieldNode, type: 'Comment' | 'Post', node: (field: FieldNode) => TreeField): TreeField[] {
  return selectionPlan(field, (f) => {
    if (f.name.value === '__typename') return { key: keyOfField(f), kind: 'typename', typename: `${type}Connection` };
    if (f.name.value !== 'edges' || f.arguments?.length) return refuse();
    return {
      key: keyOfField(f),
      kind: 'edges',
      fields: selectionPlan(f, (e) => {
        if (e.name.value === '__typename') return { key: keyOfField(e), kind: 'typename', typename: `${type}Edge` };
        if (e.name.value !== 'node' || e.arguments?.length) return refuse();
        return { key: keyOfField(e), kind: 'node', fields: selectionPlan(e, node) };
      }),
    };
  });
}

function commentsPlan(field: FieldNode, variables: Variables): TreeField {
  const page = pageOf(field, variables);
  return { key: keyOfField(field), kind: 'comments', page, fields: connectionPlan(field, 'Comment', (c) => commentPlan(c, variables)) };
}

function commentPlan(field: FieldNode, variables: Variables): TreeField {
  return scalarsPlan(field, commentScalars, 'Comment', (key, name) => ({ key, kind: 'comment', field: name }), {
    author: (f) => ({
      key: keyOfField(f),
      kind: 'commentAuthor',
      fields: selectionPlan(f, (a) =>
        scalarsPlan(a, commentAuthorScalars, 'CommentAuthor', (key, name) => ({ key, kind: 'commentAuthorScalar', field: name })),
      ),
    }),
    replies: (f) => commentsPlan(f, variables),
  });
}

function postPlan(field: FieldNode, variables: Variables): TreeField {
  return scalarsPlan(field, postScalars, 'Post', (key, name) => ({ key, kind: 'post', field: name }), {
    author: (f) => ({
      key: keyOfField(f),
      kind: 'author',
      fields: selectionPlan(f, (a) => scalarsPlan(a, authorScalars, 'Author', (key, name) => ({ key, kind: 'authorScalar', field: name }))),
    }),
    comments: (f) => commentsPlan(f, variables),
  });
}

/** A compiled request: its one root field, `post` (by slug or ID) or `posts` (a first page). */
export interface CompiledRead {
  /** The one statement that answers it. */
  query: SQL;
  commentNodes: Set<string>;
  /** The `data` object's keys in order: the root field's key, and any `__typename`s. */
  rootKeys: { key: string; typename: boolean }[];
}

/** The compiled form of a request, or null when it must go through the resolvers. */
export function compile(operation: OperationDefinitionNode, variables: Variables): CompiledRead | null {
  try {
    if (operation.operation !== 'query' || operation.directives?.length) return null;
    // One root field, and any `__typename` (the response cache asks for one).
    const selections = fieldsOf(operation.selectionSet);
    const roots = selections.filter((f) => f.name.value !== '__typename');
    const root = roots[0];
    if (!root || roots.length > 1) return null;
    const rootKeys = selections.map((f) => ({ key: keyOfField(f), typename: f !== root }));
    if (root.name.value === 'posts') {
      const page = pageOf(root, variables, 'NEWEST_FIRST');
      const fields = connectionPlan(root, 'Post', (f) => postPlan(f, variables));
      return { rootKeys, query: postPageQuery(page, fields), commentNodes: commentNodeKeys(fields) };
    }
    if (root.name.value !== 'post') return null;
    const { id, slug } = argumentsOf(root, ['id', 'slug'], variables);
    let lookup: PostLookup;
    if (typeof slug === 'string' && id == null) lookup = { slug };
    else if (typeof id === 'string' && slug == null) lookup = { id: keyOf(id, 'Post') };
    else return null;
    const fields = selectionPlan(root, (f) => postPlan(f, variables));
    return { rootKeys, query: postTreeQuery(lookup, fields), commentNodes: commentNodeKeys(fields) };
  } catch {
    // NotCompiled, or an ID the resolvers will refuse with a proper error.
    return null;
  }
}

/** The keys under which comment nodes appear (`node`, or its aliases), at every level. */
function commentNodeKeys(fields: TreeField[], keys = new Set<string>(), inComments = false): Set<string> {
  for (const field of fields) {
    if (field.kind === 'node' && inComments) keys.add(field.key);
    if ('fields' in field) commentNodeKeys(field.fields, keys, field.kind === 'comments' || (inComments && field.kind === 'edges'));
  }
  return keys;
}

/**
 * Comments in a compiled response, for the comment budget, counted in Postgres's JSON text
 * without parsing it: every comment node is an object under its node key, which Postgres's json
 * writes as `"node" : {` (a quote inside a string is always escaped, so no text can imitate it).
 * Any other object under the same key (an alias, the posts' own nodes) can only make the count
 * higher, so a tree within the budget is never refused here (the resolvers decide then).
 */
function countComments(json: JsonText, keys: Set<string>): number {
  let count = 0;
  for (const key of keys) {
    const marker = `${JSON.stringify(key)} : {`;
    for (let at = json.indexOf(marker); at !== -1; at = json.indexOf(marker, at + marker.length)) count++;
  }
  return count;
}

/**
 * Runs a compiled read: the response body in pieces (Postgres's JSON among them, as the driver
 * handed it over), or null when it holds more comments than `budget` (then the resolvers answer,
 * and refuse it with LIMIT_EXCEEDED).
 */
async function run(db: Db, compiled: CompiledRead, budget: number): Promise<JsonText[] | null> {
  const json = await readJson(db, compiled.query);
  if (countComments(json, compiled.commentNodes) > budget) return null;
  const body: JsonText[] = ['{"data":{'];
  compiled.rootKeys.forEach(({ key, typename }, i) => body.push(`${i ? ',' : ''}${JSON.stringify(key)}:`, typename ? '"Query"' : json));
  body.push('}}');
  return body;
}

const bodyText = (body: JsonText[]) => body.map((piece) => piece.toString()).join('');

/**
 * Compiled plans, a shortcut past yoga (see shortcuts.ts): for a request that yoga answered with
 * a compiled read, what it ran and the headers it sent, so that a byte-identical repeat runs the
 * same statement for fresh data without parsing, validating or executing anything. A plan
 * depends only on the request's bytes, never on the data, so it stays right as the data changes.
 */
export class CompiledPlans implements Shortcut {
  private readonly plans: LRUCache<string, Plan>;
  /** Requests answered from a plan (tests read it). */
  served = 0;

  constructor(
    private readonly db: Db,
    private readonly budget: number,
    private readonly logger: Logger,
    capBytes = PLAN_BYTES,
  ) {
    this.plans = new LRUCache({ maxSize: capBytes, maxEntrySize: capBytes / 8, sizeCalculation: (plan, key) => planSize(key, plan) });
  }

  async answer(key: string, res: ServerResponse): Promise<boolean> {
    const plan = this.plans.get(key);
    if (!plan) return false;
    let body: JsonText[] | null;
    try {
      body = await run(this.db, plan.compiled, this.budget);
    } catch (error) {
      this.logger.warn('A compiled read failed; answering it through yoga:', error);
      return false;
    }
    if (body === null) return false;
    this.served++;
    const length = body.reduce((sum, piece) => sum + Buffer.byteLength(piece), 0);
    res.writeHead(200, { ...plan.headers, 'content-length': length });
    // Corked: the pieces leave in one write.
    res.cork();
    for (const piece of body) res.write(piece);
    res.end();
    return true;
  }

  remember(key: string, compiled: CompiledRead, headers: OutgoingHttpHeaders) {
    const { 'content-length': _length, ...rest } = headers;
    this.plans.set(key, { compiled, headers: rest });
  }

  /** Bytes held now (tests read it). */
  get size(): number {
    return this.plans.calculatedSize;
  }
}

interface Plan {
  compiled: CompiledRead;
  headers: OutgoingHttpHeaders;
}

/** Plans take at most this much memory per process (the least recently used go first). */
export const PLAN_BYTES = 16 * 1024 * 1024;

/**
 * What a plan keeps alive, about: its statement twice (the statement object's pieces, and its text
 * rendered for the driver), parameters, key and headers.
 */
function planSize(key: string, { compiled, headers }: Plan): number {
  const { sql, params } = renderStatement(compiled.query);
  let size = 2 * sql.length + JSON.stringify(params).length + key.length + 500;
  for (const [name, value] of Object.entries(headers)) size += name.length + String(value).length;
  return size;
}

/**
 * The plugin. `plans`: answer with Postgres's JSON text as it is (instead of serializing `data`
 * again) and record plans for repeats. Only without the response cache, which must see every
 * response's `data` (and would keep the text alive with it).
 */
export function useCompiledReads(plans: CompiledPlans | null): Plugin<Context> {
  // Requests that a compiled read answered, by their Node request, to record their plans.
  const answered = new WeakMap<object, CompiledRead>();
  return {
    onExecute({ setExecuteFn, executeFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const context = args.contextValue as Context;
        const operations = args.document.definitions.filter(
          (d): d is OperationDefinitionNode =>
            d.kind === Kind.OPERATION_DEFINITION && (args.operationName == null || d.name?.value === args.operationName),
        );
        const operation = operations.length === 1 ? operations[0] : undefined;
        const compiled = operation && !context.viewer ? compile(operation, (args.variableValues ?? {}) as Variables) : null;
        if (!compiled) return executeFn(args);
        let body: JsonText[] | null;
        try {
          body = await run(context.db, compiled, context.services.config.limits.commentBudget);
        } catch (error) {
          // The resolvers answer it (a field error, masked, logged) as for any other read.
          context.services.logger.warn('A compiled read failed; answering it through the resolvers:', error);
          return executeFn(args);
        }
        if (body === null) return executeFn(args);
        const text = bodyText(body);
        const parse = () => (JSON.parse(text) as { data: Record<string, unknown> }).data;
        if (!plans) return { data: parse() };
        const keyed = keyedRequest(args.contextValue as object);
        if (keyed) answered.set(keyed.req, compiled);
        // `data` is parsed only if something asks for it; the response is the text itself.
        let data: Record<string, unknown> | undefined;
        return {
          get data() {
            return (data ??= parse());
          },
          // Unless a plugin added errors or extensions, which the text does not hold.
          stringify: (result: { errors?: unknown; extensions?: unknown }) =>
            result.errors === undefined && result.extensions === undefined ? text : JSON.stringify(result),
        };
      });
    },
    onResponse({ response, serverContext }) {
      const keyed = keyedRequest(serverContext);
      const compiled = keyed && answered.get(keyed.req);
      if (plans && compiled && isSingleJsonResponse(response)) plans.remember(keyed.key, compiled, Object.fromEntries(response.headers));
    },
  };
}
