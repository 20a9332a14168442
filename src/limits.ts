import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  getNamedType,
  isAbstractType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { collectSubfields } from 'graphql/execution/collectFields.js';
import { getArgumentValues } from 'graphql/execution/values.js';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { clientError } from './errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './schema/pagination.js';

/*
 * Limits on what one request may ask, checked before anything runs: document size, tokens,
 * aliases, depth, the length of list arguments, and a static cost that is an upper bound on the
 * response. Refusals carry `extensions.code: LIMIT_EXCEEDED` (an over-long list argument:
 * BAD_USER_INPUT) and run no SQL.
 *
 * ## The cost: an upper bound on what the response can hold
 *
 * The cost of a document is at most the number of objects its response can hold, plus the rows a
 * page reads without returning them (a page asked only for its page info) and the extra work a
 * field declares (`weight`, e.g. a search). Scalars are free: each sits in an object already
 * counted, and a field's own work is O(1) unless it declares more.
 *
 * Lists multiply. A field's objects are counted once per occurrence of its parent, and a list's
 * items times its longest length: a connection its page size (`first`/`last`, 20 by default, at
 * most 100), `nodes(ids:)` its number of IDs, any other list the `maxLength` declared beside it
 * (`ancestors`: MAX_COMMENT_DEPTH − 1; test/limits.test.ts fails for a list field without one).
 * A field that walks back up or sideways (`Comment.post`, `parent`, `ancestors`, `Post.author`,
 * `Author.posts`…) re-enters the graph: what it selects is counted again for every object it hangs
 * from, so a thread reached again from each comment of a thread costs the product of the two.
 *
 * One exception keeps deep threads affordable: a walk down one reply tree. From a post (or a
 * comment reached otherwise), the fields declared `descends()` (`Post.comments`, `Post.thread`,
 * `Comment.replies`) list comments below it, and a walk of them, however deep and wide its pages,
 * ends where the comment budget does: the run-time budget (src/budget.ts) refuses any response
 * holding more than COMMENT_BUDGET comments, counting every comment each time it is put in the
 * response, on every path. So a walk's comments cost at most what the budget lets through: its
 * positions (each level of pages: up to `items` comments per walk, each costing `each` with what
 * it selects) are filled greedily, the costliest comments first, up to the budget's number of
 * comments (`walkBound`), instead of the product of their page sizes. Only a walk's own levels
 * share that cap; whatever a comment of the walk reaches by re-entering (its `post` and that
 * post's thread) is a walk of its own, counted for every such comment.
 *
 * Worked example, with the defaults (COMMENT_BUDGET 5,000, MAX_QUERY_COST 50,000):
 * - `post { comments(first: 50) { edges { node { id author { name } replies(first: 50) { edges {
 *   node { id … 5 more levels … } } } } } } }`, the deep-thread query: one walk of 7 levels
 *   (50, 2,500, 125,000… comments each), each comment costing its edge, node, author and replies
 *   connection (4 objects; the deepest level 3). Its 5,000 comments at most cost 20,000, plus the
 *   post: 20,001. Accepted.
 * - `post { thread(first: 30) { edges { node { post { thread(first: 30) { edges { node { post {
 *   thread(first: 30) { … } } } } } } } } } }`, a thread re-entered from each of its comments, four
 *   levels: the innermost walk (30 comments × 2 objects, with its connection and post: 62) is
 *   counted for each of the 30 comments of the walk above it, and so on: 30 × (4 + 30 × (4 + 30 ×
 *   (4 + 62))) ≈ 1.8 million. Refused before any SQL runs; it returned 810,000 comments before.
 *
 * Besides the cost, the measure gives `comments`, the plain product bound on comments a response
 * can hold (no budget cap): when it is within the budget the read engine needs no run-time
 * counting at all (src/engine/index.ts).
 *
 * Introspection (`__schema`, `__type`) is counted exactly, on the schema itself: its size is known
 * before anything runs, and the count stops as soon as it passes the limit, so nested
 * introspection costs at most MAX_QUERY_COST steps to refuse.
 *
 * Fragments are measured once each (for each way a connection's page can reach them) and their
 * measure added wherever they are spread, so the walk is linear in the document however often
 * fragments spread each other.
 */

export type Limits = Config['limits'];

// --- Declared beside the fields ----------------------------------------------------------

/**
 * A list argument's longest accepted value, declared beside the argument (`extensions: maxItems(n)`);
 * test/limits.test.ts fails for a list argument without one. A field returning one item per
 * argument item (`nodes(ids:)`) costs that many items.
 */
export const maxItems = (max: number) => ({ maxItems: max });

/** A list field's longest value, declared beside the field (a number, or one read off the limits). */
export type MaxLength = number | ((limits: Limits) => number);
export const maxLength = (max: MaxLength) => ({ maxLength: max });

/** What one occurrence of a field costs besides the objects it returns (a search that reads every match). */
export type Weight = number | ((args: Record<string, unknown>) => number);
export const weight = (cost: Weight) => ({ costWeight: cost });

/**
 * A comment list below its parent in its post's reply tree (a post's comments or thread, a
 * comment's replies): a walk of such lists costs at most what the comment budget lets through.
 */
export const descends = () => ({ descends: true });

// -----------------------------------------------------------------------------------------

const exceeded = (message: string, limit: string, value: number, max: number) =>
  new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED', limit, value, max, http: { status: 400 } } });

type Variables = Record<string, unknown>;

function intValue(value: ValueNode | undefined, variables: Variables): number | null {
  if (!value) return null;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' ? v : null;
  }
  return null;
}

/** How many items a list argument holds (a single value given for a list counts as one). */
function listLength(value: ValueNode, variables: Variables): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return Array.isArray(v) ? v.length : v == null ? 0 : 1;
  }
  return value.kind === Kind.NULL ? 0 : 1;
}

/**
 * The length of each list argument of a field, refused past the argument's `maxItems`; returns
 * the longest (what a field returning one item per argument item fans out to).
 */
function checkListArguments(field: GraphQLField<unknown, unknown>, selection: FieldNode, variables: Variables): number {
  let longest = 0;
  for (const node of selection.arguments ?? []) {
    const argument: GraphQLArgument | undefined = field.args.find((a) => a.name === node.name.value);
    if (!argument || !isListType(getNullableType(argument.type))) continue;
    const length = listLength(node.value, variables);
    const max = argument.extensions.maxItems as number | undefined;
    if (max !== undefined && length > max) {
      throw clientError('BAD_USER_INPUT', `\`${argument.name}\` takes at most ${max} items, got ${length}.`, {
        argument: argument.name,
        http: { status: 400 },
      });
    }
    longest = Math.max(longest, length);
  }
  return longest;
}

/** A field's arguments, or none when a variable does not coerce (execution then refuses it). */
function argumentsOf(field: GraphQLField<unknown, unknown>, selection: FieldNode, variables: Variables): Record<string, unknown> {
  try {
    return getArgumentValues(field, selection, variables);
  } catch {
    return {};
  }
}

// --- Arithmetic that stays an upper bound ------------------------------------------------

/** A product where nothing times anything is nothing, even an astronomic anything (never NaN). */
const times = (a: number, b: number) => (a === 0 || b === 0 ? 0 : a * b);

/** A level of a walk: up to `items` comments per walk, each costing `each` with what it selects. */
export interface Position {
  items: number;
  each: number;
}

/**
 * The most a walk's positions can cost when the response holds at most `budget` comments: filled
 * greedily, the costliest comments first, each position up to its own number of items. Exact for
 * this relaxation (a fractional knapsack with unit weights), hence an upper bound of the walk.
 */
export function walkBound(positions: readonly Position[], budget: number): number {
  let left = budget;
  let total = 0;
  for (const { items, each } of [...positions].sort((a, b) => b.each - a.each)) {
    if (left <= 0) break;
    const taken = Math.min(items, left);
    total += times(taken, each);
    left -= taken;
  }
  return total;
}

/**
 * Positions kept per measure: past it, the two cheapest merge into one with their items summed and
 * the dearer cost, which can only raise the bound (a fragment spread twice per level, 150 levels
 * deep, would otherwise double the list 150 times).
 */
const MAX_POSITIONS = 16;

function mergePositions(positions: Position[]): Position[] {
  if (positions.length <= MAX_POSITIONS) return positions;
  const sorted = [...positions].sort((a, b) => b.each - a.each);
  while (sorted.length > MAX_POSITIONS) {
    const last = sorted.pop()!;
    const before = sorted.pop()!;
    sorted.push({ items: before.items + last.items, each: before.each });
  }
  return sorted;
}

/** What a selection set costs for one object of its type. */
interface Measure {
  /** Objects, unreturned rows and declared work, but for the walk positions below and the page's items. */
  cost: number;
  /** For a connection's fields: what each item of its page costs (its edges, with all they select). */
  item: number;
  /** Comments it can put in the response, as a plain product of list lengths (no budget cap). */
  comments: number;
  /** Levels of the walk this object is part of, below it (only a comment of a walk has any). */
  walk: Position[];
  /** How deep its fields nest. */
  depth: number;
}

const nothing = (): Measure => ({ cost: 0, item: 0, comments: 0, walk: [], depth: 0 });

function add(total: Measure, part: Measure, extraDepth = 0) {
  total.cost += part.cost;
  total.item += part.item;
  total.comments += part.comments;
  if (part.walk.length) total.walk = mergePositions([...total.walk, ...part.walk]);
  total.depth = Math.max(total.depth, part.depth + extraDepth);
}

/**
 * How the objects of a selection are reached: a connection's fields know its page size (`page`),
 * an edge that it is one (`edge`), and both whether they are a level of a walk (`descent`).
 */
interface Reach {
  page: number | null;
  edge: boolean;
  descent: boolean;
}

const OBJECT: Reach = { page: null, edge: false, descent: false };

export interface Measured {
  /** Fields nested in fields. */
  depth: number;
  /** The static cost: an upper bound on the response's objects (see above). */
  cost: number;
  /** An upper bound on the comments in the response, without the budget. */
  comments: number;
}

/** What the measure reads of the limits. */
export type MeasureLimits = Pick<Limits, 'commentBudget' | 'commentDepth' | 'maxCost'>;

/**
 * Depth, static cost and comment bound of one operation, through its fragments.
 * Throws BAD_USER_INPUT for a list argument longer than its `maxItems`.
 */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  limits: MeasureLimits,
): Measured {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const measured = new Map<string, Measure>();
  const fragment = (name: string, type: GraphQLNamedType, reach: Reach): Measure => {
    const key = `${name}|${reach.page}|${reach.edge}|${reach.descent}`;
    const known = measured.get(key);
    if (known) return known;
    // Placed first so that a cycle (graphql's own validation refuses it) measures as nothing.
    const result = nothing();
    measured.set(key, result);
    const definition = fragments[name];
    const on = definition && schema.getType(definition.typeCondition.name.value);
    if (definition && on) add(result, selectionSet(definition.selectionSet, on, reach));
    return result;
  };

  const selectionSet = (set: SelectionSetNode, type: GraphQLNamedType, reach: Reach): Measure => {
    const total = nothing();
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) add(total, fragment(selection.name.value, type, reach));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        add(total, selectionSet(selection.selectionSet, on, reach));
      } else add(total, fieldMeasure(selection, type, reach), 1);
    }
    return total;
  };

  /** An object reached other than as a level of a walk: the walk below it ends here, capped by the budget. */
  const settled = (inner: Measure) => inner.cost + walkBound(inner.walk, limits.commentBudget);

  const fieldMeasure = (selection: FieldNode, type: GraphQLNamedType, reach: Reach): Measure => {
    const name = selection.name.value;
    if (name === '__typename') return nothing();
    if (name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name) {
      return { ...nothing(), cost: introspectionCost(schema, fragments, variables, selection, limits.maxCost + 1), depth: nesting(selection.selectionSet) };
    }
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
    // Validation refuses unknown fields (a union has only __typename).
    if (!field) return nothing();
    const fanOut = checkListArguments(field, selection, variables);
    const declared = field.extensions.costWeight as Weight | undefined;
    const own = typeof declared === 'function' ? declared(argumentsOf(field, selection, variables)) : (declared ?? 0);
    if (!selection.selectionSet) return { ...nothing(), cost: own };
    const named = getNamedType(field.type);
    // A comment, or what may be one (a Node).
    const isComment = mayBeComment(named) ? 1 : 0;

    if (isConnection(field)) {
      // Its page's rows are read whenever it is paged, each at least a row, with edges each an item.
      const page = pageSize(selection, variables);
      const descent = field.extensions.descends === true;
      const inner = selectionSet(selection.selectionSet, named, { page, edge: false, descent });
      const item = Math.max(1, inner.item);
      // Its page's comments count whether or not its edges show them (the budget charges a page read).
      const comments = Math.max(inner.comments, times(page, mayBeComment(nodeType(named)) ? 1 : 0));
      if (descent) {
        // A level of a walk: one position, its items costing what the edges select.
        const walk = mergePositions([{ items: page, each: item }, ...inner.walk]);
        return { cost: own + 1 + inner.cost, item: 0, comments, walk, depth: inner.depth };
      }
      return { cost: own + 1 + inner.cost + times(page, item), item: 0, comments, walk: [], depth: inner.depth };
    }
    if (name === 'edges' && reach.page !== null) {
      // A connection's edges: the items of its page. The edges of a walk's level carry their
      // nodes' walk one level down, `page` times over.
      const edge = selectionSet(selection.selectionSet, named, { page: null, edge: true, descent: reach.descent });
      const comments = times(reach.page, edge.comments);
      if (!reach.descent) return { cost: 0, item: 1 + settled(edge), comments, walk: [], depth: edge.depth };
      const below = edge.walk.map((p) => ({ items: times(reach.page!, p.items), each: p.each }));
      return { cost: 0, item: 1 + edge.cost, comments, walk: mergePositions(below), depth: edge.depth };
    }
    const inner = selectionSet(selection.selectionSet, named, OBJECT);
    if (reach.edge && reach.descent && name === 'node') {
      // A comment of a walk: part of its edge's item, its own walk going on below it.
      return { cost: 1 + inner.cost, item: 0, comments: 1 + inner.comments, walk: inner.walk, depth: inner.depth };
    }
    const length = isListType(getNullableType(field.type)) ? listBound(field, fanOut, limits) : 1;
    return {
      cost: own + times(length, 1 + settled(inner)),
      item: 0,
      comments: times(length, isComment + inner.comments),
      walk: [],
      depth: inner.depth,
    };
  };

  /** How deep a selection nests, through its fragments (each measured once). */
  const depths = new Map<string, number>();
  const nesting = (set: SelectionSetNode | undefined): number => {
    let deepest = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + nesting(selection.selectionSet));
      else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, nesting(selection.selectionSet));
      else {
        const name = selection.name.value;
        if (!depths.has(name)) {
          depths.set(name, 0);
          depths.set(name, nesting(fragments[name]?.selectionSet));
        }
        deepest = Math.max(deepest, depths.get(name)!);
      }
    }
    return deepest;
  };

  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return { depth: 0, cost: 0, comments: 0 };
  const result = selectionSet(operation.selectionSet, root, OBJECT);
  return { depth: result.depth, cost: settled(result), comments: result.comments };
}

/** A Relay connection field: it takes a page size and returns a type with edges. */
function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(field.type);
  return field.args.some((arg) => arg.name === 'first') && isObjectType(named) && 'edges' in named.getFields();
}

/** The type of a connection's nodes. */
function nodeType(connection: GraphQLNamedType): GraphQLNamedType | null {
  const edges = isObjectType(connection) ? connection.getFields().edges : undefined;
  const edge = edges && getNamedType(edges.type);
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  return node ? getNamedType(node.type) : null;
}

/** A comment, or an interface or union a comment may be (`Node`). */
const mayBeComment = (type: GraphQLNamedType | null) =>
  type !== null && (type.name === 'Comment' || (isAbstractType(type) && type.name === 'Node'));

/** A connection's page size as the resolvers read it; one they refuse (under 1, over 100) returns nothing. */
function pageSize(selection: FieldNode, variables: Variables): number {
  const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
  const first = intValue(argument('first'), variables);
  const last = intValue(argument('last'), variables);
  if (first === null && last === null) return DEFAULT_PAGE_SIZE;
  // Both given is refused; so is a size out of range: counted as the largest that is not.
  const size = Math.max(first ?? 0, last ?? 0);
  return size >= 1 && size <= MAX_PAGE_SIZE ? size : 0;
}

/** The longest a list field can be: its list argument's length (`nodes(ids:)`), or its declared `maxLength`. */
function listBound(field: GraphQLField<unknown, unknown>, fanOut: number, limits: MeasureLimits): number {
  const declared = field.extensions.maxLength as MaxLength | undefined;
  if (declared === undefined) return field.args.some((a) => isListType(getNullableType(a.type))) ? fanOut : Number.POSITIVE_INFINITY;
  return typeof declared === 'function' ? declared(limits as Limits) : declared;
}

/**
 * The objects an introspection field (`__schema`, `__type`) returns, counted on the schema itself
 * with graphql's own introspection resolvers, up to `cap` (past it, the count stops).
 */
function introspectionCost(
  schema: GraphQLSchema,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Variables,
  node: FieldNode,
  cap: number,
): number {
  const info = { schema } as GraphQLResolveInfo;
  let count = 0;
  const visit = (value: unknown, type: GraphQLObjectType, nodes: readonly FieldNode[]) => {
    for (const [, fieldNodes] of collectSubfields(schema, fragments, variables, type, nodes)) {
      if (count >= cap) return;
      const first = fieldNodes[0]!;
      const field = type.getFields()[first.name.value];
      if (!field?.resolve || !first.selectionSet) continue;
      const result = field.resolve(value, argumentsOf(field, first, variables), undefined, info);
      const named = getNamedType(field.type);
      if (!isObjectType(named)) continue;
      for (const item of Array.isArray(result) ? result : result == null ? [] : [result]) {
        count++;
        visit(item, named, fieldNodes);
        if (count >= cap) return;
      }
    }
  };
  const root = node.name.value === SchemaMetaFieldDef.name ? SchemaMetaFieldDef : TypeMetaFieldDef;
  const value = root.resolve!(undefined, argumentsOf(root, node, variables), undefined, info);
  const type = getNamedType(root.type) as GraphQLObjectType;
  if (value != null) {
    count++;
    visit(value, type, [node]);
  }
  return count;
}

/** Validation rule: aliases (they do not depend on variables, so yoga may cache it). */
export function aliasRule(limits: Limits) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias) aliases++;
      },
      Document: {
        leave() {
          if (aliases > limits.maxAliases) {
            context.reportError(exceeded(`The query uses ${aliases} aliases; the limit is ${limits.maxAliases}.`, 'aliases', aliases, limits.maxAliases));
          }
        },
      },
    };
  };
}

/** The operation a request runs: the one `operationName` names, or the only one (as graphql-js picks it). */
function operationOf(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((d) => d.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The operation's measure, or the error that refuses it: one walk for depth, list arguments and cost. */
export function check(
  limits: Limits,
  args: { schema: unknown; document: unknown; operationName?: string | null; variableValues?: unknown },
): { measured: Measured | null; error: GraphQLError | null } {
  const document = args.document as DocumentNode;
  const operation = operationOf(document, args.operationName);
  // No such operation: execution refuses the request itself, before any field runs.
  if (!operation) return { measured: null, error: null };
  let measured: Measured;
  try {
    measured = measure(args.schema as GraphQLSchema, document, operation, (args.variableValues ?? {}) as Variables, limits);
  } catch (error) {
    if (error instanceof GraphQLError) return { measured: null, error };
    throw error;
  }
  const { depth, cost } = measured;
  if (depth > limits.maxDepth) {
    return { measured, error: exceeded(`The query is ${depth} fields deep; the limit is ${limits.maxDepth}.`, 'depth', depth, limits.maxDepth) };
  }
  if (cost > limits.maxCost) {
    const shown = cost < 1e15 ? String(cost) : cost.toExponential(2);
    const error = exceeded(`The query could cost ${shown}; the limit is ${limits.maxCost}. Ask for smaller pages or fewer nested levels.`, 'cost', cost, limits.maxCost);
    return { measured, error };
  }
  // A write runs before its response is built: one that could return more comments than the
  // budget allows is refused before it changes anything, rather than done and then refused. So is
  // a subscription, whose every event would be.
  if (operation.operation !== 'query' && measured.comments > limits.commentBudget) {
    const error = exceeded(
      `The ${operation.operation} could return ${measured.comments} comments; the limit is ${limits.commentBudget}. Ask for fewer in its result.`,
      'comments',
      measured.comments,
      limits.commentBudget,
    );
    return { measured, error };
  }
  return { measured, error: null };
}

/** Where the limits leave an executing request's measure, for the read engine (see `comments`). */
const measures = new WeakMap<object, Measured>();
export const measureOf = (context: object): Measured | undefined => measures.get(context);

/** The yoga plugin applying all of the above. */
export function useLimits(limits: Limits): Plugin {
  const refuseOrRecord = ({ args, setResultAndStopExecution }: { args: { schema: unknown; document: unknown; operationName?: string | null; variableValues?: unknown; contextValue?: unknown }; setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void }) => {
    const { measured, error } = check(limits, args);
    if (error) return setResultAndStopExecution({ errors: [error] });
    if (measured && typeof args.contextValue === 'object' && args.contextValue !== null) measures.set(args.contextValue, measured);
  };
  return {
    onParams({ params }) {
      const size = Buffer.byteLength(params.query ?? '');
      if (size > limits.maxDocumentBytes) {
        throw exceeded(`The query is ${size} bytes; the limit is ${limits.maxDocumentBytes}.`, 'documentBytes', size, limits.maxDocumentBytes);
      }
    },
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && /tokens/i.test(error.message)) {
            throw exceeded(`The query has more than ${limits.maxTokens} tokens.`, 'tokens', limits.maxTokens + 1, limits.maxTokens);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(aliasRule(limits));
    },
    // Depth, list lengths and cost depend on variables (`first: $n`, `ids: $ids`), which validation
    // does not see: measured once per request, before anything executes.
    onExecute: refuseOrRecord,
    onSubscribe: refuseOrRecord,
  };
}
