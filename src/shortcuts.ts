import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/*
 * Shortcuts past yoga. Yoga's request pipeline costs about half a millisecond of CPU per request
 * on these machines, even for `{ __typename }`: more than Postgres needs to answer a front page.
 * Clients repeat the very same requests (the same query and variables for the same page), so the
 * Node listener keys each anonymous GraphQL request by its raw bytes and lets a shortcut answer a
 * repeat of something yoga answered before, in the same way (one of them, by configuration):
 * - replays (cache.ts): the exact bytes of a response the response cache still holds;
 * - compiled plans (compiled.ts): the statement a compiled read ran, run again for fresh data.
 * The first request always goes through yoga (parsing, validation, limits, execution), which
 * marks it with its key so that a plugin can record how it was answered; a shortcut that cannot
 * answer (a replay gone stale, a failing statement) hands the request to yoga.
 */

export interface Shortcut {
  /** Answers the request with this key on `res` and says true, or says false and writes nothing. */
  answer(key: string, res: ServerResponse): Promise<boolean>;
}

const REQUEST_KEY = Symbol('palaver.requestKey');
type KeyedRequest = IncomingMessage & { [REQUEST_KEY]?: string; body?: Buffer };

// Larger request bodies are not worth keying (and are never a front page).
const MAX_REQUEST_BYTES = 16 * 1024;

/**
 * The key of a request a shortcut may answer, or null when it must go through yoga: everything
 * that shapes the response (method, URL, body, and the Accept, Origin and Content-Type headers,
 * which pick the media type and the CORS headers). Credentials and cookies never take a
 * shortcut, and conditional requests get their 304 from yoga.
 */
function requestKey(req: IncomingMessage, body: Buffer | null): string | null {
  const h = req.headers;
  if (h.authorization !== undefined || h.cookie !== undefined) return null;
  if (h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) return null;
  return `${req.method} ${req.url}\n${h.accept ?? ''}\n${h.origin ?? ''}\n${h['content-type'] ?? ''}\n${body?.toString('latin1') ?? ''}`;
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

/** A Node listener that tries the shortcut on GraphQL requests, and yoga otherwise. */
export function listenerWithShortcut(yoga: RequestListener, shortcut: Shortcut): RequestListener {
  const answer = async (req: KeyedRequest, res: ServerResponse, body: Buffer | null) => {
    // @whatwg-node takes a Buffer on `req.body` as the request body, which was read here.
    if (body) req.body = body;
    const key = requestKey(req, body);
    if (key !== null) {
      if (await shortcut.answer(key, res)) return;
      req[REQUEST_KEY] = key;
    }
    yoga(req, res);
  };
  return (req, res) => {
    const length = Number(req.headers['content-length']);
    const post = req.method === 'POST' && length > 0 && length <= MAX_REQUEST_BYTES;
    if (!req.url?.startsWith('/graphql') || !(post || req.method === 'GET')) return yoga(req, res);
    if (!post) return void answer(req, res, null);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(req, res, Buffer.concat(chunks)));
  };
}
