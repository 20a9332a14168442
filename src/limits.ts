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
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import { DEFAULT_PAGE_SIZE } from './schema/pagination.js';

/*
 * Limits on what one request may ask, checked before any resolver runs: document size, tokens,
 * aliases, depth, and a static cost. Threads are recursive, so a cost that multiplied page sizes
 * level by level (50 replies of 50 replies…) would explode on any legitimate deep-thread query;
 * instead each list costs its page size weighted by how many lists it is nested in, which grows
 * with both width and depth. What a request really loads is bounded at run time by the comment
 * budget (loaders.ts), which stops loading past COMMENT_BUDGET comments (a compiled read over the
 * budget is handed to the resolvers for that, see compiled.ts).
 * Every refusal carries `extensions.code: LIMIT_EXCEEDED`.
 */

export type Limits = Config['limits'];

const exceeded = (message: string, limit: string, value: number, max: number) =>
  new GraphQLError(message, { extensions: { code: 'LIMIT_EXCEEDED', limit, value, max, http: { status: 400 } } });

function intValue(value: ValueNode | undefined, variables: Record<string, unknown>): number | null {
  if (!value) return null;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const v = variables[value.name.value];
    return typeof v === 'number' ? v : null;
  }
  return null;
}

/** Depth (fields nested in fields) and static cost of one operation, through its fragments. */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): { depth: number; cost: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const root =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  let depth = 0;
  let cost = 0;
  const walk = (selectionSet: SelectionSetNode, type: GraphQLNamedType, level: number, lists: number, seen: ReadonlySet<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        // Cycles and unknown fragments are graphql's own validation errors.
        if (!fragment || seen.has(fragment.name.value)) continue;
        const on = schema.getType(fragment.typeCondition.name.value) ?? type;
        walk(fragment.selectionSet, on, level, lists, new Set([...seen, fragment.name.value]));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? type) : type;
        walk(selection.selectionSet, on, level, lists, seen);
        continue;
      }
      depth = Math.max(depth, level + 1);
      const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
      if (!field) continue;
      let inner = lists;
      if (field.args.some((arg) => arg.name === 'first')) {
        // A connection: its page size, weighted by the lists around it. Its `edges` are its items.
        const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
        const size = intValue(argument('first'), variables) ?? intValue(argument('last'), variables) ?? DEFAULT_PAGE_SIZE;
        cost += size * (lists + 1);
        inner = lists + 1;
      } else if (isListType(getNullableType(field.type)) && !type.name.endsWith('Connection')) {
        // Short plain lists (a post's tags, nodes(ids)) count one per enclosing list.
        cost += lists + 1;
      }
      if (selection.selectionSet) walk(selection.selectionSet, getNamedType(field.type), level + 1, inner, seen);
    }
  };
  if (root) walk(operation.selectionSet, root, 0, 0, new Set());
  return { depth, cost };
}

/** Validation rule: aliases and depth (neither depends on variables, so yoga may cache it). */
export function shapeRule(limits: Limits) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias) aliases++;
      },
      OperationDefinition(operation) {
        const { depth } = measure(context.getSchema(), context.getDocument(), operation);
        if (depth > limits.maxDepth) {
          context.reportError(exceeded(`The query is ${depth} fields deep; the limit is ${limits.maxDepth}.`, 'depth', depth, limits.maxDepth));
        }
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
      addValidationRule(shapeRule(limits));
    },
    // The cost depends on variables (`first: $n`), which validation does not see.
    onExecute({ args, setResultAndStopExecution }) {
      const document = args.document as DocumentNode;
      const operation = document.definitions.find(
        (d): d is OperationDefinitionNode =>
          d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
      );
      if (!operation) return;
      const { cost } = measure(args.schema as GraphQLSchema, document, operation, (args.variableValues ?? {}) as Record<string, unknown>);
      if (cost > limits.maxCost) {
        setResultAndStopExecution({
          errors: [exceeded(`The query could cost ${cost}; the limit is ${limits.maxCost}. Ask for smaller pages or fewer nested levels.`, 'cost', cost, limits.maxCost)],
        });
      }
    },
  };
}
