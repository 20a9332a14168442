import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_KEYS, cdnHeaders, MAX_SURROGATE_KEY_BYTES, PURGE_REPEAT_MS } from '../src/cdn.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, draft } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * A CDN in front (cdn.ts): anonymous GET reads that the response cache holds carry
 * `Cache-Control: public, …, s-maxage` and the `Surrogate-Key` of their objects; everything else is
 * `no-store`; writes POST what they invalidated to PURGE_WEBHOOK_URL, where a local HTTP server
 * stands in for the CDN's purge API.
 */
interface Purge {
  keys: string[];
  headers: IncomingHttpHeaders;
}

/** The CDN's purge API: records each purge; `failWith` makes it answer an error instead. */
async function purgeEndpoint() {
  const purges: Purge[] = [];
  const state = { failWith: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      purges.push({ keys: (JSON.parse(Buffer.concat(chunks).toString()) as { keys: string[] }).keys, headers: req.headers });
      res.writeHead(state.failWith || 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/purge`, purges, state, close: () => new Promise((r) => server.close(r)) };
}

let h: Harness;
let cdn: Awaited<ReturnType<typeof purgeEndpoint>>;
let editor: { token: string };
let postId: number;
let commentIds: number[];
beforeAll(async () => {
  cdn = await purgeEndpoint();
  h = await createHarness(
    { RESPONSE_CACHE_TTL_SECONDS: '300', PURGE_WEBHOOK_URL: cdn.url, PURGE_WEBHOOK_TOKEN: 'purge-secret', COMMENT_FLOOD_SECONDS: '0' },
    { http: true },
  );
  editor = await addWriter(h.database.db, 'editor');
  postId = await addPost(h.database.db, { authorId: await addAuthor(h.database.db, { name: 'Ann' }), slug: 'edge', title: 'Edge' });
  commentIds = await addThread(h.database.db, postId, [draft(null, 1), draft(0, 2)]);
});
afterAll(async () => {
  await h.close();
  await cdn.close();
});

const PAGE = `query PostPage($slug: String!) { post(slug: $slug) { __typename id title commentCount
  comments(first: 10) { edges { node { __typename id bodyHtml replies { edges { node { __typename id bodyHtml } } } } } } } }`;

/** A GET as a CDN forwards it (the query in the URL), with `headers` added. */
async function get(query: string, variables: object = {}, headers: Record<string, string> = {}, extensions?: object) {
  const url = new URL(`${h.origin}/graphql`);
  if (query) url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify(variables));
  if (extensions) url.searchParams.set('extensions', JSON.stringify(extensions));
  const response = await fetch(url, { headers: { accept: 'application/graphql-response+json', ...headers } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: any; errors?: any[] } };
}

const sMaxAge = (headers: Headers) => Number(/^public, max-age=0, s-maxage=(\d+)$/.exec(headers.get('cache-control') ?? '')?.[1] ?? NaN);
const surrogateKeys = (headers: Headers) => (headers.get('surrogate-key') ?? '').split(' ');
const postKey = () => `Post:${encodeGlobalId('Post', postId)}`;
const commentKey = (id: number) => `Comment:${encodeGlobalId('Comment', id)}`;

describe('responses a CDN may keep', () => {
  it('an anonymous GET read: public for the response cache’s TTL, keyed by every object it shows, the same when replayed', async () => {
    const first = await get(PAGE, { slug: 'edge' });
    expect(first.body.data.post.title).toBe('Edge');
    expect(sMaxAge(first.headers)).toBeGreaterThan(290);
    expect(sMaxAge(first.headers)).toBeLessThanOrEqual(300);
    expect(surrogateKeys(first.headers)).toEqual(expect.arrayContaining([postKey(), ...commentIds.map(commentKey), 'Post', 'Comment', ALL_KEYS]));
    expect(first.headers.get('vary')).toMatch(/authorization/i);

    // A repeat is a replay (no yoga): the same keys, and a max age that counts down, never resets.
    const served = h.app.replays!.served;
    const again = await get(PAGE, { slug: 'edge' });
    expect(h.app.replays!.served).toBe(served + 1);
    expect(again.headers.get('surrogate-key')).toBe(first.headers.get('surrogate-key'));
    expect(sMaxAge(again.headers)).toBeLessThanOrEqual(sMaxAge(first.headers));
  });

  it("an Apollo persisted query by GET (the hash alone) once registered, as Apollo's link sends it", async () => {
    const query = `query Title($slug: String!) { post(slug: $slug) { __typename id title } }`;
    const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
    const unknown = await get('', { slug: 'edge' }, {}, extensions);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    expect((await get(query, { slug: 'edge' }, {}, extensions)).body.data.post.title).toBe('Edge');
    const persisted = await get('', { slug: 'edge' }, {}, extensions);
    expect(persisted.body.data.post.title).toBe('Edge');
    expect(sMaxAge(persisted.headers)).toBeGreaterThan(0);
    expect(surrogateKeys(persisted.headers)).toEqual(expect.arrayContaining([postKey(), ALL_KEYS]));
  });

  it('never a read with a token, a POST, a mutation, an error or a lookup that found nothing', async () => {
    const withToken = await get(PAGE, { slug: 'edge' }, { authorization: `Bearer ${editor.token}` });
    expect(withToken.body.data.post.title).toBe('Edge');
    const posted = await fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PAGE, variables: { slug: 'edge' } }) });
    const mutation = await fetch(`${h.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { deleteOwnComment(id: "x", guestToken: "y") { __typename } }` }),
    });
    const missing = await get(PAGE, { slug: 'no-such-post' });
    expect(missing.body.data.post).toBeNull();
    const invalid = await get('{ post(slug: 1) { title } }');
    expect(invalid.body.errors?.length).toBeGreaterThan(0);
    for (const headers of [withToken.headers, posted.headers, mutation.headers, missing.headers, invalid.headers]) {
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('surrogate-key')).toBeNull();
    }
  });

  it('never a response naming more objects than a Surrogate-Key header may hold', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => commentKey(i + 1)).join(' ');
    expect(keys.length).toBeGreaterThan(MAX_SURROGATE_KEY_BYTES);
    expect(cdnHeaders({ keys, expiresAt: Date.now() + 60_000 })).toBeNull();
    expect(cdnHeaders({ keys: postKey(), expiresAt: Date.now() + 60_000 })).toEqual({
      'cache-control': 'public, max-age=0, s-maxage=60',
      'surrogate-key': `${postKey()} ${ALL_KEYS}`,
    });
  });
});

describe('purges', () => {
  const addComment = (body: string) =>
    h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status comment { id } } } }`,
      { input: { postId: encodeGlobalId('Post', postId), body, name: 'G', email: 'g@example.com' } },
    );

  it('a new comment purges its post and itself, with the token, at once and again a moment later; the next GET is fresh', async () => {
    const before = (await get(PAGE, { slug: 'edge' })).body.data.post.commentCount;
    cdn.purges.length = 0;
    const added = await addComment('Purge me');
    expect(added.data.addComment.status).toBe('APPROVED');
    // The write answered after its first purge.
    expect(cdn.purges).toHaveLength(1);
    const [purge] = cdn.purges;
    expect(purge!.keys).toEqual(expect.arrayContaining([postKey(), `Comment:${added.data.addComment.comment.id}`]));
    expect(purge!.keys).not.toContain(ALL_KEYS);
    expect(purge!.headers.authorization).toBe('Bearer purge-secret');
    expect(purge!.headers['content-type']).toBe('application/json');
    await sleep(PURGE_REPEAT_MS + 500);
    expect(cdn.purges.map((p) => p.keys)).toEqual([purge!.keys, purge!.keys]);
    expect((await get(PAGE, { slug: 'edge' })).body.data.post.commentCount).toBe(before + 1);
  });

  it('a change to lists and lookups (a post edited) purges everything', async () => {
    const { data } = await h.gql(`{ post(slug: "edge") { id version } }`, {}, { token: editor.token });
    cdn.purges.length = 0;
    const edited = await h.gql(
      `mutation ($id: ID!, $version: Int!) { updatePost(id: $id, version: $version, fields: { title: "Edge, edited" }) { ... on Post { title } } }`,
      { id: data.post.id, version: data.post.version },
      { token: editor.token },
    );
    expect(edited.data.updatePost.title).toBe('Edge, edited');
    expect(cdn.purges[0]!.keys).toEqual([ALL_KEYS]);
  });

  it('a purge that fails never fails the write: it is logged', async () => {
    cdn.state.failWith = 503;
    try {
      expect((await addComment('Still written')).data.addComment.status).toBe('APPROVED');
      expect(h.logs.some((log) => log.level === 'warn' && String(log.args[0]).includes('CDN purge') && String(log.args[0]).includes('503'))).toBe(true);
    } finally {
      cdn.state.failWith = 0;
    }
  });
});
