import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

/*
 * Subscriptions as Server-Sent Events (the "distinct connections" mode of GraphQL over SSE, which
 * yoga speaks: `event: next` with a result as `data`, then `event: complete`). Yoga's own writer
 * pings every 12 s, unconfigurable, and says nothing to proxies; this one replaces it for streams:
 * - a heartbeat (an SSE comment line) every SUBSCRIPTION_HEARTBEAT_SECONDS, so that proxies and
 *   load balancers do not time an idle stream out and a client notices a dead connection;
 * - `X-Accel-Buffering: no` (nginx and others would buffer the stream) and `Cache-Control:
 *   no-cache, no-transform` (no proxy compresses or rewrites it); nothing in Palaver compresses
 *   responses, so the stream is sent as written;
 * - an error from the source (none is expected: src/subscriptions/stream.ts ends its streams with
 *   an error result instead) is logged and sent as a masked result, then `complete`, rather than
 *   cutting the connection.
 * Many streams carry the same events: one result object for all the subscribers that see the same
 * (execute.ts) is serialized once, and its bytes written to each stream; and one timer beats for
 * every stream, not one timer per stream.
 */
export function useEventStreams({ heartbeatMs, logger }: { heartbeatMs: number; logger: Logger }): Plugin {
  const heartbeats = new Heartbeats(heartbeatMs);
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      if (typeof (result as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function') return;
      if (!/\btext\/event-stream\b/.test(request.headers.get('accept') ?? '')) return;
      setResultProcessor((stream, fetchAPI) => eventStream(stream as AsyncIterable<ExecutionResult>, fetchAPI, heartbeats, logger), 'text/event-stream');
    },
  };
}

const encoder = new TextEncoder();
const COMMENT = encoder.encode(':\n\n');

type Controller = ReadableStreamDefaultController<Uint8Array>;

/** One interval for every open stream: it runs while there is one. */
class Heartbeats {
  private streams = new Set<Controller>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly intervalMs: number) {}

  add(stream: Controller) {
    this.streams.add(stream);
    this.timer ??= setInterval(() => this.beat(), this.intervalMs);
  }

  delete(stream: Controller) {
    this.streams.delete(stream);
    if (this.streams.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private beat() {
    for (const stream of this.streams) {
      try {
        stream.enqueue(COMMENT);
      } catch {
        this.delete(stream); // closed or errored: its stream is over
      }
    }
  }
}

const LATER = Symbol('later');
/** Resolves after what is already due in this turn (promises, then I/O callbacks): setImmediate. */
const nextTurn = () => new Promise<typeof LATER>((resolve) => setImmediate(resolve, LATER));
const NOT_DONE = { done: false, value: undefined } as unknown as IteratorResult<ExecutionResult>;

/** Each result's bytes as an SSE `next` event: a result shared by many streams is serialized once. */
const serialized = new WeakMap<ExecutionResult, Uint8Array>();

function nextEvent(result: ExecutionResult): Uint8Array {
  let bytes = serialized.get(result);
  if (!bytes) serialized.set(result, (bytes = encoder.encode(`event: next\ndata: ${JSON.stringify(withoutInternals(result))}\n\n`)));
  return bytes;
}

function eventStream(source: AsyncIterable<ExecutionResult>, fetchAPI: { ReadableStream: typeof ReadableStream; Response: typeof Response }, heartbeats: Heartbeats, logger: Logger) {
  const iterator = source[Symbol.asyncIterator]();
  let stream: Controller | undefined;
  /** The item asked for when the last write left: the next pull takes it. */
  let ahead: Promise<IteratorResult<ExecutionResult>> | null = null;
  /**
   * Adds to `chunks` the events that follow at once (a comment's event and the counts after it
   * come in the same turn), so that they leave in one write: one socket write per subscriber and
   * batch rather than per event (the writes, `writev`, were 35% of the API's CPU in a profile of
   * the fan-out once the executions were shared). Returns the end of the stream if it came, else
   * leaves the item still awaited in `ahead` and returns a placeholder that is not done.
   */
  const following = async (chunks: Uint8Array[]): Promise<IteratorResult<ExecutionResult>> => {
    for (;;) {
      const next = iterator.next();
      const item = await Promise.race([next, nextTurn()]);
      if (item === LATER) {
        ahead = next;
        return NOT_DONE;
      }
      if (item.done) return item;
      chunks.push(nextEvent(item.value));
    }
  };
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      // A first comment line flushes the headers: some clients wait for a byte before they report the stream open.
      controller.enqueue(COMMENT);
      stream = controller;
      heartbeats.add(controller);
    },
    async pull(controller) {
      let item: IteratorResult<ExecutionResult>;
      try {
        item = await (ahead ?? iterator.next());
        ahead = null;
        if (!item.done) {
          const chunks = [nextEvent(item.value)];
          item = await following(chunks);
          controller.enqueue(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
          if (!item.done) return;
        }
      } catch (error) {
        logger.error('A subscription stream failed:', error);
        item = { done: false, value: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } as never };
        void iterator.return?.();
        controller.enqueue(encoder.encode(`event: next\ndata: ${JSON.stringify(item.value)}\n\n`));
      }
      heartbeats.delete(controller);
      controller.enqueue(encoder.encode('event: complete\ndata:\n\n'));
      controller.close();
    },
    async cancel() {
      // The client went away.
      if (stream) heartbeats.delete(stream);
      await iterator.return?.();
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    },
  });
}

/** A result as clients see it: errors as JSON (GraphQLError.toJSON), without yoga's internal `http` extension. */
function withoutInternals(result: ExecutionResult) {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) => {
      const json = (typeof (error as { toJSON?: unknown }).toJSON === 'function' ? error.toJSON() : { ...error }) as unknown as Record<string, unknown>;
      const extensions = { ...(json.extensions as Record<string, unknown> | undefined) };
      delete extensions.http;
      delete extensions.unexpected;
      return { ...json, ...(Object.keys(extensions).length ? { extensions } : {}) };
    }),
  };
}
