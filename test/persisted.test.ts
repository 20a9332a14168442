import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAuthor, addPost, addWriter } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Persisted operations as the clients send them, over a real socket: Apollo Client's
 * persisted-queries link (APQ: the hash first, the text only when the server asks), Relay's `doc_id`
 * from the file relay-compiler writes, GET requests, and PERSISTED_OPERATIONS=only.
 */
const relayFile = fileURLToPath(new URL('../bench/relay/persisted-queries.json', import.meta.url));
const relayOperations = JSON.parse(readFileSync(relayFile, 'utf8')) as Record<string, string>;
const [postPageId, postPageText] = Object.entries(relayOperations).find(([, text]) => text.startsWith('query PostPageQuery'))!;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function withPost(h: Harness) {
  await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'persisted', title: 'Persisted' });
}

const post = (h: Harness, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] },
  }));

describe('persisted operations (PERSISTED_OPERATIONS=auto)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ PERSISTED_OPERATIONS_FILE: relayFile }, { http: true });
    await withPost(h);
  });
  afterAll(() => h.close());

  it("Apollo's persisted-queries link: the hash alone, the text once when asked, then the hash alone", async () => {
    const sent: { query: boolean; hash: boolean }[] = [];
    const recording: typeof fetch = async (input, init) => {
      const body = JSON.parse(String(init!.body)) as { query?: string; extensions?: { persistedQuery?: unknown } };
      sent.push({ query: typeof body.query === 'string', hash: body.extensions?.persistedQuery !== undefined });
      return fetch(input, init);
    };
    const link = new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: `${h.origin}/graphql`, fetch: recording }));
    const query = gql`
      query Persisted($slug: String!) {
        post(slug: $slug) {
          title
        }
      }
    `;
    for (let i = 0; i < 2; i++) {
      const client = new ApolloClient({ link, cache: new InMemoryCache() });
      const { data } = await client.query<any>({ query, variables: { slug: 'persisted' } });
      expect(data.post.title).toBe('Persisted');
    }
    expect(sent).toEqual([
      { query: false, hash: true },
      { query: true, hash: true },
      { query: false, hash: true },
    ]);
  });

  it('refuses a text that does not hash to the hash sent with it', async () => {
    const result = await post(h, { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
    expect(result.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it("Relay's doc_id, from the file relay-compiler writes: the same answer as the text, by POST and GET", async () => {
    const byText = await post(h, { query: postPageText, variables: { slug: 'persisted' } });
    const byId = await post(h, { doc_id: postPageId, variables: { slug: 'persisted' } });
    expect(byText.body.errors).toBeUndefined();
    expect(byId.body).toEqual(byText.body);
    const search = new URLSearchParams({ doc_id: postPageId, variables: JSON.stringify({ slug: 'persisted' }) });
    const byGet = await fetch(`${h.origin}/graphql?${search}`);
    expect(await byGet.json()).toEqual(byText.body);
    const unknown = await post(h, { doc_id: 'nope', variables: {} });
    expect(unknown.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('PERSISTED_OPERATIONS=only', () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await createHarness({ PERSISTED_OPERATIONS: 'only', PERSISTED_OPERATIONS_FILE: relayFile }, { http: true });
    await withPost(h);
    token = (await addWriter(h.database.db, 'editor')).token;
  });
  afterAll(() => h.close());

  it('runs registered operations for anyone, by id or by their exact text', async () => {
    const byId = await post(h, { doc_id: postPageId, variables: { slug: 'persisted' } });
    expect(byId.body.data.post).not.toBeNull();
    expect((await post(h, { query: postPageText, variables: { slug: 'persisted' } })).body.data).toEqual(byId.body.data);
  });

  it('refuses anything else from anonymous clients, APQ registrations included; token holders may send text', async () => {
    const text = '{ posts(first: 1) { totalCount } }';
    for (const body of [{ query: text }, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } } }, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } } }]) {
      const refused = await post(h, body);
      expect(refused.status).toBe(403);
      expect(refused.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect((await post(h, { query: text }, { authorization: `Bearer ${token}` })).body.data.posts.totalCount).toBe(1);
    const forged = await post(h, { query: text }, { authorization: 'Bearer not-a-token' });
    expect(forged.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(forged.body.data ?? null).toBeNull();
  });
});
