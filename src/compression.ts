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

export function withCompression(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => compress(req as never, res as never, () => listener(req, res));
}
