/*
 * npm run bench:faults: the server as operators run it, under steady load, through faults.
 *
 * The API runs on a fresh Postgres database (BENCH_FAULTS_DATABASE_URL's server, database
 * `palaver_faults`, recreated) and the machine's Redis (database 12, emptied), each reached through
 * a TCP proxy in this process that is cut and restored, as a network partition looks to a client.
 * 8 clients each send, in a loop, the demo post's page as a GET (4 in 5 requests) or a new comment
 * from a distinct guest (1 in 5). The timeline:
 *   0–5 s steady · 5–10 s Postgres cut · 10–20 s steady · 20–25 s Redis cut · 25–35 s steady,
 * then 50 requests at once and a SIGTERM while they are in flight (SHUTDOWN_DRAIN_SECONDS=2).
 * Printed, per phase: requests, answered 200, refused as retryable (503 SERVICE_UNAVAILABLE), any
 * other failure, the slowest answer; the time from each restore to the first good read and write;
 * and the checks after: every comment that was answered as written exists exactly once, none that
 * was refused does, and the thread's counters match its rows.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { createDb, queryRows } from '../src/db/client.js';
import { tcpProxy } from '../test/faults.js';
import { counterDrift } from '../test/fixtures.js';
import { freePort } from '../test/processes.js';

const SERVER_URL = new URL(process.env.BENCH_FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const DATABASE = 'palaver_faults';
const REDIS = 'redis://127.0.0.1:6379/12';
const CLIENTS = 8;
const log = (message: string) => process.stderr.write(`${message}\n`);

type Kind = 'read' | 'write';
interface Outcome {
  kind: Kind;
  at: number;
  ms: number;
  result: 'ok' | 'retryable' | 'failed';
  guest?: number;
}

async function freshDatabase() {
  const admin = postgres(SERVER_URL.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DATABASE} with (force)`);
  await admin.unsafe(`create database ${DATABASE}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  return url;
}

async function main() {
  const databaseUrl = await freshDatabase();
  const redis = new Redis(REDIS);
  await redis.flushdb();
  const pgProxy = await tcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
  const redisProxy = await tcpProxy({ host: '127.0.0.1', port: 6379 });
  const proxied = new URL(databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(pgProxy.port);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: proxied.toString(),
      REDIS_URL: `redis://127.0.0.1:${redisProxy.port}/12`,
      RESPONSE_CACHE_TTL_SECONDS: '300',
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      GRAPHIQL: 'false',
      LOG_LEVEL: 'error',
      COMMENT_FLOOD_SECONDS: '0',
      TRUSTED_PROXIES: '127.0.0.1',
      // Requests on their way over kept-alive connections when the signal comes are still answered.
      SHUTDOWN_DRAIN_SECONDS: '2',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${origin}/ready`).then((r) => r.ok, () => false)) break;
    await sleep(100);
  }
  const front = (await (await fetch(`${origin}/graphql?query=${encodeURIComponent('{ posts(first: 1) { edges { node { id slug } } } }')}`)).json()) as any;
  const { id: postId, slug: demoSlug } = front.data.posts.edges[0].node as { id: string; slug: string };

  const readUrl = `${origin}/graphql?query=${encodeURIComponent(
    `query PostPage($slug: String!) { post(slug: $slug) { id title commentCount comments(first: 20) { edges { node { id bodyHtml replyCount } } } } }`,
  )}&variables=${encodeURIComponent(JSON.stringify({ slug: demoSlug }))}`;
  let guests = 0;
  const started = Date.now();
  const outcomes: Outcome[] = [];
  const failures: string[] = [];
  const classify = async (response: Response, kind: Kind): Promise<Outcome['result']> => {
    const body = (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    if (response.status === 503 && body.errors?.[0]?.extensions?.code === 'SERVICE_UNAVAILABLE') return 'retryable';
    if (response.status !== 200 || body.errors?.length) {
      failures.push(`${kind} ${response.status} ${JSON.stringify(body.errors?.[0] ?? null)}`);
      return 'failed';
    }
    return kind === 'read' ? (body.data?.post ? 'ok' : 'failed') : body.data?.addComment?.__typename === 'AddCommentPayload' ? 'ok' : 'failed';
  };
  const one = async (kind: Kind) => {
    const t = Date.now();
    const guest = kind === 'write' ? ++guests : undefined;
    let result: Outcome['result'];
    try {
      const response =
        kind === 'read'
          ? await fetch(readUrl)
          : await fetch(`${origin}/graphql`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.30.${guest! >> 8}.${guest! & 255}` },
              body: JSON.stringify({
                query: 'mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename } }',
                variables: { input: { postId, body: `Fault run ${guest}`, name: `Guest ${guest}`, email: `fault${guest}@example.com` } },
              }),
            });
      result = await classify(response, kind);
    } catch (error) {
      failures.push(`${kind} ${(error as Error).message} ${String((error as Error).cause ?? '')}`);
      result = 'failed';
    }
    outcomes.push({ kind, at: t - started, ms: Date.now() - t, result, ...(guest ? { guest } : {}) });
  };

  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    for (let i = c; running; i++) await one(i % 5 === 4 ? 'write' : 'read');
  });
  const at = (seconds: number) => sleep(Math.max(0, started + seconds * 1000 - Date.now()));
  const events: Record<string, number> = {};
  /** Cuts `proxy` from second `from` to second `to` of the run; returns when it came back (ms into the run). */
  const outage = async (name: string, proxy: typeof pgProxy, from: number, to: number) => {
    await at(from);
    log(`cutting ${name}`);
    proxy.cut();
    await at(to);
    proxy.restore();
    log(`${name} back`);
    return Date.now() - started;
  };
  events.postgresBack = await outage('Postgres', pgProxy, 5, 10);
  events.redisBack = await outage('Redis', redisProxy, 20, 25);
  await at(35);
  running = false;
  await Promise.all(clients);

  // 50 requests at once, and SIGTERM while they are in flight.
  const burst = Array.from({ length: 50 }, () => fetch(readUrl).then((r) => r.status, () => 0));
  await sleep(20);
  const signalled = Date.now();
  server.kill('SIGTERM');
  const statuses = await Promise.all(burst);
  const code = await exited;
  const exitMs = Date.now() - signalled;

  // The checks, on the database itself (not through the proxy).
  const database = createDb({ databaseUrl: databaseUrl.toString(), poolSize: 2 });
  const rows = await queryRows<{ body: string; n: number }>(
    database.db,
    sql`select body_markdown as body, count(*)::int as n from comments where body_markdown like 'Fault run %' group by body_markdown`,
  );
  const written = new Map(rows.map((row) => [row.body, row.n]));
  const writes = outcomes.filter((o) => o.kind === 'write');
  const lost = writes.filter((o) => o.result === 'ok' && written.get(`Fault run ${o.guest}`) !== 1).length;
  const ghost = writes.filter((o) => o.result !== 'ok' && written.has(`Fault run ${o.guest}`)).length;
  const drift = await counterDrift(database.db);
  await database.close();

  const phase = (name: string, from: number, to: number) => {
    const inPhase = outcomes.filter((o) => o.at >= from * 1000 && o.at < to * 1000);
    const count = (result: Outcome['result']) => inPhase.filter((o) => o.result === result).length;
    const slowest = Math.max(0, ...inPhase.map((o) => o.ms));
    return `| ${name} | ${inPhase.length} | ${count('ok')} | ${count('retryable')} | ${count('failed')} | ${slowest} ms |`;
  };
  const recovery = (from: number, kind: Kind) => {
    const first = outcomes.filter((o) => o.kind === kind && o.result === 'ok' && o.at >= from).sort((a, b) => a.at - b.at)[0];
    return first ? `${first.at - from} ms` : 'never';
  };
  const report = [
    `Fault run, ${new Date().toISOString().slice(0, 10)}, ${CLIENTS} clients (4 reads : 1 write), response cache in Redis`,
    '',
    '| phase | requests | 200 | 503 retryable | other failures | slowest |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    phase('steady, 0–5 s', 0, 5),
    phase('Postgres cut, 5–10 s', 5, 10),
    phase('steady, 10–20 s', 10, 20),
    phase('Redis cut, 20–25 s', 20, 25),
    phase('steady, 25–35 s', 25, 36),
    '',
    `- Postgres back → first good read ${recovery(events.postgresBack!, 'read')}, first good write ${recovery(events.postgresBack!, 'write')}`,
    `- Redis back → first good read ${recovery(events.redisBack!, 'read')}, first good write ${recovery(events.redisBack!, 'write')}`,
    `- Writes: ${writes.filter((o) => o.result === 'ok').length} answered as written, ${lost} of them missing or duplicated; ${writes.filter((o) => o.result !== 'ok').length} refused, ${ghost} of them written anyway; counter drift: ${drift.length}`,
    `- SIGTERM with 50 requests in flight: ${statuses.filter((s) => s === 200).length} answered 200, ${statuses.filter((s) => s !== 200).length} failed; exit code ${code} after ${exitMs} ms`,
  ].join('\n');
  console.log(report);
  if (failures.length) console.log(['', 'Other failures:', ...[...new Set(failures)].map((f) => `- ${f}`)].join('\n'));
  redis.disconnect();
  await pgProxy.close();
  await redisProxy.close();
  process.exit(lost + ghost + drift.length === 0 && code === 0 ? 0 : 1);
}

await main();
