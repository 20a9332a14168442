import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import { mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './access-log.js';
import type { ServerContext } from './app.js';
import type { Context } from './context.js';
import type { Logger } from './logger.js';
import { operationOf } from './metrics.js';

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

/**
 * Errors `maskError` made, each with the error it stands for: shown as they are when they pass
 * through it again, and logged once (`logMasked`).
 */
const masked = new WeakMap<object, unknown>();
/** The errors `maskError` replaced (yoga's own log of them is left out: see `forYoga`). */
const replaced = new WeakSet<object>();

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
    remember(unavailable, error);
    return unavailable;
  }
  const replacement = new GraphQLError(message, {
    ...where,
    // `unexpected` tells yoga to answer 500 when there is no data; it is not sent to clients.
    extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
  });
  remember(replacement, error);
  return replacement;
}

function remember(replacement: GraphQLError, error: unknown) {
  masked.set(replacement, error);
  if (typeof error === 'object' && error !== null) replaced.add(error);
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

/** Where an unexpected error happened, as its log line says: the request and its operation. */
interface Where {
  requestId: string;
  operation: string | null;
}

/** Masked errors already logged: an execution shared by identical reads in flight shares its errors. */
const logged = new WeakSet<object>();

/** Logs what `shown` stands for, with its stack, once, if `maskError` made it. */
function logMasked(logger: Logger, shown: GraphQLError, where: () => Where) {
  if (!masked.has(shown) || logged.has(shown)) return;
  logged.add(shown);
  const cause = masked.get(shown) as { originalError?: unknown } | undefined;
  logger.error(cause?.originalError ?? cause, { ...where(), path: shown.path?.join('.') });
}

type Result = { errors?: readonly GraphQLError[] };

/**
 * Masks execution results with `maskError` before any other plugin (or yoga's own masking) sees
 * them, and logs every error that was masked, once, with its stack, the request's id, the
 * operation's name and the field's path: execution errors and subscription events here, with the
 * request's GraphQL context; errors raised outside execution (building the context, in a plugin)
 * when yoga has turned them into the request's result. Yoga's own log of them is left out (`forYoga`).
 */
export function useMaskedExecutionErrors(logger: Logger, message = 'Unexpected error.'): Plugin {
  // An execution shared by identical reads in flight (in-flight.ts) gives each of them the same
  // error objects: each is masked (and logged) once, and every request shows the same replacement.
  const replacements = new WeakMap<GraphQLError, GraphQLError>();
  const maskAll = (result: Result, where: () => Where): Result => {
    if (!result.errors?.length) return result;
    const errors = result.errors.map((error) => {
      let shown = replacements.get(error);
      if (!shown) replacements.set(error, (shown = maskError(error, message) as GraphQLError));
      logMasked(logger, shown, where);
      return shown;
    });
    return errors.some((error, i) => error !== result.errors![i]) ? { ...result, errors } : result;
  };
  const whereExecuting = (args: ExecutionArgs) => (): Where => ({
    requestId: (args.contextValue as Partial<Context>).requestId ?? '',
    operation: getOperationAST(args.document, args.operationName)?.name?.value ?? null,
  });
  const maskExecution = ({ args, result, setResult }: { args: ExecutionArgs; result: unknown; setResult: (result: never) => void }) => {
    const where = whereExecuting(args);
    if (isAsyncIterable(result)) {
      setResult(
        mapAsyncIterator(
          result,
          (event) => maskAll(event as Result, where),
          // A failing source ends the stream with a masked error, as yoga would end it (yoga's AbortError passes).
          (error: unknown) => {
            if ((error as Error | undefined)?.name === 'AbortError') throw error;
            return maskAll({ errors: [(error instanceof Error ? error : new Error(String(error))) as GraphQLError] }, where);
          },
        ) as never,
      );
    } else {
      const masked = maskAll(result as Result, where);
      if (masked !== result) setResult(masked as never);
    }
  };
  return {
    onExecute: () => ({ onExecuteDone: maskExecution }),
    // A stream's events are masked in envelop's own onNext, not through a map of our own around
    // the stream: each open stream would hold that map's iterator and its closures for hours
    // (≈0.6 KB per stream in a heap snapshot of 1,000 idle subscribers). Its source never throws
    // (src/subscriptions/stream.ts ends a stream with an error event); if it did, sse.ts logs it
    // and ends the stream with a masked error.
    onSubscribe: () => ({
      onSubscribeResult: (payload: { args: ExecutionArgs; result: unknown; setResult: (result: never) => void }) => {
        if (!isAsyncIterable(payload.result)) return maskExecution(payload);
        return { onNext: maskExecution };
      },
    }),
    onResultProcess({ request, result, serverContext }) {
      const req = (serverContext as ServerContext).req;
      const where = (): Where => ({
        requestId: requestIdOf(req ?? request, request.headers.get('x-request-id')),
        operation: req ? operationOf(req as IncomingMessage) : null,
      });
      for (const single of Array.isArray(result) ? result : [result]) {
        if (!isAsyncIterable(single)) for (const error of (single as Result).errors ?? []) logMasked(logger, error, where);
      }
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * The logger yoga is given: yoga logs every error it masks, twice for some, without the request;
 * `useMaskedExecutionErrors` logs those once, with the request, so yoga's lines are left out.
 */
export function forYoga(logger: Logger): Logger {
  return {
    ...logger,
    error: (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null && replaced.has(args[0])) return;
      logger.error(...args);
    },
  };
}
