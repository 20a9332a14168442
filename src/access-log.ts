import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';
import { operationOf } from './metrics.js';

/*
 * The access log: one line (level info) per HTTP request the app's listener serves (GraphQL,
 * answered by yoga or by a shortcut, /health, /ready, GraphiQL), written when its response ends,
 * so that an event stream's line comes when the stream ends, with its whole duration. Each request
 * has an id, returned as `X-Request-Id` on every response and carried by its error lines.
 *
 * `statements` is what the process ran between the request's start and its end: exact for a
 * request alone, more when requests overlap. Tracing each statement to its request would take an
 * AsyncLocalStorage around every request, which cost the front page 15% of its CPU (metrics.ts).
 */

/** How a request was answered: the response cache's hit or miss, a shortcut's replay or plan, or none of them. */
export type CacheResult = 'hit' | 'miss' | 'replay' | 'plan' | 'none';

const requestIds = new WeakMap<object, string>();
const cacheResults = new WeakMap<object, CacheResult>();

// What a proxy or a client may send as its request id: tracing ids (UUIDs, hex, base64) fit; spaces,
// quotes, control characters, `@` and anything longer do not, and get an id of ours instead.
const SANE_REQUEST_ID = /^[A-Za-z0-9._~+/=:-]{1,200}$/;

/**
 * The id of a request (its Node request, or its Fetch `Request` when there is none): the
 * `X-Request-Id` it was sent with when that is sane, else a new UUID; the same every time it is asked.
 */
export function requestIdOf(request: object, header: string | string[] | null | undefined): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    id = typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** Notes how a request was answered (the first note wins: a replay is not also a miss). */
export function noteCacheResult(req: object | undefined, result: CacheResult) {
  if (req && !cacheResults.has(req)) cacheResults.set(req, result);
}

export interface AccessLogDeps {
  logger: Logger;
  /** SQL statements the process has run (src/db/client.ts). */
  statements: () => number;
  /** The client's address as TRUSTED_PROXIES has it (src/domain/client.ts). */
  clientIp: (peer: string | null | undefined, forwardedFor: string | null) => string | null;
}

/** `listener`, with a request id on every response and an access line when each response ends. */
export function withAccessLog(listener: RequestListener, { logger, statements, clientIp }: AccessLogDeps): RequestListener {
  // LOG_LEVEL above info: the id still, but nothing measured or kept for a line never written
  // (its listeners, its closure and the client's address: ≈4% of the API's samples in a profile of
  // the bench's thread page).
  const logs = logger.enabled?.('info') ?? true;
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req, req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    if (!logs) return listener(req, res);
    const started = process.hrtime.bigint();
    const statementsBefore = statements();
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      logger.info('request', {
        requestId,
        method: req.method,
        // Never the query string: a GET carries its query and variables there.
        path: (req.url ?? '').split('?')[0]!.slice(0, 200),
        operation: operationOf(req),
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        statements: statements() - statementsBefore,
        cache: cacheResults.get(req) ?? 'none',
        client: clientIp(req.socket.remoteAddress, headerOf(req, 'x-forwarded-for')),
        // The client left before the response ended (an event stream it closed, say).
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    };
    res.once('finish', log);
    res.once('close', log);
    listener(req, res);
  };
}

const headerOf = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
};
