import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backend } from './harness.js';
import { freePort, startServer } from './processes.js';
import { subscribe } from './sse-client.js';

/*
 * SIGTERM under load, on the server as operators run it: 50 requests in flight (each on its own
 * connection, its body half sent, as a slow client's upload: the server is reading it when the
 * signal comes) and open event streams. Every request must still be answered, in full; new
 * connections are refused; the streams end with `complete`; the process exits 0 within 10 s.
 */
const THREAD = `query Thread($slug: String!) { post(slug: $slug) { title commentCount
  comments(first: 20) { edges { node { id bodyHtml replies(first: 20) { edges { node { id bodyHtml } } } } } } } }`;

/** A POST whose body is sent in two halves: `finish()` sends the rest; `response` has the answer. */
function halfSent(origin: string, body: string) {
  const url = new URL(`${origin}/graphql`);
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  // Handled here too, so that a test failing before it awaits them does not add 50 unhandled rejections.
  response.catch(() => {});
  const half = Math.floor(body.length / 2);
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

/** Whether a new TCP connection to `port` is refused (fetch could reuse a kept-alive one instead). */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(false)));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

const gauge = async (metricsUrl: string, name: string) => {
  const text = await (await fetch(metricsUrl)).text();
  return Number(text.split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
};

describe.runIf(backend === 'pglite')('SIGTERM under load', () => {
  it('answers all 50 requests in flight, refuses new connections, ends the streams, exits 0 within 10 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-shutdown-'));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const server = startServer(dir, { PORT: String(port), METRICS: 'true', METRICS_PORT: String(metricsPort), GRAPHIQL: 'false', RESPONSE_CACHE_TTL_SECONDS: '0' });
    try {
      await server.ready;
      const origin = `http://127.0.0.1:${port}`;
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      const front = (await (await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ posts(first: 1) { edges { node { id slug } } } }' }),
      })).json()) as any;
      const { id: postId, slug } = front.data.posts.edges[0].node;
      const expected = (await (await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: THREAD, variables: { slug } }),
      })).json()) as any;
      expect(expected.data.post.commentCount).toBeGreaterThan(0);

      const streams = await Promise.all([1, 2, 3].map(() => subscribe(origin, 'subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename } }', { postId })));
      const inFlight = Array.from({ length: 50 }, () => halfSent(origin, JSON.stringify({ query: THREAD, variables: { slug } })));
      // Every request has reached the server (and every stream is open) before the signal.
      for (let i = 0; i < 200 && (await gauge(metricsUrl, 'palaver_requests_in_flight')) < 53; i++) await sleep(50);
      expect(await gauge(metricsUrl, 'palaver_requests_in_flight')).toBe(53);

      server.child.kill('SIGTERM');
      // Streams end with `complete`; the listening socket is closed: a new connection is refused.
      await Promise.all(streams.map((stream) => stream.ended));
      for (const stream of streams) expect(stream.completed).toBe(true);
      expect(await refused(port)).toBe(true);

      // The slow clients finish their uploads: each gets its whole answer.
      for (const request of inFlight) request.finish();
      const answers = await Promise.all(inFlight.map((request) => request.response));
      expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
      for (const answer of answers) expect(JSON.parse(answer.body)).toEqual(expected);

      // 0, not the 1 of the forced exit 10 s after the signal.
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('with SHUTDOWN_DRAIN_SECONDS: not ready at once, yet a request on a kept-alive connection is answered (and closes it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-drain-'));
    const port = await freePort();
    const server = startServer(dir, { PORT: String(port), GRAPHIQL: 'false', SHUTDOWN_DRAIN_SECONDS: '2' });
    try {
      await server.ready;
      const origin = `http://127.0.0.1:${port}`;
      // A client with a kept-alive connection, as a load balancer's pool holds them.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const ask = (path: string) =>
        new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
          request(`${origin}${path}`, { agent }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
          }).on('error', reject).end();
        });
      expect((await ask('/ready')).status).toBe(200);
      server.child.kill('SIGTERM');
      let ready = await ask('/ready');
      for (let i = 0; i < 100 && ready.status === 200; i++) ready = await ask('/ready');
      expect(ready).toMatchObject({ status: 503, connection: 'close', body: '{"status":"stopping"}' });
      const answered = await ask(`/graphql?query=${encodeURIComponent('{ posts(first: 1) { totalCount } }')}`);
      expect(answered.status).toBe(200);
      expect(answered.connection).toBe('close');
      expect(await server.exited).toBe(0);
      agent.destroy();
    } finally {
      server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
