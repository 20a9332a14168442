import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LogLevel } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addWriter } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';
import { freePort, startServer, stopServer } from './processes.js';
import { subscribe } from './sse-client.js';

/*
 * The logs, read from the stream the app's pino logger writes (JSON lines, as LOG_FORMAT=json
 * writes them to stderr), for requests sent over a real socket to the listener server.ts serves:
 * one access line per request, request ids, unexpected errors logged once with what finds them,
 * and no secrets.
 */

type Line = Record<string, any>;

/** A logger writing JSON lines into memory, at `level`: the lines parsed, and the raw text. */
function memoryLogger(level: LogLevel) {
  const lines: Line[] = [];
  const raw: string[] = [];
  const logger = createLogger(level, {
    format: 'json',
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Line);
      },
    },
  });
  return { logger, lines, raw };
}

/** The access lines of the request with this id, once its line is written (the response's end). */
async function accessLines(lines: Line[], requestId: string): Promise<Line[]> {
  const of = () => lines.filter((line) => line.msg === 'request' && line.requestId === requestId);
  // The line is written when the server's response ends, which may come after the client has read it.
  for (let i = 0; i < 500 && of().length === 0; i++) await sleep(10);
  return of();
}

/**
 * A GraphQL request over the socket, with its operation's name as clients send it (the access
 * log's `operation` is that parameter, as the metrics count it).
 */
async function send(h: Harness, query: string, headers: Record<string, string> = {}) {
  const operationName = /^(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1];
  const response = await fetch(`${h.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, operationName }),
  });
  const body = (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
  return { status: response.status, requestId: response.headers.get('x-request-id')!, ...body };
}

const FRONT = `query Front { posts(first: 2) { edges { node { title } } } }`;

describe('the access log', () => {
  let h: Harness;
  let log: ReturnType<typeof memoryLogger>;
  let editorToken: string;
  beforeAll(async () => {
    log = memoryLogger('info');
    // The response cache on (hits, misses, replays); 127.0.0.1 is a proxy whose X-Forwarded-For counts.
    h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', TRUSTED_PROXIES: '127.0.0.1', GRAPHIQL: 'true' }, { http: true, logger: log.logger });
    const authorId = await addAuthor(h.database.db);
    await addPost(h.database.db, { authorId, slug: 'first', title: 'First' });
    editorToken = (await addWriter(h.database.db, 'editor')).token;
  });
  afterAll(() => h.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('writes one line per GraphQL request: method, path, operation, status, duration, statements, cache, client, request id', async () => {
    const { status, data, requestId } = await send(h, FRONT, { 'x-forwarded-for': '203.0.113.7' });
    expect(status).toBe(200);
    expect(data.posts.edges).toEqual([{ node: { title: 'First' } }]);
    const lines = await accessLines(log.lines, requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'request',
      requestId,
      method: 'POST',
      path: '/graphql',
      operation: 'Front',
      status: 200,
      cache: 'miss',
      client: '203.0.113.7',
    });
    expect(lines[0]!.statements).toBeGreaterThanOrEqual(1);
    expect(lines[0]!.ms).toBeGreaterThanOrEqual(0);
    expect(new Date(lines[0]!.time).toISOString()).toBe(lines[0]!.time);
  });

  it('says how a request was answered: a cache miss, then a replay past yoga with no statement, or a hit through yoga', async () => {
    const body = JSON.stringify({ query: FRONT.replace('first: 2', 'first: 3'), operationName: 'Front' });
    const answer = async (headers: Record<string, string> = {}) => {
      const response = await post(body, headers);
      expect(response.status).toBe(200);
      await response.text();
      const lines = await accessLines(log.lines, response.headers.get('x-request-id')!);
      expect(lines).toHaveLength(1);
      return lines[0]!;
    };
    const results = [await answer()];
    // The replay is kept once the first response has gone out.
    for (let i = 0; i < 5 && results.at(-1)!.cache !== 'replay'; i++) results.push(await answer());
    expect(results[0]).toMatchObject({ cache: 'miss', operation: 'Front' });
    expect(results.at(-1)).toMatchObject({ cache: 'replay', statements: 0, operation: 'Front', status: 200 });
    // Another Accept is another response for the shortcuts, the same one for the cache: a hit.
    expect(await answer({ accept: 'application/json' })).toMatchObject({ cache: 'hit', operation: 'Front' });
    // A request with a token never touches the cache.
    const withToken = await post(body, { authorization: `Bearer ${editorToken}` });
    expect(withToken.status).toBe(200);
    expect(await accessLines(log.lines, withToken.headers.get('x-request-id')!)).toMatchObject([{ cache: 'none', operation: 'Front' }]);
  });

  it('covers /health, /ready, GraphiQL and GET requests, and never logs a query string', async () => {
    const email = 'reader@example.com';
    const requests: [string, RequestInit, number][] = [
      ['/health', {}, 200],
      ['/ready', {}, 200],
      ['/graphql', { headers: { accept: 'text/html' } }, 200],
      [`/graphql?query=${encodeURIComponent('query Probe($e: String) { __typename }')}&variables=${encodeURIComponent(JSON.stringify({ e: email }))}`, {}, 200],
      ['/nowhere', {}, 404],
    ];
    for (const [path, init, status] of requests) {
      const response = await fetch(`${h.origin}${path}`, init);
      expect(response.status, path).toBe(status);
      await response.arrayBuffer();
      const lines = await accessLines(log.lines, response.headers.get('x-request-id')!);
      expect(lines, path).toMatchObject([{ method: 'GET', path: path.split('?')[0], status, cache: 'none', client: '127.0.0.1' }]);
    }
    expect(log.raw.join('')).not.toContain(email);
    expect(log.raw.join('')).not.toContain('Probe($e');
  });

  it("logs a subscription stream's line when the stream ends, with its duration", async () => {
    const postId = encodeGlobalId('Post', 1);
    const sub = await subscribe(h.origin, `subscription Live($postId: ID!) { threadEvents(postId: $postId) { __typename } }`, { postId });
    const requestId = sub.response.headers.get('x-request-id')!;
    expect(requestId).toBeTruthy();
    await sub.waitForComments(1);
    // Open: no line yet.
    expect(log.lines.filter((line) => line.requestId === requestId)).toEqual([]);
    await h.app.endSubscriptions();
    await sub.ended;
    expect(sub.completed).toBe(true);
    const [line] = await accessLines(log.lines, requestId);
    expect(line).toMatchObject({ method: 'POST', path: '/graphql', status: 200, cache: 'none' });
    expect(line!.aborted).toBeUndefined();
    expect(line!.ms).toBeGreaterThan(0);
  });
});

describe('request ids', () => {
  let h: Harness;
  let log: ReturnType<typeof memoryLogger>;
  beforeAll(async () => {
    log = memoryLogger('info');
    h = await createHarness({}, { http: true, logger: log.logger });
  });
  afterAll(() => h.close());

  const ask = (headers: Record<string, string> = {}) =>
    fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: '{ __typename }' }) });

  it('are taken from X-Request-Id when sent, and returned', async () => {
    const response = await ask({ 'x-request-id': 'edge-7f3a:01HZX+9/q=' });
    expect(response.headers.get('x-request-id')).toBe('edge-7f3a:01HZX+9/q=');
    expect(await accessLines(log.lines, 'edge-7f3a:01HZX+9/q=')).toHaveLength(1);
  });

  it('are generated when none is sent, a new one per request', async () => {
    const [a, b] = [await ask(), await ask()];
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(await accessLines(log.lines, id!)).toHaveLength(1);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it.each([
    ['too long', 'a'.repeat(201)],
    ['spaces', 'one two'],
    ['quotes', '"quoted"'],
    ['markup', '<script>alert(1)</script>'],
    ['an email', 'someone@example.com'],
    ['non-ASCII', 'caf\u00e9'],
  ])('replace a hostile one (%s) with a new one, logged and returned instead', async (_, hostile) => {
    const response = await ask({ 'x-request-id': hostile });
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await accessLines(log.lines, id)).toHaveLength(1);
    expect(log.raw.join('')).not.toContain(hostile);
  });
});

describe('unexpected errors', () => {
  let h: Harness;
  let log: ReturnType<typeof memoryLogger>;
  let editorToken: string;
  beforeAll(async () => {
    log = memoryLogger('info');
    h = await createHarness({}, { http: true, logger: log.logger });
    editorToken = (await addWriter(h.database.db, 'editor')).token;
  });
  afterAll(() => h.close());

  const errorLines = () => log.lines.filter((line) => line.level === 'error');

  it('raised while resolving a field: masked for the client, logged once with stack, request id and operation', async () => {
    // Every read of posts now fails inside the database (test/errors.test.ts does the same).
    await queryRows(h.database.db, sql`alter table posts rename to posts_gone`);
    try {
      const before = errorLines().length;
      const { status, data, errors } = await send(h, `query Broken { post(slug: "post") { id } }`, { 'x-request-id': 'broken-1' });
      expect(status).toBe(200);
      expect(data).toEqual({ post: null });
      expect(errors).toMatchObject([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(await accessLines(log.lines, 'broken-1')).toMatchObject([{ operation: 'Broken', status: 200 }]);
      const logged = errorLines().slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ requestId: 'broken-1', operation: 'Broken', path: 'post' });
      expect(logged[0]!.err.stack).toMatch(/\n\s+at /);
      expect(JSON.stringify(logged[0]!.err)).toMatch(/posts/);
    } finally {
      await queryRows(h.database.db, sql`alter table posts_gone rename to posts`);
    }
  });

  it('raised outside execution (authenticating the token): logged once, with the request id and operation', async () => {
    await queryRows(h.database.db, sql`alter table api_tokens rename to api_tokens_gone`);
    try {
      const before = errorLines().length;
      const { status, errors } = await send(h, `query Me { viewer { role } }`, { authorization: `Bearer ${editorToken}`, 'x-request-id': 'broken-2' });
      expect(status).toBe(500);
      expect(errors).toMatchObject([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(await accessLines(log.lines, 'broken-2')).toMatchObject([{ operation: 'Me', status: 500 }]);
      const logged = errorLines().slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ requestId: 'broken-2', operation: 'Me' });
      expect(logged[0]!.err.stack).toMatch(/\n\s+at /);
      expect(JSON.stringify(logged[0]!.err)).toMatch(/api_tokens/);
    } finally {
      await queryRows(h.database.db, sql`alter table api_tokens_gone rename to api_tokens`);
    }
  });
});

describe('secrets', () => {
  it('never reach the logs: bearer tokens, guest tokens, emails, variables (even at LOG_LEVEL=debug)', async () => {
    const log = memoryLogger('debug');
    const h = await createHarness({ COMMENT_FLOOD_SECONDS: '0' }, { http: true, logger: log.logger });
    try {
      const authorId = await addAuthor(h.database.db);
      const postId = encodeGlobalId('Post', await addPost(h.database.db, { authorId, slug: 'open' }));
      const editor = await addWriter(h.database.db, 'editor');
      const email = 'guest.reader+logs@example.org';
      // A request carrying a bearer token and an email; then a guest's, answered with a guest token.
      const asEditor = await h.gql(
        `mutation Reply($input: AddCommentInput!) { addComment(input: $input) { __typename } }`,
        { input: { postId, body: 'A reply from an editor.', name: 'Ada', email } },
        { token: editor.token, ip: '198.51.100.4' },
      );
      expect(asEditor.errors).toBeUndefined();
      const asGuest = await h.gql(
        `mutation Reply($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { guestToken comment { id } } } }`,
        { input: { postId, body: 'Another reply, from a guest.', name: 'Bea', email } },
        { ip: '198.51.100.5' },
      );
      const guest = asGuest.data.addComment as { guestToken: string; comment: { id: string } };
      expect(guest.guestToken).toMatch(/^guest_/);
      // The guest token used in a read, and a wrong one; a bad bearer token too (an error path).
      const own = await h.gql(`query Own($id: ID!, $t: String!) { ownComment(id: $id, guestToken: $t) { __typename } }`, { id: guest.comment.id, t: guest.guestToken });
      expect(own.errors).toBeUndefined();
      await h.gql(`query Own($id: ID!, $t: String!) { ownComment(id: $id, guestToken: $t) { __typename } }`, { id: guest.comment.id, t: `${guest.guestToken}x` });
      const refused = await h.gql(`{ viewer { role } }`, {}, { token: `${editor.token}x` });
      expect(refused.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      // An invalid variable, whose error message quotes its value.
      await h.gql(`query Bad($n: Int) { posts(first: $n) { totalCount } }`, { n: email });
      // An unexpected error in the statement that inserts the comment, whose parameters (the email
      // among them) drizzle's message quotes, and Postgres's detail too ("Failing row contains …").
      await queryRows(h.database.db, sql`alter table comments add constraint logs_test check (author_name <> 'Cy') not valid`);
      const failed = await h.gql(
        `mutation Reply($input: AddCommentInput!) { addComment(input: $input) { __typename } }`,
        { input: { postId, body: 'A reply that fails.', name: 'Cy', email } },
        { ip: '198.51.100.6' },
      );
      await queryRows(h.database.db, sql`alter table comments drop constraint logs_test`);
      expect(failed.errors![0]!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
      await sleep(50);
      expect(log.lines.filter((line) => line.level === 'error')).toMatchObject([{ operation: 'Reply', err: { message: expect.stringMatching(/^Failed query: /) } }]);

      const text = log.raw.join('');
      expect(log.lines.filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(6);
      for (const secret of [editor.token, guest.guestToken, email, 'guest.reader']) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/pal_[\w-]{20}|guest_[\w-]{20}|@example\.org/);
      expect(text).not.toMatch(/authorization|Bearer/i);
    } finally {
      await h.close();
    }
  });
});

describe('levels and formats', () => {
  it('LOG_LEVEL=warn drops the access lines, and keeps warnings and errors', async () => {
    const log = memoryLogger(loadConfig({ LOG_LEVEL: 'warn' }).logLevel);
    const h = await createHarness({}, { http: true, logger: log.logger });
    try {
      const result = await h.gql(`query Front { posts(first: 1) { totalCount } }`, {}, { headers: { 'x-request-id': 'quiet-1' } });
      expect(result.status).toBe(200);
      // Without access lines, every response still names its request.
      const again = await fetch(`${h.origin}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-request-id': 'quiet-2' } });
      expect(again.headers.get('x-request-id')).toBe('quiet-2');
      await sleep(50);
      log.logger.warn('still shown');
      expect(log.lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'still shown']]);
    } finally {
      await h.close();
    }
  });

  it('are JSON lines, or readable lines in a terminal (LOG_FORMAT=auto) and with LOG_FORMAT=pretty', () => {
    const written: Record<string, string[]> = { json: [], tty: [], pretty: [] };
    const sink = (into: string[], isTTY = false) => ({ isTTY, write: (line: string) => void into.push(line) });
    const error = new Error('It broke');
    createLogger('info', { destination: sink(written.json!) }).error('Could not do it:', error, { requestId: 'r-1' });
    createLogger('info', { destination: sink(written.tty!, true) }).error('Could not do it:', error, { requestId: 'r-1' });
    createLogger('info', { format: 'pretty', destination: sink(written.pretty!) }).error('Could not do it:', error, { requestId: 'r-1' });
    expect(JSON.parse(written.json![0]!)).toMatchObject({ level: 'error', msg: 'Could not do it:', requestId: 'r-1', err: { type: 'Error', message: 'It broke' } });
    for (const lines of [written.tty!, written.pretty!]) {
      expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR Could not do it: requestId=r-1\n {4}Error: It broke\n {8}at /);
    }
  });
});

// The server as operators run it (one process on an embedded database: once, on PGlite).
describe.runIf(backend === 'pglite')('the server', () => {
  it('writes JSON lines on stderr when it is no terminal, and the first admin token only on stdout', async () => {
    const root = mkdtempSync(join(tmpdir(), 'palaver-logs-'));
    const port = await freePort();
    const server = startServer(join(root, 'db'), { PORT: String(port), LOG_FORMAT: 'auto' });
    let stdout = '';
    let stderr = '';
    server.child.stdout!.on('data', (chunk) => (stdout += chunk));
    server.child.stderr!.on('data', (chunk) => (stderr += chunk));
    try {
      await server.ready;
      const response = await fetch(`http://127.0.0.1:${port}/health`, { headers: { 'x-request-id': 'from-the-edge' } });
      expect(response.headers.get('x-request-id')).toBe('from-the-edge');
      for (let i = 0; i < 500 && !stderr.includes('from-the-edge'); i++) await sleep(10);
      const lines = stderr.trim().split('\n').map((line) => JSON.parse(line) as Line);
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/^Database: embedded PGlite/), 'request']));
      expect(lines.find((line) => line.requestId === 'from-the-edge')).toMatchObject({ level: 'info', method: 'GET', path: '/health', status: 200 });
      const token = /\b(pal_[\w-]{43})\b/.exec(stdout)?.[1];
      expect(token).toBeDefined();
      expect(stderr).not.toContain(token);
    } finally {
      expect(await stopServer(server)).toBe(0);
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
