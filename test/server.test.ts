import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPost } from '../seeds/demo.js';
import { backend } from './harness.js';
import { freePort, startServer, stopServer } from './processes.js';

/*
 * `npm start` as a user runs it: the real entry point in a child process on an empty PGlite
 * directory. It migrates, seeds, serves GraphiQL and the API, stops cleanly on SIGTERM, and finds
 * its data again on the next start. (PGlite only: the Postgres path is the same code.)
 */
const dir = mkdtempSync(join(tmpdir(), 'palaver-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (env: Record<string, string>) => startServer(join(dir, 'pglite'), env);

async function post(port: number, query: string, token?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as any;
}

const stop = stopServer;

describe.runIf(backend === 'pglite')('server entry point', () => {
  it('starts on an empty directory, seeds the demo, serves GraphiQL, and keeps data across restarts', { timeout: 240_000 }, async () => {
    const port = await freePort();
    const first = start({ PORT: String(port) });
    await first.ready;
    expect(first.output()).toMatch(/Seeded the demo post with 24 comments/);
    // The first start hands over an admin token, and says where to paste it.
    const token = /Bearer (pal_[\w-]{43})/.exec(first.output())?.[1];
    expect(first.output()).toMatch(/In GraphiQL, open the Headers tab/);
    const me = await post(port, `{ viewer { role author { name } } }`, token);
    expect(me.data.viewer).toEqual({ role: 'ADMIN', author: { name: 'Chris Ladd' } });

    const page = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Palaver GraphiQL');
    expect(html).toContain(demoPost.slug); // the example query GraphiQL opens with
    // GraphiQL's files come from this server (test/graphiql.test.ts): nothing from anywhere else.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:|<link[^>]+href=["']https?:|src=["']\/\//);
    expect(html).toMatch(/<script src="\/graphql\/assets\/graphiql\.[0-9a-f]{16}\.js"/);

    const { data } = await post(port, `{ post(slug: "${demoPost.slug}") { commentCount } }`);
    expect(data.post.commentCount).toBe(23);
    expect(await stop(first)).toBe(0);
    expect(first.output()).toMatch(/SIGTERM received, shutting down/);

    const second = start({ PORT: String(port) });
    await second.ready;
    expect(second.output()).not.toMatch(/Seeded|Bearer/);
    const again = await post(port, `{ posts { totalCount } }`);
    expect(again.data.posts.totalCount).toBe(1);
    expect(await stop(second)).toBe(0);
  });

  it('refuses to start on a bad variable with one clear line', async () => {
    const server = start({ PORT: 'eighty' });
    await expect(server.ready).rejects.toThrow();
    expect(await server.exited).toBe(1);
    expect(server.output().trim()).toBe('Invalid configuration: PORT="eighty": must be an integer from 0 to 65535');
  });
});
