import {
  getOperationAST,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { clientError } from './errors.js';

/*
 * Input that Postgres cannot store, refused before anything runs. Postgres refuses the NUL
 * character (U+0000) in text, and timestamps outside its range; either, sent as an argument,
 * failed the statement it reached: a masked INTERNAL_SERVER_ERROR for a client's mistake, and a
 * logged stack (two with the read engine, which retries through the resolvers) of some 7 KB each.
 * So every argument of the operation about to run is walked here, with the types of the schema:
 * literals (once per document) and variables (once per request, with their defaults), input
 * objects' fields and lists' items, on fields and directives, in the operation and its fragments.
 * Any string in it holding a NUL, and any scalar whose parsed value is a Date (DateTime) outside
 * the years 0001–9999 (UTC), is refused with BAD_USER_INPUT (HTTP 400) naming the argument or
 * input field.
 * Postgres's timestamptz reaches from 4713 BC to 294276 AD; the narrower range is what ISO-8601's
 * four-digit years (and the DateTime scalar's output, to_char's YYYY) can write.
 */

export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

type Variables = Record<string, unknown>;

/**
 * Where a value sits: the field or directive (`Query.post`, `@include`), the path from its
 * argument (`input.tags[1]`), the variable it came from.
 */
interface Site {
  coordinate: string;
  path: (string | number)[];
  variable?: string;
}

/** A value still to look at: a literal of the document, or (part of) a variable's value. */
type Pending = { site: Site; type: GraphQLInputType } & ({ node: ValueNode } | { value: unknown });

const pathText = (path: Site['path']) =>
  path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');

function refuse(site: Site, problem: string): GraphQLError {
  const name = pathText(site.path);
  const what = site.path.some((segment, i) => i > 0 && typeof segment === 'string') ? `Input field "${name}"` : `Argument "${name}"`;
  const from = site.variable ? ` (from variable "$${site.variable}")` : '';
  return clientError('BAD_USER_INPUT', `${what} of ${site.coordinate}${from} ${problem}`, { argument: name, http: { status: 400 } });
}

const NUL = 'contains the NUL character (U+0000), which cannot be stored: remove it.';
const OUT_OF_RANGE = `is out of range: a DateTime must lie between ${EARLIEST_DATE.toISOString()} and ${LATEST_DATE.toISOString()}.`;

const outOfRange = (parsed: unknown) =>
  parsed instanceof Date && !(parsed.getTime() >= EARLIEST_DATE.getTime() && parsed.getTime() <= LATEST_DATE.getTime());

/**
 * A scalar's value as its resolver would get it (the scalar's own parser), or undefined when the
 * scalar refuses it: graphql-js then refuses it as it always has.
 */
function parsed(parse: () => unknown): unknown {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

const childSite = (site: Site, segment: string | number): Site => ({ ...site, path: [...site.path, segment] });

/**
 * The first refusal in what `start` holds, walked with its type: iteratively, since variables are
 * the client's JSON (and a scalar typed position with an array in it is not walked at all).
 */
function checkValue(start: Pending, variables: Variables, defaults: Map<string, VariableDefinitionNode>, seen: Set<string>): GraphQLError | null {
  const pending: Pending[] = [start];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { site } = next;
    const type = isNonNullType(next.type) ? next.type.ofType : next.type;
    if ('node' in next) {
      const node = next.node;
      if (node.kind === Kind.NULL) continue;
      if (node.kind === Kind.VARIABLE) {
        const name = node.name.value;
        // A variable is checked once per type it is used as (it could be used in many places).
        const key = `${name}:${String(next.type)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const from: Site = { ...site, variable: site.variable ?? name };
        if (Object.hasOwn(variables, name)) pending.push({ site: from, type: next.type, value: variables[name] });
        else {
          const fallback = defaults.get(name)?.defaultValue;
          if (fallback) pending.push({ site: from, type: next.type, node: fallback });
        }
      } else if (isListType(type)) {
        if (node.kind === Kind.LIST) node.values.forEach((item, i) => pending.push({ site: childSite(site, i), type: type.ofType, node: item }));
        else pending.push({ site, type: type.ofType, node });
      } else if (isInputObjectType(type)) {
        if (node.kind !== Kind.OBJECT) continue;
        const fields = type.getFields();
        for (const field of node.fields) {
          const def = fields[field.name.value];
          if (def) pending.push({ site: childSite(site, field.name.value), type: def.type, node: field.value });
        }
      } else {
        if (node.kind === Kind.STRING && node.value.includes('\0')) return refuse(site, NUL);
        if (isScalarType(type) && outOfRange(parsed(() => type.parseLiteral(node, variables)))) return refuse(site, OUT_OF_RANGE);
      }
    } else {
      const value = next.value;
      if (value === null || value === undefined) continue;
      if (isListType(type)) {
        if (Array.isArray(value)) value.forEach((item, i) => pending.push({ site: childSite(site, i), type: type.ofType, value: item }));
        else pending.push({ site, type: type.ofType, value });
      } else if (isInputObjectType(type)) {
        // Anything but an object, or a field the type does not have, graphql-js refuses.
        if (typeof value !== 'object' || Array.isArray(value)) continue;
        const fields = type.getFields();
        for (const [name, item] of Object.entries(value)) {
          const def = fields[name];
          if (def) pending.push({ site: childSite(site, name), type: def.type, value: item });
        }
      } else {
        if (typeof value === 'string' && value.includes('\0')) return refuse(site, NUL);
        if (isScalarType(type) && outOfRange(parsed(() => type.parseValue(value)))) return refuse(site, OUT_OF_RANGE);
      }
    }
  }
  return null;
}

/** An argument of the operation (or of its fragments), with its type. */
interface ArgumentSite {
  site: Site;
  type: GraphQLInputType;
  value: ValueNode;
}

/** What a document's operation needs checked for each request: the arguments that hold variables. */
interface Checks {
  /** An argument refused whatever the variables (a literal), if any. */
  always: GraphQLError | null;
  withVariables: ArgumentSite[];
  defaults: Map<string, VariableDefinitionNode>;
}

const holdsVariables = (node: ValueNode): boolean =>
  node.kind === Kind.VARIABLE ||
  (node.kind === Kind.LIST && node.values.some(holdsVariables)) ||
  (node.kind === Kind.OBJECT && node.fields.some((field) => holdsVariables(field.value)));

/**
 * The operation's arguments (in its fragments too: the others are unused, which validation
 * refuses), found once per document with the schema's types, and its literals checked then: a
 * TypeInfo walk of a front page's query costs about twice a plain visit of it (≈ 80 µs of CPU on
 * these machines), checking its two variables ≈ 5 µs (process.cpuUsage over 200,000 calls).
 */
function checksOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Checks {
  const defaults = new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  const definitions = document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION);
  const typeInfo = new TypeInfo(schema);
  const checks: Checks = { always: null, withVariables: [], defaults };
  visit(
    { kind: Kind.DOCUMENT, definitions },
    visitWithTypeInfo(typeInfo, {
      // Variables' definitions are looked at where they are used, with the type they are used as.
      VariableDefinition: () => false,
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return false;
        const directive = typeInfo.getDirective();
        const coordinate = directive ? `@${directive.name}` : `${typeInfo.getParentType()?.name ?? '?'}.${typeInfo.getFieldDef()?.name ?? '?'}`;
        const site: ArgumentSite = { site: { coordinate, path: [node.name.value] }, type: argument.type, value: node.value };
        if (holdsVariables(node.value)) checks.withVariables.push(site);
        else checks.always ??= checkValue({ site: site.site, type: site.type, node: site.value }, {}, defaults, new Set());
        return false;
      },
    }),
  );
  return checks;
}

const cached = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<OperationDefinitionNode, Checks>>>();

/**
 * The first argument of the operation to run that holds something Postgres cannot store, as a
 * BAD_USER_INPUT error; null when there is none. The document has passed validation.
 */
export function inputRefusal(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Variables): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  let byDocument = cached.get(schema);
  if (!byDocument) cached.set(schema, (byDocument = new WeakMap()));
  let byOperation = byDocument.get(document);
  if (!byOperation) byDocument.set(document, (byOperation = new Map()));
  let checks = byOperation.get(operation);
  if (!checks) byOperation.set(operation, (checks = checksOf(schema, document, operation)));
  // A new error for each request, as for any other: nothing shares (or keeps) another's.
  if (checks.always) return new GraphQLError(checks.always.message, { extensions: { ...checks.always.extensions } });
  const seen = new Set<string>();
  for (const { site, type, value } of checks.withVariables) {
    const error = checkValue({ site, type, node: value }, variables, checks.defaults, seen);
    if (error) return error;
  }
  return null;
}

/** The yoga plugin: refuses such requests before they execute (or subscribe), with HTTP 400. */
export function useInputChecks(): Plugin {
  const refusal = (args: ExecutionArgs) =>
    inputRefusal(args.schema, args.document, args.operationName, (args.variableValues ?? {}) as Variables);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = refusal(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
