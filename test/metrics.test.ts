import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from './harness.js';
import { subscribe } from './sse-client.js';
import { freePort, startServer, stopServer, type ServerProcess } from './processes.js';

/*
 * GET /metrics as Prometheus scrapes it, from the server as operators run it (METRICS=true), on a
 * port of its own (METRICS_PORT): requests by operation and outcome, their SQL statements, the
 * engine's plans answering repeats, and Node's process metrics; nothing on the API's port.
 */
const root = mkdtempSync(join(tmpdir(), 'palaver-metrics-'));
let server: ServerProcess;
let api: string;
let metricsUrl: string;
beforeAll(async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  server = startServer(join(root, 'db'), { PORT: String(port), METRICS: 'true', METRICS_PORT: String(metricsPort), RESPONSE_CACHE_TTL_SECONDS: '0' });
  await server.ready;
  api = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
}, 120_000);
afterAll(async () => {
  if (server) expect(await stopServer(server)).toBe(0);
  rmSync(root, { recursive: true, force: true });
});

/** A series' value: `name{labels}` exactly as Prometheus writes it. */
const series = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};
const post = (body: unknown) =>
  fetch(`${api}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });

describe.runIf(backend === 'pglite')('metrics', () => {
  it('count requests by operation and outcome, their statements, and the repeats answered from plans', async () => {
    const frontPage = { query: 'query FrontPage { posts(first: 3) { edges { node { title author { name } } } } }', operationName: 'FrontPage' };
    for (let i = 0; i < 3; i++) expect((await post(frontPage)).status).toBe(200);
    expect((await post({ query: '{ nope }' })).status).toBe(400);

    const response = await fetch(metricsUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(series(text, 'palaver_requests_total{operation="FrontPage",outcome="ok"}')).toBe(3);
    expect(series(text, 'palaver_requests_total{operation="anonymous",outcome="client_error"}')).toBe(1);
    expect(series(text, 'palaver_request_duration_seconds_count{operation="FrontPage"}')).toBe(3);
    // The front page is one statement, whether yoga ran it or its plan did (the 2nd and 3rd).
    expect(series(text, 'palaver_response_cache_total{result="plan"}')).toBe(2);
    // Every result the README names, spelled as it names them (the cache is off here: none else).
    for (const result of ['hit', 'miss', 'replay']) expect(series(text, `palaver_response_cache_total{result="${result}"}`), result).toBe(0);
    // Start-up's statements (migrations, the first-start checks) and the front page's three.
    const statements = series(text, 'palaver_sql_statements_total')!;
    for (let i = 0; i < 2; i++) expect((await post(frontPage)).status).toBe(200);
    expect(series(await (await fetch(metricsUrl)).text(), 'palaver_sql_statements_total')).toBe(statements + 2);
    expect(series(text, 'palaver_process_max_rss_bytes')).toBeGreaterThan(10_000_000);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(series(text, name), name).toBeGreaterThanOrEqual(0);
    }
    // Not on the API's port.
    expect((await fetch(`${api}/metrics`)).status).not.toBe(200);
  });

  it('count open subscriptions, the events they sent, and requests in flight (a stream is one while open)', async () => {
    const { data } = (await (await post({ query: '{ posts(first: 1) { edges { node { id } } } }' })).json()) as any;
    const postId = data.posts.edges[0].node.id;
    const sub = await subscribe(api, 'subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename } }', { postId });
    const added = await post({
      query: 'mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }',
      variables: { input: { postId, body: 'Counted', name: 'M', email: 'metrics@example.com' } },
    });
    expect(added.status).toBe(200);
    await sub.waitFor(1);
    let text = await (await fetch(metricsUrl)).text();
    expect(series(text, 'palaver_subscriptions_open')).toBe(1);
    expect(series(text, 'palaver_subscription_events_total')).toBeGreaterThanOrEqual(1);
    expect(series(text, 'palaver_requests_in_flight')).toBe(1);
    sub.close();
    await sub.ended;
    for (let i = 0; i < 50 && series(text, 'palaver_subscriptions_open') !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await (await fetch(metricsUrl)).text();
    }
    expect(series(text, 'palaver_subscriptions_open')).toBe(0);
    expect(series(text, 'palaver_requests_in_flight')).toBe(0);
  });
});
