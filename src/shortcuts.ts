import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { noteCacheResult } from './access-log.js';
import type { Logger } from './logger.js';
import { noteOperation, noteRequestKey } from './metrics.js';

/*
 * Shortcuts past yoga. Yoga's request pipeline costs about half a millisecond of CPU per request
 * on these machines, even for `{ __typename }`: more than Postgres needs to answer a front page.
 * Clients repeat the very same requests (the same query and variables for the same page), so the
 * Node listener keys each anonymous GraphQL request and lets a shortcut answer a repeat of
 * something yoga answered before, in the same way (one of them, by configuration):
 * - replays (replays.ts): the exact bytes of a response the response cache still holds;
 * - compiled plans (compiled.ts): the statement a compiled read ran, run again for fresh data.
 * The first request always goes through yoga (parsing, validation, limits, execution), which
 * marks it with its key so that a plugin can record how it was answered; a shortcut that cannot
 * answer (a replay gone stale, a failing statement) hands the request to yoga.
 *
 * The key is a hash of what shapes the response, read from the parsed request (the query or the
 * id of a persisted operation, the operation name and the variables, not the raw bytes, so that padding a body, in `extensions`
 * say, makes no new key) and the headers that shape a response (Accept picks the media type,
 * Origin the CORS headers; cross-origin.ts keeps every other request header out of them, and
 * test/shortcuts.test.ts proves it header by header).
 */

export interface Shortcut {
  /** What the access log calls its answers. */
  readonly kind: 'replay' | 'plan';
  /** Answers the request with this key on `res` and says true, or says false and writes nothing. */
  answer(key: string, res: ServerResponse): Promise<boolean>;
}

const REQUEST_KEY = Symbol('palaver.requestKey');
type KeyedRequest = IncomingMessage & { [REQUEST_KEY]?: string; body?: object };

// Larger request bodies are not worth keying (and are never a front page).
const MAX_KEYED_BYTES = 16 * 1024;
/** No request body may be larger (a post's body is at most 1,000,000 characters): 413 past it. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** The GraphQL parameters of a request, as yoga would read them, or null if they are not plain. */
type GraphqlParams = { query: unknown; operationName: unknown; variables: unknown } & Record<string, unknown>;

function graphqlParams(req: IncomingMessage, body: Buffer | null): GraphqlParams | null {
  try {
    if (body) {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      return parsed as GraphqlParams;
    }
    const search = new URL(req.url ?? '', 'http://palaver').searchParams;
    const variables = search.get('variables');
    const extensions = search.get('extensions');
    return {
      query: search.get('query'),
      operationName: search.get('operationName'),
      variables: variables === null ? null : JSON.parse(variables),
      extensions: extensions === null ? null : JSON.parse(extensions),
      doc_id: search.get('doc_id'),
      documentId: search.get('documentId'),
    };
  } catch {
    return null;
  }
}

/** What names the operation: its text, or the id of a persisted operation (persisted.ts). */
function operationOf(params: GraphqlParams): string | null {
  if (typeof params.query === 'string') return params.query;
  const documentId = params.doc_id ?? params.documentId;
  if (typeof documentId === 'string') return `doc:${documentId}`;
  const hash = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | null | undefined)?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? `apq:${hash}` : null;
}

/**
 * The key of a request a shortcut may answer, or null when it must go through yoga. Credentials
 * and cookies never take a shortcut, conditional requests neither, and a request without a query
 * text (a persisted operation, a malformed body) is yoga's to answer or refuse.
 */
function requestKey(req: IncomingMessage, body: Buffer | null): string | null {
  const h = req.headers;
  if (h.authorization !== undefined || h.cookie !== undefined) return null;
  if (h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) return null;
  const params = graphqlParams(req, body);
  const operation = params && operationOf(params);
  if (!operation) return null;
  noteOperation(req, params.operationName);
  const shape = [
    req.method,
    req.url?.split('?')[0],
    h.accept ?? '',
    h.origin ?? '',
    h['content-type'] ?? '',
    operation,
    params.operationName ?? null,
    params.variables ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(shape)).digest('base64');
}

/**
 * For plugins: the Node request behind a yoga request (its server context, or its GraphQL
 * context, which holds `req` too) and its key, when a shortcut may answer its repeats.
 */
export function keyedRequest(serverContext: object): { req: IncomingMessage; key: string } | undefined {
  const req = (serverContext as { req?: KeyedRequest }).req;
  const key = req?.[REQUEST_KEY];
  return key ? { req: req!, key } : undefined;
}

/**
 * Whether a response yoga sent is a single JSON document that a shortcut may stand for (not an
 * event stream or a multipart response, whose bodies frame the result).
 */
export function isSingleJsonResponse(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return response.status === 200 && /^application\/(graphql-response\+)?json\b/.test(type);
}

/**
 * The body read here, as @whatwg-node (yoga's server adapter) takes it from `req.body`: it checks
 * that a given body is not empty with `Object.keys(body).length`, which for a Buffer makes a string
 * of every byte's index (a 7 MB body cost 2 s of CPU and 700 MB here, before yoga even parsed
 * it). So the bytes come wrapped: an object with one key, which it reads as an async iterable.
 */
function bodyForYoga(body: Buffer): object {
  return {
    bytes: body.length,
    async *[Symbol.asyncIterator]() {
      yield body;
    },
  };
}

const tooLarge = (res: ServerResponse) =>
  res
    .writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' })
    .end(JSON.stringify({ errors: [{ message: `The request body is larger than ${MAX_REQUEST_BYTES} bytes.`, extensions: { code: 'LIMIT_EXCEEDED' } }] }));

const unexpected = (res: ServerResponse) =>
  res
    .writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));

/**
 * A Node listener that reads GraphQL request bodies (refusing oversized ones), tries the shortcut
 * on them, and hands everything else to yoga. An error here is logged and never reaches the
 * client: the request goes to yoga, or, if that is no longer possible, gets a masked 500.
 */
export function listenerWithShortcut(yoga: RequestListener, shortcut: Shortcut, logger: Logger): RequestListener {
  const answer = async (req: KeyedRequest, res: ServerResponse, body: Buffer | null) => {
    if (body) req.body = bodyForYoga(body);
    try {
      const key = body === null || body.length <= MAX_KEYED_BYTES ? requestKey(req, body) : null;
      if (key !== null) {
        noteRequestKey(req, key);
        if (await shortcut.answer(key, res)) return noteCacheResult(req, shortcut.kind);
        req[REQUEST_KEY] = key;
      }
    } catch (error) {
      logger.error('A shortcut failed; answering through yoga:', error);
      if (res.headersSent) return void res.destroy();
    }
    yoga(req, res);
  };
  return (req, res) => {
    try {
      if (!req.url?.startsWith('/graphql') || !(req.method === 'POST' || req.method === 'GET')) return yoga(req, res);
      if (req.method === 'GET') return void answer(req, res, null);
      if (Number(req.headers['content-length']) > MAX_REQUEST_BYTES) return tooLarge(res);
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES) {
          req.removeAllListeners('data').removeAllListeners('end').resume();
          tooLarge(res);
        } else chunks.push(chunk);
      });
      req.on('end', () => void answer(req, res, Buffer.concat(chunks)));
      req.on('error', (error) => logger.warn('A request body could not be read:', error.message));
    } catch (error) {
      logger.error('The request listener failed:', error);
      if (!res.headersSent) unexpected(res);
    }
  };
}
