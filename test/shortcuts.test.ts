import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessOf } from '../src/domain/roles.js';
import { CompiledPlans, compile, PLAN_BYTES, viewerOf } from '../src/engine/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { listenerWithShortcut, MAX_REQUEST_BYTES } from '../src/shortcuts.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addAuthor, addPost, addThread, countRows, draft, snapshot } from './fixtures.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * The Node listener in front of yoga (src/shortcuts.ts) and what browsers on other sites may do
 * (src/cross-origin.ts), over a real socket:
 * - a shortcut's answer is exactly yoga's answer to the same request, whatever request headers it
 *   carries, in either order (an attacker's request first, or everyone else's);
 * - shortcuts key on the parsed request, so padding makes no new plans, and plans are capped by bytes;
 * - only JSON bodies are accepted (no CSRF by form), CORS credentials only for listed origins;
 * - oversized bodies are refused before they are read, and errors stay masked.
 */

const FRONT = `{ posts(first: 5) { edges { node { slug title commentCount author { name } } } } }`;
const POST = `{ post(slug: "front") { title comments(first: 5) { edges { node { bodyHtml replies(first: 2) { edges { node { id } } } } } } } }`;

async function seed(h: Harness) {
  const db = h.database.db;
  const post = await addPost(db, { authorId: await addAuthor(db), slug: 'front', title: 'Front' });
  await addThread(db, post, [draft(null, 1), draft(0, 2), draft(null, 3)]);
  return post;
}

/** A request through the listener (socket), or straight to yoga (`app.fetch`, no shortcut). */
async function send(h: Harness, via: 'listener' | 'yoga', init: { method?: string; headers?: Record<string, string>; body?: string; path?: string }) {
  const url = `${h.origin}${init.path ?? '/graphql'}`;
  const request = { method: init.method ?? 'POST', headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) };
  const response =
    via === 'listener' ? await fetch(url, request) : await h.app.fetch(url, request, { req: { socket: { remoteAddress: '127.0.0.1' } } } as never);
  const headers = Object.fromEntries(
    [...response.headers]
      .map(([name, value]) => [name.toLowerCase(), value])
      .filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name!)),
  );
  // The listener's compression (src/compression.ts) wraps shortcuts and yoga alike, and marks what
  // it may compress with `Vary: Accept-Encoding`; yoga's own fetch has no such layer.
  if (via === 'listener' && headers.vary) {
    const vary = headers.vary.split(', ').filter((name: string) => name.toLowerCase() !== 'accept-encoding');
    if (vary.length) headers.vary = vary.join(', ');
    else delete headers.vary;
  }
  // The listener's access log (src/access-log.ts) gives every response its request's id; yoga's own
  // fetch has no such layer (test/logs.test.ts tests the id).
  if (via === 'listener') {
    expect(headers['x-request-id']).toBeTruthy();
    delete headers['x-request-id'];
  }
  return { status: response.status, headers, body: await response.text() };
}

// Request headers a client (or an attacker) may send with a GraphQL request, each with a value
// that would show if it leaked into a response.
const REQUEST_HEADERS: [string, string][] = [
  ['origin', 'https://attacker.example'],
  ['access-control-request-method', 'PUT'],
  ['access-control-request-headers', 'x-attacker, authorization'],
  ['accept', 'application/json'],
  ['accept', 'application/graphql-response+json, application/json;q=0.9'],
  ['accept', 'text/event-stream'],
  ['accept', 'multipart/mixed'],
  ['accept-encoding', 'gzip, br'],
  ['accept-language', 'fr'],
  ['content-type', 'application/json; charset=utf-8'],
  ['user-agent', 'attacker/1.0'],
  ['referer', 'https://attacker.example/page'],
  ['x-forwarded-for', '203.0.113.9'],
  ['x-forwarded-proto', 'http'],
  ['x-forwarded-host', 'attacker.example'],
  ['forwarded', 'for=203.0.113.9;host=attacker.example'],
  ['x-request-id', 'attacker-id'],
  ['cache-control', 'no-cache'],
  ['pragma', 'no-cache'],
  ['range', 'bytes=0-10'],
  ['if-match', '"x"'],
  ['if-unmodified-since', 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ['sec-fetch-site', 'cross-site'],
  ['x-apollo-operation-name', 'Attack'],
  ['apollo-require-preflight', 'true'],
  ['x-http-method-override', 'DELETE'],
];

for (const mode of ['plans', 'replays'] as const) {
  describe(`a shortcut (${mode}) answers exactly as yoga would, whatever the request headers`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness(mode === 'replays' ? { RESPONSE_CACHE_TTL_SECONDS: '300' } : {}, { http: true });
      await seed(h);
    });
    afterAll(() => h.close());
    const served = () => (mode === 'plans' ? h.app.plans!.served : h.app.replays!.served);

    it('for every header, whichever request came first', async () => {
      const seen = new Set<string>();
      let shortcuts = 0;
      for (const [i, [name, value]] of REQUEST_HEADERS.entries()) {
        // A query of its own per header, so that each pair starts with no shortcut.
        const query = (i % 2 ? POST : FRONT).replace('first: 5', `first: ${5 + i}`);
        const body = JSON.stringify({ query });
        // As a browser sends it from the publication's site (CORS headers in every response).
        const plain = { 'content-type': 'application/json', origin: 'https://site.example' };
        const marked = { ...plain, [name]: value };
        for (const [first, second] of [
          [marked, plain],
          [plain, marked],
        ]) {
          const key = `${name}: ${value}, ${first === marked ? 'first' : 'second'}`;
          // Twice the first request (so that a shortcut exists for it), then the other one.
          await send(h, 'listener', { headers: first, body });
          await send(h, 'listener', { headers: first, body });
          const before = served();
          const viaListener = await send(h, 'listener', { headers: second, body });
          shortcuts += served() - before;
          const fromYoga = await send(h, 'yoga', { headers: second, body });
          expect(viaListener, key).toEqual(fromYoga);
          for (const header of Object.keys(fromYoga.headers)) seen.add(header);
        }
      }
      // The shortcut really stood in for yoga in most pairs (headers outside the key).
      expect(shortcuts).toBeGreaterThan(REQUEST_HEADERS.length);
      // Every response header yoga sent here (cache-control and content-encoding: `none` come with
      // event streams, which never take a shortcut); each was compared above, for every request
      // header. A new one appearing fails here, to be looked at.
      expect([...seen].sort()).toEqual([
        'access-control-allow-headers',
        'access-control-allow-methods',
        'access-control-allow-origin',
        'cache-control',
        'content-encoding',
        'content-length',
        'content-type',
        'vary',
      ]);
    });
  });
}

describe('the listener: shortcut keys, memory, bodies and errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({}, { http: true });
    await seed(h);
  });
  afterAll(() => h.close());

  it('key on the parsed request: bodies padded in `extensions` or reformatted share one plan', async () => {
    const headers = { 'content-type': 'application/json' };
    await send(h, 'listener', { headers, body: JSON.stringify({ query: FRONT }) });
    const size = h.app.plans!.size;
    expect(size).toBeGreaterThan(0);
    const served = h.app.plans!.served;
    for (let i = 0; i < 200; i++) {
      const padding = `${i}`.padEnd(15_000, 'x');
      const body = i % 2 ? JSON.stringify({ extensions: { padding }, query: FRONT }) : JSON.stringify({ query: FRONT, variables: null, extensions: { padding } }, null, 2);
      const response = await send(h, 'listener', { headers, body });
      expect(JSON.parse(response.body).data.posts.edges).toHaveLength(1);
    }
    expect(h.app.plans!.served).toBe(served + 200);
    expect(h.app.plans!.size).toBe(size);
  });

  it('plans are capped by bytes, the least recently used going first', async () => {
    const plans = new CompiledPlans(h.database.db, 5000, createLogger('error'), 64 * 1024);
    const document = (n: number) => parse(`{ post(slug: "front") { title comments(first: ${n}) { edges { node { id bodyHtml } } } } }`);
    const anonymous = viewerOf({ viewer: null, access: accessOf(null), loaders: null as never });
  const options = { limits: loadConfig({}).limits, countComments: null };
    for (let n = 1; n <= 100; n++) plans.remember(`key ${n}`, compile(document(n), null, {}, anonymous, options)!, { 'content-type': 'application/json' });
    expect(plans.size).toBeLessThanOrEqual(64 * 1024);
    expect(plans.size).toBeGreaterThan(32 * 1024);
    const answered = async (key: string) => {
      let body = '';
      const res = { writeHead: () => res, cork() {}, uncork() {}, write: (piece: unknown) => void (body += String(piece)), end: () => {} };
      return (await plans.answer(key, res as never)) ? JSON.parse(body) : null;
    };
    expect(await answered('key 1')).toBeNull();
    expect((await answered('key 100')).data.post.title).toBe('Front');
    expect(PLAN_BYTES).toBe(16 * 1024 * 1024);
  });

  it('a plan keeps its statement as text, not the statement object it was rendered from (≈150 KB of pieces each)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const plans = new CompiledPlans(h.database.db, 5000, createLogger('error'), PLAN_BYTES);
    const anonymous = viewerOf({ viewer: null, access: accessOf(null), loaders: null as never });
    const options = { limits: loadConfig({}).limits, countComments: null };
    const statement = (() => {
      const compiled = compile(parse(POST), null, {}, anonymous, options)!;
      plans.remember('post', compiled, { 'content-type': 'application/json' });
      return new WeakRef(compiled.query);
    })();
    // A WeakRef holds its target until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(statement.deref()).toBeUndefined();
    let body = '';
    const res = { writeHead: () => res, cork() {}, uncork() {}, write: (piece: unknown) => void (body += String(piece)), end: () => {} };
    expect(await plans.answer('post', res as never)).toBe(true);
    expect(JSON.parse(body).data.post.title).toBe('Front');
  });

  it(`refuses a body over ${MAX_REQUEST_BYTES} bytes before reading it, declared or streamed`, async () => {
    const huge = JSON.stringify({ query: '{ __typename }', variables: { x: 'x'.repeat(MAX_REQUEST_BYTES) } });
    const declared = await fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge));
        controller.close();
      },
    });
    const streamed = await fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    // Still serving.
    expect((await h.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it("hands yoga the body it read in a form its adapter does not walk byte by byte (a Buffer's every index became a string: 2 s and 700 MB for 7 MB)", async () => {
    let seen: unknown;
    const yoga = (req: object, res: { end(): void }) => {
      seen = (req as { body?: unknown }).body;
      res.end();
    };
    const server = createServer(listenerWithShortcut(yoga as never, { kind: 'plan', answer: async () => false }, createLogger('error')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(1024 * 1024) } });
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(Object.keys(seen as object).length).toBe(1);
      const chunks: Buffer[] = [];
      for await (const chunk of seen as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe(body);
    } finally {
      server.close();
    }
  });

  it('masks an error behind a shortcut: a plan whose statement fails hands the request to yoga, which masks it', async () => {
    const broken = await createHarness({}, { http: true });
    await seed(broken);
    const body = JSON.stringify({ query: POST });
    const headers = { 'content-type': 'application/json' };
    await send(broken, 'listener', { headers, body });
    expect(broken.app.plans!.served).toBe(0);
    await broken.database.close();
    const response = await send(broken, 'listener', { headers, body });
    expect(response.body).not.toMatch(/stack|at |Error:|closed|sql/i);
    // A closed Postgres pool is a database that cannot be reached (retryable); PGlite's is not.
    expect(JSON.parse(response.body).errors[0]).toMatchObject(
      backend === 'postgres'
        ? { message: 'The database is unavailable; try again in a few seconds.', extensions: { code: 'SERVICE_UNAVAILABLE' } }
        : { message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    );
    expect(broken.logs.some((log) => log.level === 'warn' && String(log.args[0]).includes('compiled read failed'))).toBe(true);
    await broken.close().catch(() => {});
  });
});

describe('cross-site requests', () => {
  let h: Harness;
  let postId: string;
  beforeAll(async () => {
    h = await createHarness({ COMMENT_FLOOD_SECONDS: '0' }, { http: true });
    postId = encodeGlobalId('Post', await seed(h));
  });
  afterAll(() => h.close());

  const addComment = () =>
    `mutation { addComment(input: { postId: "${postId}", body: "Forged", name: "Victim", email: "victim@example.com" }) { __typename } }`;

  it('are refused unless the body is JSON: no form post, multipart or text/plain runs a mutation', async () => {
    const before = await snapshot(h.database.db);
    const query = addComment();
    const multipart = new FormData();
    multipart.set('query', query);
    const forms: [string, RequestInit][] = [
      ['urlencoded', { body: new URLSearchParams({ query }) }],
      ['multipart', { body: multipart }],
      ['text/plain', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query }) }],
      ['application/graphql', { headers: { 'content-type': 'application/graphql' }, body: query }],
      ['no content type', { body: new Blob([JSON.stringify({ query })]) }],
    ];
    for (const [kind, init] of forms) {
      const response = await fetch(`${h.origin}/graphql`, { method: 'POST', ...init, headers: { origin: 'https://attacker.example', ...(init.headers as object) } });
      expect(response.status, kind).toBe(415);
      const body = (await response.json()) as any;
      expect(body.errors[0].extensions.code, kind).toBe('BAD_REQUEST');
      expect(body.data, kind).toBeUndefined();
    }
    expect(await snapshot(h.database.db)).toEqual(before);
    // A mutation as a GET is refused by yoga; JSON POSTs work.
    const get = await fetch(`${h.origin}/graphql?query=${encodeURIComponent(query)}`);
    expect(get.status).toBe(405);
    expect(await countRows(h.database.db, 'comments')).toBe(3);
    const json = await h.gql(query);
    expect(json.data.addComment.__typename).toBe('AddCommentPayload');
  });

  it('get CORS without credentials from any origin by default', async () => {
    for (const method of ['POST', 'OPTIONS']) {
      const response = await fetch(`${h.origin}/graphql`, {
        method,
        headers: { origin: 'https://anyone.example', 'content-type': 'application/json', 'access-control-request-method': 'POST' },
        ...(method === 'POST' ? { body: JSON.stringify({ query: '{ __typename }' }) } : {}),
      });
      expect(response.headers.get('access-control-allow-origin'), method).toBe('https://anyone.example');
      expect(response.headers.get('access-control-allow-credentials'), method).toBeNull();
    }
  });

  it('get credentials only for the origins CORS_ORIGINS lists, and no other origin is reflected', async () => {
    for (const listed of ['https://app.example', 'https://app.example,https://admin.example']) {
      const strict = await createHarness({ CORS_ORIGINS: listed }, { http: true });
      try {
        const ask = (origin: string, method = 'POST') =>
          fetch(`${strict.origin}/graphql`, {
            method,
            headers: { origin, 'content-type': 'application/json', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
            ...(method === 'POST' ? { body: JSON.stringify({ query: '{ __typename }' }) } : {}),
          });
        for (const method of ['POST', 'OPTIONS']) {
          const allowed = await ask('https://app.example', method);
          expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
          expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
          const other = await ask('https://attacker.example', method);
          expect(other.headers.get('access-control-allow-origin')).not.toBe('https://attacker.example');
        }
        const preflight = await ask('https://app.example', 'OPTIONS');
        expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
      } finally {
        await strict.close();
      }
    }
  });
});
