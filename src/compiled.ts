import { Kind, type ExecutionArgs, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import {
  authorScalars,
  commentAuthorScalars,
  commentScalars,
  postScalars,
  postTree,
  type PostLookup,
  type TreeField,
} from './db/queries/post-tree.js';
import { keyOf } from './schema/ids.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './schema/pagination.js';

/*
 * Compiled reads. The read that post pages and thread views send — one post by slug or ID, its
 * fields and author, and its comments with replies nested to any depth, each level paged with
 * `first` — is answered by one SQL statement that builds the response JSON in Postgres
 * (db/queries/post-tree.ts), instead of a statement per level and graphql-js resolving thousands
 * of objects one field at a time (which was most of the deep thread's CPU and memory).
 *
 * Only that exact shape is compiled, for anonymous requests; anything else — another root field,
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
  if (field.arguments?.length && !objects[name]) refuse();
  if (Object.hasOwn(scalars, name)) return field.selectionSet ? refuse() : toField(keyOfField(field), name as K);
  return objects[name]?.(field) ?? refuse();
}

function selectionPlan(
  field: FieldNode,
  plan: (field: FieldNode) => TreeField,
): TreeField[] {
  const fields = fieldsOf(field.selectionSet).map(plan);
  // json_build_object takes at most 100 arguments: 50 keys and values.
  return fields.length > 50 ? refuse() : fields;
}

function pageOf(field: FieldNode, variables: Variables) {
  const args = argumentsOf(field, ['first', 'order'], variables);
  const limit = args.first ?? DEFAULT_PAGE_SIZE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) refuse();
  const order = args.order ?? 'OLDEST_FIRST';
  if (order !== 'OLDEST_FIRST' && order !== 'NEWEST_FIRST') refuse();
  return { limit: limit as number, descending: order === 'NEWEST_FIRST' };
}

function commentsPlan(field: FieldNode, variables: Variables): TreeField {
  const page = pageOf(field, variables);
  const fields = selectionPlan(field, (f) => {
    if (f.name.value === '__typename') return { key: keyOfField(f), kind: 'typename', typename: 'CommentConnection' };
    if (f.name.value !== 'edges' || f.arguments?.length) return refuse();
    return {
      key: keyOfField(f),
      kind: 'edges',
      fields: selectionPlan(f, (e) => {
        if (e.name.value === '__typename') return { key: keyOfField(e), kind: 'typename', typename: 'CommentEdge' };
        if (e.name.value !== 'node' || e.arguments?.length) return refuse();
        return { key: keyOfField(e), kind: 'node', fields: selectionPlan(e, (c) => commentPlan(c, variables)) };
      }),
    };
  });
  return { key: keyOfField(field), kind: 'comments', page, fields };
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

export interface CompiledRead {
  key: string;
  lookup: PostLookup;
  fields: TreeField[];
}

/** The compiled form of a request, or null when it must go through the resolvers. */
export function compile(operation: OperationDefinitionNode, variables: Variables): CompiledRead | null {
  try {
    if (operation.operation !== 'query' || operation.directives?.length) return null;
    const [root, ...others] = fieldsOf(operation.selectionSet);
    if (!root || others.length || root.name.value !== 'post') return null;
    const { id, slug } = argumentsOf(root, ['id', 'slug'], variables);
    let lookup: PostLookup;
    if (typeof slug === 'string' && id == null) lookup = { slug };
    else if (typeof id === 'string' && slug == null) lookup = { id: keyOf(id, 'Post') };
    else return null;
    return { key: keyOfField(root), lookup, fields: selectionPlan(root, (f) => postPlan(f, variables)) };
  } catch {
    // NotCompiled, or an ID the resolvers will refuse with a proper error.
    return null;
  }
}

/** Comments in a compiled response, counted along its plan (for the comment budget). */
function countComments(value: unknown, fields: TreeField[]): number {
  if (value === null || typeof value !== 'object') return 0;
  const object = value as Record<string, unknown>;
  let count = 0;
  for (const field of fields) {
    if (field.kind === 'comments') {
      for (const edges of field.fields) {
        if (edges.kind !== 'edges') continue;
        for (const edge of object[field.key] ? ((object[field.key] as Record<string, unknown>)[edges.key] as unknown[]) : []) {
          for (const node of edges.fields) {
            if (node.kind !== 'node') continue;
            count += 1 + countComments((edge as Record<string, unknown>)[node.key], node.fields);
          }
        }
      }
    }
  }
  return count;
}

/**
 * `splice`: answer with Postgres's JSON text as it is, instead of serializing `data` again. Only
 * without the response cache, which rewrites `data` and would keep the text alive with it.
 */
export function useCompiledReads({ splice }: { splice: boolean }): Plugin<Context> {
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
        let post: string;
        try {
          post = await postTree(context.db, compiled.lookup, compiled.fields);
        } catch (error) {
          // The resolvers answer it (a field error, masked, logged) as for any other read.
          context.services.logger.warn('A compiled read failed; answering it through the resolvers:', error);
          return executeFn(args);
        }
        const data = { [compiled.key]: JSON.parse(post) as unknown };
        if (countComments(data[compiled.key], compiled.fields) > context.services.config.limits.commentBudget) return executeFn(args);
        if (!splice) return { data };
        const key = JSON.stringify(compiled.key);
        return { data, stringify: (result: { data?: unknown }) => (result.data === data ? `{"data":{${key}:${post}}}` : JSON.stringify(result)) };
      });
    },
  };
}
