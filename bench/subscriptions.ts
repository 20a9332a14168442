import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { insertAuthors, insertPosts, truncateAll } from '../src/db/queries/import.js';
import { ensureDatabase } from './database.js';
import { startServer } from './server.js';

/*
 * `npm run bench:sse` (and the end of `npm run bench`): N SSE subscribers of `threadEvents` on one
 * post (BENCH_SSE_SUBSCRIBERS, 2,000 by default), then comments posted one at a time: for each
 * comment, the time from the mutation's response to each subscriber's CommentAdded event; and the
 * API's RSS idle, with 1,000 and with N idle subscribers. Targets (issue 10): p99 ≤ 500 ms at
 * 2,000 subscribers; ≤ 30 MB per 1,000 idle subscribers.
 *
 * The subscribers are raw HTTP requests from this one process (no EventSource objects: 2,000 of
 * them would make the load generator the bottleneck), each parsed only as far as finding its
 * `event: next` blocks. The database is its own (BENCH_SSE_DATABASE_URL), emptied and given one
 * post each run.
 */

const URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/palaver_sse';
const SUBSCRIPTION = `subscription ($postId: ID!) { threadEvents(postId: $postId) {
  __typename ... on CommentAdded { cursor comment { id depth createdAt bodyHtml author { name } } } ... on ThreadCounts { commentCount } } }`;
const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status comment { id } } } }`;

const log = (message: string) => process.stderr.write(`${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One subscriber: when each comment's CommentAdded reached it (performance.now()). */
interface Subscriber {
  req: ClientRequest;
  opened: Promise<void>;
  received: Map<string, number>;
}

/** How many subscribers have had each comment, and who waits for a count. */
const arrivals = new Map<string, number>();
let onArrival: (() => void) | null = null;

function subscribe(port: number, path: string): Subscriber {
  const sub: Subscriber = { req: undefined as never, opened: undefined as never, received: new Map() };
  sub.opened = new Promise((resolve, reject) => {
    sub.req = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`subscription answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const now = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          // The first block is the server's opening comment: the stream is open.
          if (block.startsWith(':')) resolve();
          if (!block.startsWith('event: next\n')) continue;
          const result = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as { data?: { threadEvents?: { __typename: string; comment?: { id: string } } }; errors?: unknown };
          if (result.errors) throw new Error(`subscription error: ${JSON.stringify(result.errors)}`);
          const event = result.data!.threadEvents!;
          if (event.__typename !== 'CommentAdded') continue;
          sub.received.set(event.comment!.id, now);
          arrivals.set(event.comment!.id, (arrivals.get(event.comment!.id) ?? 0) + 1);
          onArrival?.();
        }
      });
    });
    sub.req.on('error', reject);
    sub.req.end();
  });
  return sub;
}

/** Opens `count` subscribers, `batch` at a time (the listen backlog is finite). */
async function open(port: number, path: string, count: number, batch = 100): Promise<Subscriber[]> {
  const subs: Subscriber[] = [];
  for (let i = 0; i < count; i += batch) {
    const opened = Array.from({ length: Math.min(batch, count - i) }, () => subscribe(port, path));
    await Promise.all(opened.map((s) => s.opened));
    subs.push(...opened);
  }
  return subs;
}

/** The server's resident set (VmRSS), in bytes, after a moment to settle. */
async function rssOf(pid: number): Promise<number> {
  await sleep(3000);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) * 1024;
}

async function cpuSeconds(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)/m.exec(text)?.[1] ?? NaN);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (value: number) => value.toFixed(0);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

export async function benchSubscriptions({
  databaseUrl = process.env.BENCH_SSE_DATABASE_URL ?? URL_DEFAULT,
  subscribers = Number(process.env.BENCH_SSE_SUBSCRIBERS ?? 2000),
  comments = Number(process.env.BENCH_SSE_COMMENTS ?? 5),
} = {}): Promise<string> {
  if (subscribers < 1000) throw new Error('BENCH_SSE_SUBSCRIBERS must be at least 1,000 (RSS is measured at 1,000)');
  // The database: created if missing, migrated, emptied, one author and one post.
  await ensureDatabase(databaseUrl);
  const database = createDb({ databaseUrl });
  await migrate(database);
  await truncateAll(database.db);
  const [author] = await insertAuthors(database.db, [{ slug: 'bench', name: 'Bench', email: 'bench@bench.invalid' }]);
  const [post] = await insertPosts(database.db, [
    { slug: 'live', title: 'Live', excerpt: '', bodyMarkdown: 'Live.', bodyHtml: '<p>Live.</p>', authorId: author!.id, status: 'published', publishedAt: new Date('2000-01-01') },
  ]);
  await database.close();
  const postId = Buffer.from(`Post:${post!.id}`).toString('base64');

  const port = 42_000 + (process.pid % 20_000);
  const server = await startServer(port, {
    DATABASE_URL: databaseUrl,
    RESPONSE_CACHE_TTL_SECONDS: '0',
    COMMENT_FLOOD_SECONDS: '0',
    // Every subscriber comes from this one address.
    SUBSCRIPTIONS_PER_CLIENT: '100000',
    SUBSCRIPTIONS_MAX: '100000',
  });
  const load = [loadavg()[0]!];
  const subs: Subscriber[] = [];
  try {
    const path = `/graphql?query=${encodeURIComponent(SUBSCRIPTION)}&variables=${encodeURIComponent(JSON.stringify({ postId }))}`;
    // One subscriber and one comment first: the code paths warm, then RSS idle.
    subs.push(...(await open(port, path, 1)));
    await addComment(port, postId, 0);
    const idle = await rssOf(server.pid!);
    log(`SSE: RSS idle ${mb(idle)} MB; opening ${subscribers} subscribers`);
    subs.push(...(await open(port, path, 999)));
    const at1000 = await rssOf(server.pid!);
    subs.push(...(await open(port, path, subscribers - 1000)));
    const atN = await rssOf(server.pid!);
    log(`SSE: RSS ${mb(at1000)} MB with 1,000, ${mb(atN)} MB with ${subscribers}`);

    const latencies: number[] = [];
    const lasts: number[] = [];
    const cpuBefore = await cpuSeconds(port);
    for (let n = 1; n <= comments; n++) {
      const { id, respondedAt } = await addComment(port, postId, n);
      await allReceived(subs, id);
      const times = subs.map((s) => s.received.get(id)! - respondedAt);
      latencies.push(...times);
      lasts.push(Math.max(...times));
      log(`SSE: comment ${n}/${comments}: last subscriber ${ms(Math.max(...times))} ms after the response`);
      await sleep(1000);
    }
    const cpu = (await cpuSeconds(port)) - cpuBefore;
    load.push(loadavg()[0]!);
    latencies.sort((a, b) => a - b);
    lasts.sort((a, b) => a - b);
    const [version] = await (async () => {
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        return await sql`select current_setting('server_version') as v`;
      } finally {
        await sql.end();
      }
    })();
    const report = [
      `Palaver SSE benchmark, ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, PostgreSQL ${version!.v}; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
      `${subscribers} anonymous subscribers of one post, one process over loopback; ${comments} comments posted one at a time; times from the mutation's response to each subscriber's CommentAdded (negative: before the response).`,
      '',
      '| subscribers | p50 ms | p99 ms | max ms | last subscriber, median of comments, ms | server CPU s (all comments) | RSS idle MB | RSS 1,000 subs MB | RSS N subs MB | MB per 1,000 idle subs |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${subscribers} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(latencies.at(-1)!)} | ${ms(percentile(lasts, 50))} | ${cpu.toFixed(2)} | ${mb(idle)} | ${mb(at1000)} | ${mb(atN)} | ${(((atN - idle) / subscribers) * 1000 / 1024 / 1024).toFixed(1)} |`,
    ].join('\n');
    return report;
  } finally {
    for (const s of subs) s.req.destroy();
    server.kill('SIGTERM');
  }
}

async function addComment(port: number, postId: string, n: number): Promise<{ id: string; respondedAt: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: ADD, variables: { input: { postId, body: `Live comment number ${n}.`, name: `Guest ${n}`, email: `guest${n}@bench.invalid` } } }),
  });
  const body = (await response.json()) as { data?: { addComment: { __typename: string; status?: string; comment?: { id: string } } } };
  const respondedAt = performance.now();
  if (body.data?.addComment.status !== 'APPROVED') throw new Error(`addComment: ${JSON.stringify(body)}`);
  return { id: body.data.addComment.comment!.id, respondedAt };
}

/** Resolves when every subscriber has had comment `id` (fails after 60 s, saying how many had). */
function allReceived(subs: Subscriber[], id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if ((arrivals.get(id) ?? 0) < subs.length) return;
      clearTimeout(timer);
      onArrival = null;
      resolve();
    };
    const timer = setTimeout(() => reject(new Error(`after 60 s, ${arrivals.get(id) ?? 0} of ${subs.length} subscribers had the comment`)), 60_000);
    onArrival = check;
    check();
  });
}

// Run alone: `npm run bench:sse`.
if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  log('Building (npm run build)');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const report = await benchSubscriptions();
  console.log(`\n${report}\n`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/sse-${new Date().toISOString().replace(/[:.]/g, '-')}.md`;
  writeFileSync(file, `${report}\n`);
  log(`Saved ${file}`);
}
