import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
// One registered operation (relay-compiler's id → text map): its name always has a label.
const persisted = join(root, 'persisted.json');
writeFileSync(persisted, JSON.stringify({ 'registered-front-page': 'query RegisteredFrontPage { posts(first: 2) { edges { node { title } } } }' }));
let server: ServerProcess;
let api: string;
let metricsUrl: string;
beforeAll(async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  server = startServer(join(root, 'db'), {
    PORT: String(port),
    METRICS: 'true',
    METRICS_PORT: String(metricsPort),
    RESPONSE_CACHE_TTL_SECONDS: '0',
    PERSISTED_OPERATIONS_FILE: persisted,
  });
  await server.ready;
  api = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
}, 120_000);
afterAll(async () => {
  if (server) expect(await stopServer(server)).toBe(0);
  rmSync(root, { recursive: true, force: true });
});

/** The sum of a metric's series whose labels include `labels` (written as Prometheus writes them). */
const total = (text: string, name: string, labels: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
/** Sends `requests` (thunks), `width` at a time. */
async function inBatches(requests: (() => Promise<unknown>)[], width = 20) {
  for (let i = 0; i < requests.length; i += width) await Promise.all(requests.slice(i, i + width).map((send) => send()));
}
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
    // `{ nope }` ran nothing (it does not validate): no operation.
    expect(series(text, 'palaver_requests_total{operation="none",outcome="client_error"}')).toBe(1);
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

  it('name only operations that ran: 700 refused requests with junk names take no label, and a real operation after them has its own', async () => {
    const requests = 'palaver_requests_total';
    const noneBefore = total(await (await fetch(metricsUrl)).text(), requests, 'operation="none"');
    // Refused before anything runs: an operationName no operation has, a document that does not
    // parse, one that does not validate; each with a name of its own.
    const junk = Array.from({ length: 700 }, (_, i) => () => {
      const name = `Junk${i}`;
      const body = [
        { query: 'query Real { __typename }', operationName: name },
        { query: `query ${name} {`, operationName: name },
        { query: `query ${name} { nope }`, operationName: name },
      ][i % 3];
      return post(body).then(async (response) => {
        expect(response.status, name).not.toBe(500);
        expect(((await response.json()) as { errors?: unknown[] }).errors, name).toBeDefined();
      });
    });
    await inBatches(junk);
    const plansBefore = series(await (await fetch(metricsUrl)).text(), 'palaver_response_cache_total{result="plan"}')!;
    // Named in its text only (no operationName), three times: yoga runs the first, the engine's
    // plan answers the repeats past yoga (the same operation, so the same label).
    const real = { query: 'query AfterTheJunk { posts(first: 2) { edges { node { title } } } }' };
    for (let i = 0; i < 3; i++) expect((await post(real)).status).toBe(200);
    // And one named by its operationName as well.
    expect((await post({ query: 'query WithItsName { __typename }', operationName: 'WithItsName' })).status).toBe(200);

    const text = await (await fetch(metricsUrl)).text();
    expect(series(text, 'palaver_response_cache_total{result="plan"}')).toBe(plansBefore + 2);
    expect(series(text, `${requests}{operation="AfterTheJunk",outcome="ok"}`)).toBe(3);
    expect(series(text, 'palaver_request_duration_seconds_count{operation="AfterTheJunk"}')).toBe(3);
    expect(series(text, `${requests}{operation="WithItsName",outcome="ok"}`)).toBe(1);
    expect(total(text, requests, 'operation="other"')).toBe(0);
    // The junk is counted, under `none`, and named nowhere.
    expect(total(text, requests, 'operation="none"') - noneBefore).toBe(700);
    expect(text).not.toMatch(/Junk\d/);
  });

  it('give registered operations their own label even once other names took all 500 places', async () => {
    // Operations that run, each under a name of its own: past the 500 places, `other`.
    await inBatches(Array.from({ length: 520 }, (_, i) => () => post({ query: `query Filler${i} { __typename }`, operationName: `Filler${i}` })));
    // The registered operation, by its id (no operationName, no text).
    const registered = await post({ doc_id: 'registered-front-page', variables: {} });
    expect(registered.status).toBe(200);
    expect(((await registered.json()) as any).data.posts.edges.length).toBeGreaterThan(0);
    // A name first seen now, not registered: `other`.
    expect((await post({ query: 'query LateComer { __typename }', operationName: 'LateComer' })).status).toBe(200);

    const text = await (await fetch(metricsUrl)).text();
    expect(series(text, 'palaver_requests_total{operation="RegisteredFrontPage",outcome="ok"}')).toBe(1);
    expect(text).not.toContain('LateComer');
    const named = new Set([...text.matchAll(/^palaver_requests_total\{operation="([^"]+)"/gm)].map((m) => m[1]!));
    expect([...named].filter((name) => !['none', 'anonymous', 'other', 'RegisteredFrontPage'].includes(name))).toHaveLength(500);
    expect(total(text, 'palaver_requests_total', 'operation="other"')).toBeGreaterThanOrEqual(21);
  });
});
