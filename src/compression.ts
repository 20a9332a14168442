import compression from 'compression';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { constants } from 'node:zlib';

/*
 * Responses over 4 KB are compressed for clients that accept it (brotli, else gzip), whoever writes
 * them (yoga, the replays and plans past it, GraphiQL's files are compressed already), and never an
 * event stream, whose events must reach the client as they are written.
 *
 * The lowest levels: the Relay deep thread (1.4 MB of JSON) takes 6.7 ms with brotli at quality 1
 * (to 247 KB) and 11.5 ms with gzip at level 1 (256 KB), against 17 and 34 ms at their defaults for
 * 8–15% smaller bodies (one run each, in process, on the 2-core VM): on two cores the CPU is what
 * runs out first.
 */
const THRESHOLD_BYTES = 4096;

const compress = compression({
  threshold: THRESHOLD_BYTES,
  level: 1,
  brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } },
  filter: (req, res) => !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream') && compression.filter(req, res),
});

/**
 * A request that accepts nothing but an event stream gets one (src/subscriptions/sse.ts), never
 * compressed: it skips the middleware altogether, whose wrapping of the response (its closures and
 * listeners, ≈1 KB) an open stream would otherwise hold for hours, and which every event's write
 * went through (≈2% of the API's CPU in the fan-out's profile).
 */
const onlyEventStream = (req: IncomingMessage) => /^\s*text\/event-stream\s*(;[^,]*)?$/i.test(req.headers.accept ?? '');

export function withCompression(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) =>
    onlyEventStream(req) ? listener(req, res) : compress(req as never, res as never, () => listener(req, res));
}
