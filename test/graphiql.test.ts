import { request } from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { seedDemo } from '../src/domain/demo.js';
import { negotiateEncoding } from '../src/graphiql/index.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * GraphiQL over a real socket, as a browser gets it: a small page, and its files at hashed URLs,
 * compressed, cacheable for a year, revalidated with ETags; framing refused. The bytes are counted
 * on the wire (fetch would decompress them). GraphiQL in a browser: test/graphiql-browser.test.ts.
 * (PGlite only: nothing here touches the database.)
 */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent. */
  wire: Buffer;
  /** The body, decompressed. */
  text: string;
}

function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const body =
          encoding === 'br' ? zlib.brotliDecompressSync(wire) : encoding === 'gzip' ? zlib.gunzipSync(wire) : wire;
        resolve({ status: res.statusCode!, headers: res.headers, wire, text: body.toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const browser = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-encoding': 'gzip, deflate, br, zstd' };
/** The same-origin files a page references. */
const referenced = (html: string) => [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);

describe.runIf(backend === 'pglite')('GraphiQL over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({}, { http: true });
  });
  afterAll(() => h?.close());

  it('serves a small compressed page that frames nothing and may not be framed', async () => {
    const page = await get(h.origin, '/graphql', browser);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.wire.length).toBeLessThan(10_000);
    expect(page.text).toContain('Palaver GraphiQL');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    // No inline script: the options are data, the code is a file from the server.
    for (const [, attributes, body] of page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      if (/\bsrc=/.test(attributes!)) expect(body).toBe('');
      else expect(attributes).toContain('type="application/json"');
    }
    // The page is revalidated on every visit, which costs a 304.
    expect(page.headers['cache-control']).toBe('no-cache');
    const etag = String(page.headers.etag);
    const again = await get(h.origin, '/graphql', { ...browser, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.wire.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['x-frame-options']).toBe('DENY');
    // GraphiQL's own URL updates (?query=…) get the same page.
    const withQuery = await get(h.origin, '/graphql?query=%7B__typename%7D', browser);
    expect(withQuery.status).toBe(200);
    expect(withQuery.text).toBe(page.text);
  });

  it('serves its files at hashed URLs, compressed, cacheable for a year: a quarter of the old 9 MB on the wire', async () => {
    const page = await get(h.origin, '/graphql', browser);
    const files = referenced(page.text);
    expect(files.length).toBeGreaterThanOrEqual(4); // favicon, stylesheet, GraphiQL, our script
    const options = JSON.parse(/<script type="application\/json" id="graphiql-options">(.*?)<\/script>/s.exec(page.text)![1]!);
    files.push(...Object.values(options.workers as Record<string, string>));
    let wire = page.wire.length;
    for (const file of files) {
      expect(file).toMatch(/^\/graphql\/assets\/[\w.-]+\.[0-9a-f]{16}\.(js|css|ico)$/);
      const asset = await get(h.origin, file, browser);
      expect(asset.status, file).toBe(200);
      expect(asset.headers['content-encoding'], file).toBe('br');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.vary).toBe('Accept-Encoding');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(asset.headers['content-length'])).toBe(asset.wire.length);
      wire += asset.wire.length;
      // And revalidated with its ETag, should a browser ask.
      const again = await get(h.origin, file, { ...browser, 'if-none-match': String(asset.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.wire.length).toBe(0);
    }
    // Everything a first visit loads, workers included, compressed: about 2 MB, down from 9 MB.
    expect(wire).toBeLessThan(3_000_000);

    // gzip for clients without brotli, the plain bytes for clients without either: the same file.
    const script = files.find((file) => file.includes('/graphiql.') && file.endsWith('.js'))!;
    const br = await get(h.origin, script, { 'accept-encoding': 'br' });
    const gzip = await get(h.origin, script, { 'accept-encoding': 'gzip' });
    const plain = await get(h.origin, script, {});
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.wire.length).toBeLessThan(2_000_000);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.wire.length).toBeGreaterThan(4_000_000);
    expect(gzip.text).toBe(plain.text);
    expect(br.text).toBe(plain.text);
    expect(br.headers.etag).not.toBe(gzip.headers.etag); // one ETag per representation
    expect(plain.text).toContain('renderYogaGraphiQL');
  });

  it('answers an unknown file with a 404, and GraphQL requests as before', async () => {
    expect((await get(h.origin, '/graphql/assets/graphiql.0000000000000000.js', browser)).status).toBe(404);
    expect((await get(h.origin, '/graphql/assets/../../etc/passwd', browser)).status).toBe(404);
    const { data } = await h.gql(`{ __typename }`);
    expect(data).toEqual({ __typename: 'Query' });
    const json = await get(h.origin, '/graphql?query=%7B__typename%7D', { accept: 'application/json' });
    expect(JSON.parse(json.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('reads Accept-Encoding as browsers and proxies send it', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip, br;q=0')).toBe('gzip');
    expect(negotiateEncoding('*')).toBe('br');
    expect(negotiateEncoding('identity')).toBe('identity');
    expect(negotiateEncoding('*;q=0, gzip;q=0.5')).toBe('gzip');
    expect(negotiateEncoding(null)).toBe('identity');
  });
});

/** GraphiQL's options in a page, and its default tabs by their first operation's name. */
function optionsOf(html: string) {
  const options = JSON.parse(/<script type="application\/json" id="graphiql-options">(.*?)<\/script>/s.exec(html)![1]!);
  const tabs = Object.fromEntries(
    (options.defaultTabs as { query: string; variables: string }[]).map((tab) => [
      /^(?:query|mutation|subscription)\s+(\w+)/m.exec(tab.query)![1]!,
      { query: tab.query, variables: JSON.parse(tab.variables) },
    ]),
  );
  return { options, tabs };
}

describe("GraphiQL's tabs and the demo post", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({}, { http: true });
  });
  afterAll(() => h?.close());

  it("carry the demo post's ID as the page is rendered, and ask for one while there is no public demo post", async () => {
    const render = async () => {
      const page = await get(h.origin, '/graphql', browser);
      return { etag: page.headers.etag, ...optionsOf(page.text) };
    };
    const missing = await render();
    // yoga's fetcher runs subscriptions over SSE on the endpoint itself.
    expect(missing.options.subscriptionsProtocol).toBe('SSE');
    expect(missing.tabs.LiveThread!.query).toMatch(/^subscription LiveThread\(\$postId: ID!\) \{\n  threadEvents\(postId: \$postId\)/m);
    expect(missing.tabs.LiveThread!.variables).toEqual({ postId: '' });
    expect(missing.tabs.LiveThread!.query).toContain("There is no demo post on this server: put a post's id in the Variables pane");
    expect(missing.tabs.Reply!.variables.input.postId).toBe('');
    expect(missing.tabs.Reply!.query).toContain('There is no demo post');

    const { postId } = await seedDemo(h.database.db);
    const seeded = await render();
    expect(seeded.etag).not.toBe(missing.etag);
    expect(seeded.tabs.LiveThread!.variables).toEqual({ postId: encodeGlobalId('Post', postId) });
    expect(seeded.tabs.Reply!.variables.input.postId).toBe(encodeGlobalId('Post', postId));
    expect(JSON.stringify(seeded.tabs)).not.toContain('There is no demo post');

    // Unpublished, it is no one's to subscribe to: the page asks again (its ID is not shown).
    await h.database.db.execute(sql`update posts set status = 'draft' where id = ${postId}`);
    const unpublished = await render();
    expect(unpublished.etag).toBe(missing.etag);
    expect(unpublished.tabs.LiveThread!.variables).toEqual({ postId: '' });
  });
});

describe.runIf(backend === 'pglite')('GRAPHIQL=false', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ GRAPHIQL: 'false' }, { http: true });
  });
  afterAll(() => h?.close());

  it('serves no GraphiQL: a browser gets what yoga answers a GET without a query', async () => {
    const page = await get(h.origin, '/graphql', browser);
    expect(page.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(page.text)).toEqual({ errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }] });
    expect((await get(h.origin, '/graphql/assets/graphiql.0000000000000000.js', browser)).status).toBe(404);
    const { data } = await h.gql(`{ __typename }`);
    expect(data).toEqual({ __typename: 'Query' });
  });
});
