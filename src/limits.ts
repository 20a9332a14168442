import {
  GraphQLError,
  Kind,
  getNamedType,
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
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { costWeight } from './engine/declare.js';
import { clientError } from './errors.js';
import { DEFAULT_PAGE_SIZE } from './schema/pagination.js';

/*
 * Limits on what one request may ask, checked before any resolver runs: document size, tokens,
 * aliases, depth, the length of list arguments, and a static cost. Threads are recursive, so a
 * cost that multiplied page sizes level by level (50 replies of 50 replies…) would explode on any
 * legitimate deep-thread query; instead each list costs its page size weighted by how many lists
 * it is nested in, which grows with both width and depth, and every field costs its weight, 1
 * unless its declaration (src/engine/declare.ts, beside the field) says otherwise. What a request
 * really loads is bounded at run time by the comment budget (loaders.ts), which stops loading
 * past COMMENT_BUDGET comments (the read engine hands a response over the budget to the resolvers
 * for that, see src/engine/index.ts).
 *
 * Fragments are measured once each and their measure added wherever they are spread, so the walk
 * is linear in the document however often fragments spread each other: a document that spreads
 * a fragment twice, which spreads another twice, and so on 150 times, is measured in 150 steps
 * and refused for its true (astronomic) cost.
 * Refusals carry `extensions.code: LIMIT_EXCEEDED` (an over-long list argument: BAD_USER_INPUT).
 */

export type Limits = Config['limits'];

/**
 * A list argument's longest accepted value, declared beside the argument in the schema
 * (`extensions: { maxItems }`); test/limits.test.ts fails for a list argument without one. A field
 * returning a list whose length a list argument sets (`nodes(ids:)`) costs that length, as a
 * connection costs its page size.
 */
export const maxItems = (max: number) => ({ maxItems: max });

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

/**
 * What a selection set costs when nested in L lists: `fixed + perList × L` (every rule below is
 * linear in L, so this is exact), and how deep its fields nest.
 */
interface Measure {
  fixed: number;
  perList: number;
  depth: number;
}

const add = (total: Measure, part: Measure, extraDepth = 0) => {
  total.fixed += part.fixed;
  total.perList += part.perList;
  total.depth = Math.max(total.depth, part.depth + extraDepth);
};

/**
 * Depth (fields nested in fields) and static cost of one operation, through its fragments.
 * Throws BAD_USER_INPUT for a list argument longer than its `maxItems`.
 */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables = {},
): { depth: number; cost: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, Measure>();
  const fragment = (name: string): Measure => {
    const known = measured.get(name);
    if (known) return known;
    // Placed first so that a cycle (graphql's own validation refuses it) measures as nothing.
    const result: Measure = { fixed: 0, perList: 0, depth: 0 };
    measured.set(name, result);
    const definition = fragments.get(name);
    const on = definition && schema.getType(definition.typeCondition.name.value);
    if (definition && on) add(result, selectionSet(definition.selectionSet, on));
    return result;
  };

  const selectionSet = (set: SelectionSetNode, type: GraphQLNamedType): Measure => {
    const total: Measure = { fixed: 0, perList: 0, depth: 0 };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) add(total, fragment(selection.name.value));
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        add(total, selectionSet(selection.selectionSet, on));
      } else add(total, fieldMeasure(selection, type), 1);
    }
    return total;
  };

  // A field costs its weight (declared beside it, 1 unless declared), plus what it lists: a
  // connection its page size, a list whose length an argument sets (`nodes(ids:)`) that length,
  // each weighted by the lists around it (1 + L), and its selection then sits in one more list; a
  // short plain list (a post's tags) costs 1 + L more.
  const fieldMeasure = (selection: FieldNode, type: GraphQLNamedType): Measure => {
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
    if (!field) return { fixed: 1, perList: 0, depth: 0 };
    const fanOut = checkListArguments(field, selection, variables);
    const weight = costWeight(field.extensions, () => argumentsOf(field, selection, variables));
    const inner: Measure = selection.selectionSet
      ? selectionSet(selection.selectionSet, getNamedType(field.type))
      : { fixed: 0, perList: 0, depth: 0 };
    const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
    const returnsList = isListType(getNullableType(field.type));
    let size: number | null = null;
    if (field.args.some((arg) => arg.name === 'first')) {
      size = intValue(argument('first'), variables) ?? intValue(argument('last'), variables) ?? DEFAULT_PAGE_SIZE;
    } else if (returnsList && fanOut > 0) size = fanOut;
    if (size !== null) {
      // Nested in L lists: 1 + size × (L + 1) + inner at L + 1.
      return { fixed: weight + size + inner.fixed + inner.perList, perList: size + inner.perList, depth: inner.depth };
    }
    if (returnsList && !type.name.endsWith('Connection')) {
      return { fixed: weight + 1 + inner.fixed, perList: 1 + inner.perList, depth: inner.depth };
    }
    return { fixed: weight + inner.fixed, perList: inner.perList, depth: inner.depth };
  };

  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return { depth: 0, cost: 0 };
  const { fixed, depth } = selectionSet(operation.selectionSet, root);
  return { depth, cost: fixed };
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

/** The errors that refuse this operation, if any: one walk for depth, list arguments and cost. */
function refusal(limits: Limits, args: { schema: unknown; document: unknown; operationName?: string | null; variableValues?: unknown }): GraphQLError | null {
  const document = args.document as DocumentNode;
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
  );
  if (!operation) return null;
  let measured: { depth: number; cost: number };
  try {
    measured = measure(args.schema as GraphQLSchema, document, operation, (args.variableValues ?? {}) as Variables);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  const { depth, cost } = measured;
  if (depth > limits.maxDepth) {
    return exceeded(`The query is ${depth} fields deep; the limit is ${limits.maxDepth}.`, 'depth', depth, limits.maxDepth);
  }
  if (cost > limits.maxCost) {
    const shown = cost < 1e15 ? String(cost) : cost.toExponential(2);
    return exceeded(`The query could cost ${shown}; the limit is ${limits.maxCost}. Ask for smaller pages or fewer nested levels.`, 'cost', cost, limits.maxCost);
  }
  return null;
}

/** The yoga plugin applying all of the above. */
export function useLimits(limits: Limits): Plugin {
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
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(limits, args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(limits, args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
