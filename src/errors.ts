import { getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.js';

/** The stable `extensions.code` values clients may rely on (DESIGN.md, "Choices already made"). */
export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'DUPLICATE',
  'RATE_LIMITED',
  'LIMIT_EXCEEDED',
  'PERSISTED_QUERY_NOT_FOUND',
  'SERVICE_UNAVAILABLE',
  // `threadEvents`: resume from a cursor older than the events kept; a subscriber too far behind.
  'RESUME_EXPIRED',
  'SUBSCRIPTION_OVERFLOW',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
const errorCodes = new Set<unknown>(ERROR_CODES);

/** An expected failure, shown to the client as is (anything else is masked: see `maskError`). */
export function clientError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Invalid input; `argument` names the offending argument or field. */
export function badInput(message: string, argument?: string) {
  return clientError('BAD_USER_INPUT', message, argument ? { argument } : {});
}

/** Errors `maskError` made: shown as they are when they pass through it again. */
const masked = new WeakSet<object>();

/**
 * The one rule for what reaches a client. An error carrying one of our codes (ErrorCode) does, and
 * so does an error about the request itself, raised before any field ran: GraphQL's syntax,
 * validation and variable errors and yoga's HTTP errors (a GraphQLError raised as such, with no
 * `path`). Anything else, notably any error raised while resolving a field (it has a `path`)
 * without one of our codes, graphql-js's own included, becomes `message` ("Unexpected error.")
 * with code INTERNAL_SERVER_ERROR, keeping only where it happened. Yoga's `maskedErrors.maskError`
 * (yoga logs what it masks there); `useMaskedExecutionErrors` applies it to execution results.
 */
export function maskError(error: unknown, message: string): Error {
  if (error instanceof GraphQLError) {
    if (masked.has(error) || errorCodes.has(error.extensions.code)) return error;
    if (error.path === undefined && raisedAsGraphQLError(error)) return error;
  }
  const where = error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {};
  if (isUnavailable(error)) {
    const unavailable = new GraphQLError('The database is unavailable; try again in a few seconds.', {
      ...where,
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503, headers: { 'Retry-After': '5' } } },
    });
    masked.add(unavailable);
    return unavailable;
  }
  const replacement = new GraphQLError(message, {
    ...where,
    // `unexpected` tells yoga to answer 500 when there is no data; it is not sent to clients.
    extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
  });
  masked.add(replacement);
  return replacement;
}

/**
 * Errors of a database (or Redis) that cannot be reached, rather than of the request: the
 * drivers' connection errors, the system's socket errors, and Postgres's "connection exception"
 * and "operator intervention" classes. Clients get SERVICE_UNAVAILABLE (503) for them, and may retry.
 */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
]);

function isUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; originalError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 10; depth++) {
    if (typeof e.code === 'string' && UNAVAILABLE.has(e.code)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/** Not wrapping an error of another kind, whose message (a driver's, a TypeError's) is not for clients. */
function raisedAsGraphQLError(error: GraphQLError): boolean {
  let cause: unknown = error;
  while (cause instanceof GraphQLError) {
    if (cause.originalError == null) return true;
    cause = cause.originalError;
  }
  return false;
}

/**
 * Masks execution results with `maskError` before any other plugin (or yoga's own masking) sees
 * them, logging each error it masks with its stack, the operation's name and the field's path.
 * (Yoga masks and logs the rest: errors thrown outside execution, e.g. while building the context.)
 */
export function useMaskedExecutionErrors(logger: Logger, message = 'Unexpected error.'): Plugin {
  // An execution shared by identical reads in flight (in-flight.ts) gives each of them the same
  // error objects: each is masked (and logged) once, and every request shows the same replacement.
  const replacements = new WeakMap<GraphQLError, GraphQLError>();
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result, setResult }) => {
        // Results are single here: subscriptions never pass through execute (their events are
        // masked by yoga with maskError; src/subscriptions/stream.ts logs what it ends a stream for).
        if (Symbol.asyncIterator in result || !result.errors?.length) return;
        const errors = result.errors.map((error) => {
          const replaced = replacements.get(error);
          if (replaced) return replaced;
          const shown = maskError(error, message) as GraphQLError;
          if (shown !== error) {
            replacements.set(error, shown);
            const operation = getOperationAST(args.document, args.operationName)?.name?.value ?? '(anonymous)';
            logger.error(error.originalError ?? error, { operation, path: error.path?.join('.') });
          }
          return shown;
        });
        if (errors.some((error, i) => error !== result.errors![i])) setResult({ ...result, errors });
      },
    }),
  };
}
