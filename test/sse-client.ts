/*
 * A GraphQL-over-SSE client as a browser app would write it over `fetch` (EventSource cannot
 * POST or send headers): POST the operation with `Accept: text/event-stream`, read the body as it
 * arrives, and parse it as the EventSource spec says (fields per line, an event per blank line,
 * `:` lines are comments). Nothing in it knows Palaver.
 */

export interface SseResult {
  data?: any;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

export interface SseSubscription {
  response: Response;
  /** Every `next` result so far, in order. */
  results: SseResult[];
  /** Comment lines (heartbeats) so far. */
  comments: number;
  /** Resolves when the server sent `complete` or the stream ended. */
  ended: Promise<void>;
  completed: boolean;
  /** Waits until `count` results have arrived (rejects after `timeoutMs`, with what came). */
  waitFor(count: number, timeoutMs?: number): Promise<SseResult[]>;
  /** Waits until `count` heartbeats have arrived. */
  waitForComments(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function subscribe(
  origin: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const sub: SseSubscription = {
    response,
    results: [],
    comments: 0,
    completed: false,
    ended: Promise.resolve(),
    waitFor: (count, timeoutMs = 15_000) => until(() => sub.results.length >= count, timeoutMs, () => `${count} results, got ${JSON.stringify(sub.results)}`).then(() => sub.results),
    waitForComments: (count, timeoutMs = 15_000) => until(() => sub.comments >= count, timeoutMs, () => `${count} heartbeats, got ${sub.comments}`),
    close: () => abort.abort(),
  };
  let finished = false;
  const until = (done: () => boolean, timeoutMs: number, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        } else if (finished) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`stream ended before ${what()}`));
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what()}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  sub.ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let event = 'message';
    let data: string[] = [];
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (event === 'next' && data.length) sub.results.push(JSON.parse(data.join('\n')) as SseResult);
            if (event === 'complete') sub.completed = true;
            event = 'message';
            data = [];
            wake();
          } else if (line.startsWith(':')) {
            sub.comments++;
            wake();
          } else {
            const colon = line.indexOf(':');
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
          }
        }
      }
    } catch {
      // aborted by close()
    } finally {
      finished = true;
      wake();
    }
  })();
  return sub;
}
