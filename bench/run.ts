/*
 * npm run bench: the deep-thread benchmark (see bench/README.md).
 *
 * 1. Makes sure the dataset is in the Postgres server at BENCH_DATABASE_URL (generated once,
 *    reused after), then builds and starts the API in production mode on it.
 * 2. Rounds (3 by default) of: for each operation, 3 s of warm-up then 10 s of load from
 *    autocannon with 10 connections, and for the read operations the same on the "floor" (one
 *    SQL statement returning the same JSON, run by pgbench). Operations are interleaved, so
 *    that a noisy moment hits all of them rather than one.
 * 3. Prints a markdown table and saves it under bench/results/.
 *
 * `npm run bench -- --check` stops after the checks that come before any load: the Relay texts
 * are what relay-compiler emits from bench/relay, every operation answers without errors, every
 * floor returns exactly the API's data, and pgbench accepts every floor's script.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import {
  addCommentQuery,
  apolloFrontPageFloor,
  apolloFrontPageQuery,
  deepThreadFloor,
  deepThreadQuery,
  frontPageFloor,
  frontPageQuery,
  postPageFloor,
  postPageQuery,
  relayDeepThreadFloor,
  relayPostPageFloor,
  relayQuery,
  relayThreadNextPageFloor,
  relayThreadPageFloor,
  threadPageFloor,
  threadPageQuery,
} from './operations.js';
import { ensureDataset, INBOX } from './dataset.js';
import { startServer } from './server.js';
import { BENCH_URL, CONNECTIONS, DURATION, median, pgbench, POST_SLUG, ROUNDS, WARMUP } from './settings.js';
import { benchSubscriptions } from './subscriptions.js';

const CHECK_ONLY = process.argv.includes('--check');
/** How many posts the "200 posts" operation cycles through. */
const CYCLE = 200;

const log = (message: string) => process.stderr.write(`${message}\n`);

// --- The server --------------------------------------------------------------------------------

function startApi(port: number, cacheSeconds: number) {
  return startServer(port, {
    RESPONSE_CACHE_TTL_SECONDS: String(cacheSeconds),
    DATABASE_URL: BENCH_URL,
    // addComment comes from "distinct guests": distinct X-Forwarded-For behind a local proxy.
    TRUSTED_PROXIES: '127.0.0.1, ::1',
  });
}

/** The API's counters, from its Prometheus metrics (GET /metrics): each series summed over its labels. */
async function metrics(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const total = (name: string) => {
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  };
  return {
    requests: total('palaver_requests_total'),
    sqlStatements: total('palaver_sql_statements_total'),
    cpuMicros: total('process_cpu_seconds_total') * 1e6,
    maxRssBytes: total('palaver_process_max_rss_bytes'),
  };
}

// --- Measuring ---------------------------------------------------------------------------------

interface Operation {
  name: string;
  /** Which server: the uncached one, or the one with the response cache. */
  port: number;
  /** The body of a request sent on connection `connection` (0 to CONNECTIONS − 1). */
  body: (connection: number) => string;
  headers?: () => Record<string, string>;
  floor?: string;
  /** pgbench meta-commands run before the floor's statement in each transaction (its variables). */
  floorSetup?: string;
  /**
   * What is compared before any load: requests and the floor statement each must equal. By
   * default `body()` against `floor`; an operation whose floor picks its input per transaction
   * lists a few inputs, each with the floor's variables inlined.
   */
  checks?: { body: string; floor: string }[];
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  statements: number;
  cpuMs: number;
  errors: number;
  /** The API process's peak RSS so far, after this measurement (a cached operation's: the cached process's). */
  peakRssBytes: number;
  floorTps?: number;
}

async function load(op: Operation, seconds: number) {
  let connections = 0;
  const request = (connection: number) => ({
    method: 'POST' as const,
    setupRequest: (req: object) => ({ ...req, headers: { 'content-type': 'application/json', ...op.headers?.() }, body: op.body(connection) }),
  });
  return autocannon({
    url: `http://127.0.0.1:${op.port}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [request(0)],
    // Each connection numbered, for the bodies that differ by connection.
    setupClient: (client) => client.setRequests([request(connections++ % CONNECTIONS)]),
  });
}

async function measure(op: Operation): Promise<Sample> {
  await load(op, WARMUP);
  const before = await metrics(op.port);
  const result = await load(op, DURATION);
  const after = await metrics(op.port);
  const requests = after.requests - before.requests;
  return {
    rps: result.requests.total / DURATION,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statements: (after.sqlStatements - before.sqlStatements) / requests,
    cpuMs: (after.cpuMicros - before.cpuMicros) / 1000 / requests,
    errors: result.errors + result.non2xx + result.timeouts,
    peakRssBytes: after.maxRssBytes,
  };
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);


// --- Main ----------------------------------------------------------------------------------------

// The Relay texts are used verbatim: they must be what relay-compiler emits from bench/relay/src now.
try {
  execFileSync(fileURLToPath(new URL('../node_modules/.bin/relay-compiler', import.meta.url)), ['--validate', '--output', 'quiet-with-errors'], {
    cwd: fileURLToPath(new URL('relay/', import.meta.url)),
    stdio: 'inherit',
  });
} catch {
  throw new Error('bench/relay/__generated__ is not what relay-compiler emits from bench/relay/src: run npm run bench:relay');
}

const sql = await ensureDataset();
const [deepPost] = await sql`select id from posts where slug = 'deep'`;
const deepPostId = Buffer.from(`Post:${deepPost!.id}`).toString('base64');
const [ninthThousand] = await sql`
  select id from comments where post_id = ${deepPost!.id} and listed order by path offset 8999 limit 1`;
const deepCursor = Buffer.from(`Comment:${ninthThousand!.id}`).toString('base64url');
const [inbox] = await sql`select id from posts where slug = ${INBOX}`;
const inboxId = Buffer.from(`Post:${inbox!.id}`).toString('base64');
// The posts a reader moves between: the first CYCLE public ones of the generated 1,000.
const cycle = (
  await sql<{ slug: string }[]>`
    select slug from posts p
    where slug like 'gen-post-%' and status in ('published', 'scheduled') and published_at <= now()
    order by id limit ${CYCLE}`
).map((row) => row.slug);
if (cycle.length !== CYCLE) throw new Error(`The dataset has ${cycle.length} public generated posts, not ${CYCLE}`);
// pgbench picks the slug per transaction from the same list: `(array[…])[:n]`, n from 1 to CYCLE.
const cycleSlugs = `(array[${cycle.map((slug) => `'${slug.replaceAll("'", "''")}'`).join(', ')}])`;

// Two API processes: one with the response cache off (the uncached figures), one with it on.
const port = 40_000 + (process.pid % 20_000);
const cachedPort = port + 1;
log('Building (npm run build)');
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
const server = await startApi(port, 0);
const cachedServer = await startApi(cachedPort, 300);
let guest = 0;
// Request bodies built once: autocannon asks for one per request, on the cores the API uses.
//
// Each connection sends its own copy of a read: the same query and variables plus one the query
// does not declare (`benchConnection`, which GraphQL ignores), so that no two requests in flight are
// identical and every request executes. Identical reads in flight share one execution
// (src/in-flight.ts): with ten connections repeating one request, most would wait for another's
// statement, which measures the sharing, not the engine. One row measures it on purpose.
const perConnection = (body: { query: string; variables?: Record<string, unknown> }) => {
  const bodies = Array.from({ length: CONNECTIONS }, (_, i) => JSON.stringify({ ...body, variables: { ...body.variables, benchConnection: i } }));
  return (connection: number) => bodies[connection]!;
};
const relayPostPage = (slug: string) => JSON.stringify({ query: relayQuery('PostPageQuery'), variables: { slug } });
const relayPostPageBody = perConnection({ query: relayQuery('PostPageQuery'), variables: { slug: POST_SLUG } });
const cycleBodies = cycle.map(relayPostPage);
let cycled = 0;
const relayDeepThread = { query: relayQuery('DeepThreadQuery'), variables: { slug: 'deep' } };
const relayThreadPageBody = perConnection({ query: relayQuery('ThreadPageQuery'), variables: { slug: 'deep' } });
const relayThreadNextPageBody = perConnection({
  query: relayQuery('ThreadPagePaginationQuery'),
  variables: { count: 50, cursor: deepCursor, id: deepPostId },
});
const allOperations: Operation[] = [
  { name: 'front page', port, body: perConnection({ query: frontPageQuery }), floor: frontPageFloor },
  { name: 'front page, Apollo', port, body: perConnection({ query: apolloFrontPageQuery }), floor: apolloFrontPageFloor },
  { name: 'post page', port, body: perConnection({ query: postPageQuery(POST_SLUG) }), floor: postPageFloor(POST_SLUG) },
  { name: 'post page, Relay', port, body: relayPostPageBody, floor: relayPostPageFloor(`'${POST_SLUG}'`) },
  {
    name: `post page, Relay, ${CYCLE} posts`,
    port,
    // Each request the next post of the cycle (autocannon calls setupRequest, hence this, per request).
    body: () => cycleBodies[cycled++ % CYCLE]!,
    floor: relayPostPageFloor(`${cycleSlugs}[:n]`),
    floorSetup: `\\set n random(1, ${CYCLE})`,
    checks: [1, 2, CYCLE / 2, CYCLE].map((n) => ({ body: cycleBodies[n - 1]!, floor: relayPostPageFloor(`${cycleSlugs}[${n}]`) })),
  },
  { name: 'deep thread', port, body: perConnection({ query: deepThreadQuery }), floor: deepThreadFloor },
  { name: 'deep thread, Relay', port, body: perConnection(relayDeepThread), floor: relayDeepThreadFloor },
  {
    // All connections the same bytes: identical reads in flight share one execution.
    name: 'deep thread, Relay, shared',
    port,
    body: () => JSON.stringify(relayDeepThread),
    floor: relayDeepThreadFloor,
  },
  {
    name: 'thread page, start',
    port,
    body: perConnection({ query: threadPageQuery, variables: { after: null } }),
    floor: threadPageFloor(null),
  },
  {
    name: 'thread page, ~9,000 in',
    port,
    body: perConnection({ query: threadPageQuery, variables: { after: deepCursor } }),
    floor: threadPageFloor(ninthThousand!.id),
  },
  {
    name: 'thread page, Relay, start',
    port,
    body: relayThreadPageBody,
    floor: relayThreadPageFloor,
  },
  {
    // Relay's loadNext: the pagination query relay-compiler derived from @refetchable, by node id.
    name: 'thread page, Relay, ~9,000 in',
    port,
    body: relayThreadNextPageBody,
    floor: relayThreadNextPageFloor(deepPost!.id, ninthThousand!.id),
  },
  { name: 'front page, cached', port: cachedPort, body: () => JSON.stringify({ query: frontPageQuery }), floor: frontPageFloor },
  { name: 'post page, cached', port: cachedPort, body: () => JSON.stringify({ query: postPageQuery(POST_SLUG) }), floor: postPageFloor(POST_SLUG) },
  {
    name: 'addComment',
    port,
    body: () => {
      const n = ++guest;
      return JSON.stringify({
        query: addCommentQuery,
        variables: { input: { postId: inboxId, body: `Benchmark comment number ${n}.`, name: `Guest ${n}`, email: `guest${n}@bench.invalid` } },
      });
    },
    headers: () => ({ 'x-forwarded-for': `10.${(guest >> 16) & 255}.${(guest >> 8) & 255}.${guest & 255}` }),
  },
];

// BENCH_ONLY=deep,thread runs only the operations whose names contain one of those words.
const only = process.env.BENCH_ONLY?.split(',').map((word) => word.trim()).filter(Boolean);
const operations = only ? allOperations.filter((op) => only.some((word) => op.name.includes(word))) : allOperations;

try {
  // Each operation answers correctly, and each floor returns exactly the API's data.
  const bytes = new Map<string, number>();
  for (const op of operations) {
    const checks = op.checks ?? [{ body: op.body(0), floor: op.floor }];
    for (const check of checks) {
      const response = await fetch(`http://127.0.0.1:${op.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...op.headers?.() },
        body: check.body,
      });
      const text = await response.text();
      const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
      if (body.errors || !response.ok) throw new Error(`${op.name} failed (${response.status}): ${JSON.stringify(body.errors)}`);
      // The size of the first response (for an operation that varies its input, the first input's).
      if (!bytes.has(op.name)) bytes.set(op.name, Buffer.byteLength(text));
      if (check.floor) {
        const [row] = await sql.unsafe(check.floor);
        const floorData = Object.values(row!)[0];
        if (!isDeepStrictEqual(floorData, body.data)) {
          const file = (what: string) => join(tmpdir(), `palaver-${op.name.replace(/\W+/g, '-')}.${what}.json`);
          writeFileSync(file('api'), JSON.stringify(body.data, null, 1));
          writeFileSync(file('floor'), JSON.stringify(floorData, null, 1));
          throw new Error(`The floor of ${op.name} does not return the API's data (compare ${file('api')} with ${file('floor')})`);
        }
      }
    }
    // pgbench prepares the statement and substitutes its variables itself: it must take the script too.
    if (op.floor) await pgbench(op.floor, { transactions: 1 }, op.floorSetup);
  }
  log('Every floor returns exactly the API data.');
  if (CHECK_ONLY) log('--check: no load.');
  else await benchmark(bytes);
} finally {
  server.kill('SIGTERM');
  cachedServer.kill('SIGTERM');
  // Leave the dataset as it was: drop what addComment wrote.
  await sql`delete from comments where post_id = ${inbox!.id}`;
  await sql`update posts set comment_count = 0 where id = ${inbox!.id}`;
  await sql.end();
}

/** The rounds of load, then the report. */
async function benchmark(bytes: Map<string, number>) {
  const samples = new Map<string, Sample[]>(operations.map((op) => [op.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const op of operations) {
      log(`Round ${round}/${ROUNDS}: ${op.name}`);
      const sample = await measure(op);
      if (op.floor) {
        await pgbench(op.floor, { seconds: WARMUP }, op.floorSetup);
        sample.floorTps = await pgbench(op.floor, { seconds: DURATION }, op.floorSetup);
      }
      samples.get(op.name)!.push(sample);
    }
  }
  const { maxRssBytes } = await metrics(port);
  const cachedRss = (await metrics(cachedPort)).maxRssBytes;

  const rows = operations.map((op) => {
    const s = samples.get(op.name)!;
    const ratio = op.floor ? median(s.map((x) => x.rps / x.floorTps!)) : null;
    return [
      op.name,
      median(s.map((x) => x.rps)).toFixed(0),
      median(s.map((x) => x.p50)).toFixed(1),
      median(s.map((x) => x.p99)).toFixed(1),
      op.floor ? median(s.map((x) => x.floorTps!)).toFixed(0) : '–',
      ratio === null ? '–' : `${ratio.toFixed(2)}×`,
      median(s.map((x) => x.statements)).toFixed(1),
      median(s.map((x) => x.cpuMs)).toFixed(2),
      String(bytes.get(op.name)),
      String(s.reduce((sum, x) => sum + x.errors, 0)),
    ];
  });
  const [version] = await sql`select current_setting('server_version') as v`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, PostgreSQL ${version!.v}`;
  const table = [
    `Palaver benchmark, ${new Date().toISOString()} — ${machine}`,
    `${ROUNDS} rounds × ${DURATION} s after ${WARMUP} s warm-up, ${CONNECTIONS} connections; medians of rounds; ratio = API req/s ÷ floor tps, paired per round.`,
    '',
    '| operation | req/s | p50 ms | p99 ms | floor tps | vs floor | SQL/req | CPU ms/req | bytes | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    `Peak RSS of the API process: ${megabytes(maxRssBytes)} MB (the one with the response cache: ${megabytes(cachedRss)} MB).`,
    // Where the peak was reached: each process's peak so far, after each operation of round 1.
    `Peak RSS so far after each operation of round 1: ${operations.map((op) => `${op.name} ${megabytes(samples.get(op.name)![0]!.peakRssBytes)}`).join(', ')} MB.`,
  ].join('\n');
  // Then the subscriptions (bench/subscriptions.ts), unless BENCH_ONLY leaves them out.
  const sse = !only || only.includes('subscriptions') ? `\n\n${await benchSubscriptions()}` : '';
  console.log(`\n${table}${sse}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
  writeFileSync(file, `${table}${sse}\n`);
  log(`Saved ${file}`);
}
