import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addThread, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Compression over a real socket, with the raw bytes read (fetch would decode them): a large
 * response comes compressed for a client that accepts it, and decodes to exactly what an identity
 * response carries, the first time (yoga) and on a repeat (the engine's plan past yoga); a small
 * one, and one for a client that accepts no encoding, come as they are.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness({}, { http: true });
  const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'long' });
  await addThread(h.database.db, post, threadDrafts(random(7), { comments: 300, topLevel: 30, maxDepth: 4, moderation: false }, new Date('2024-01-01'), []));
  // Bodies that do not compress: even compressed, the page is far more than a socket's buffer.
  const noisy = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'noisy' });
  await addThread(h.database.db, noisy, Array.from({ length: 100 }, (_, i) => draft(null, i, { bodyMarkdown: randomBytes(3000).toString('base64') })));
});
afterAll(() => h.close());

function raw(body: string, acceptEncoding?: string): Promise<{ headers: Record<string, string | string[] | undefined>; bytes: Buffer }> {
  const url = new URL(`${h.origin}/graphql`);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, bytes: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    // A response that never comes fails the test here, not at the test's timeout.
    req.setTimeout(10_000, () => req.destroy(new Error('no response within 10 s')));
    req.end(body);
  });
}

const thread = JSON.stringify({ query: '{ post(slug: "long") { thread(first: 100) { edges { depth node { id bodyHtml createdAt author { name } } } } } }' });
const small = JSON.stringify({ query: '{ post(slug: "long") { title } }' });

describe('compression', () => {
  it('compresses a large response for clients that accept it, with brotli or gzip, first time and repeat alike', async () => {
    const identity = await raw(thread);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.bytes.length).toBeGreaterThan(4096);
    for (let i = 0; i < 2; i++) {
      const br = await raw(thread, 'gzip, deflate, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(br.bytes).equals(identity.bytes)).toBe(true);
      const gzip = await raw(thread, 'gzip');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzip.bytes).equals(identity.bytes)).toBe(true);
      expect(gzip.bytes.length).toBeLessThan(identity.bytes.length / 2);
    }
  });

  it('compresses a repeat answered past yoga even when it is larger than the socket takes at once (it used to hang)', async () => {
    const page = JSON.stringify({ query: '{ post(slug: "noisy") { thread(first: 100) { edges { node { id bodyHtml } } } } }' });
    const identity = await raw(page);
    expect(identity.bytes.length).toBeGreaterThan(400_000);
    for (let i = 0; i < 3; i++) {
      const gzip = await raw(page, 'gzip');
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.bytes.length).toBeGreaterThan(256 * 1024);
      expect(gunzipSync(gzip.bytes).equals(identity.bytes)).toBe(true);
    }
  });

  it('sends a small response as it is', async () => {
    const response = await raw(small, 'gzip, br');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(response.bytes.toString()).data.post.title).toEqual(expect.any(String));
  });
});
