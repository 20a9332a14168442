import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWordPress } from '../src/domain/import/wordpress.js';
import { XmlTooDeepError } from '../src/domain/import/xml-stream.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { deepWxr } from './deep-xml.js';
import { snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';
import { corpus, hostileTarget, requestOf, type Target } from './hostile/corpus.js';
import { addSkewedDataset } from './skewed.js';
import { subscribe, type SseSubscription } from './sse-client.js';

/*
 * The hostile corpus (test/hostile/corpus.ts): every request ever found to hurt Palaver, sent to
 * the real listener over a socket, with the production defaults (response cache on, limits and
 * budget as shipped), on a skewed dataset. Each must get what the corpus says, and a refusal of the
 * limits must cost no SQL at all.
 */

let h: Harness;
let target: Target;
beforeAll(async () => {
  h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', METRICS: 'true', TRUSTED_PROXIES: '127.0.0.1', SUBSCRIPTIONS_PER_CLIENT: '5' }, { http: true });
  await addSkewedDataset(h.database.db, { comments: 600, smallPosts: 20, maxDepth: 16 });
  target = await hostileTarget(h.database.db);
});
afterAll(() => h.close());

describe('the hostile corpus', () => {
  for (const entry of corpus) {
    it(`${entry.id} (${entry.source}): ${entry.what}`, async () => {
      const { method, path, headers, body } = requestOf(entry, target);
      const log: { query: string; params: unknown[] }[] = [];
      h.database.statements.log = log;
      const response = await fetch(`${h.origin}${path}`, { method, headers, body: body as BodyInit | undefined });
      const text = await response.text();
      const statuses = [entry.expect.status].flat();
      expect(statuses, text.slice(0, 500)).toContain(response.status);
      const parsed = /json/.test(response.headers.get('content-type') ?? '') ? (JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }) : null;
      const code = parsed?.errors?.[0]?.extensions?.code ?? null;
      if (entry.expect.code !== undefined) expect([entry.expect.code].flat(), text.slice(0, 500)).toContain(code);
      expect(code, text.slice(0, 500)).not.toBe('INTERNAL_SERVER_ERROR');
      const seen = `${JSON.stringify([...response.headers])}\n${text}`;
      for (const pattern of entry.expect.absent ?? []) expect(seen).not.toMatch(pattern);
      // A refusal of the limits (or of the input checks) runs nothing. (Whichever request comes
      // first in a second reads the schedule of posts: not the request's own SQL.)
      h.database.statements.log = undefined;
      if (response.status === 400 && (code === 'LIMIT_EXCEEDED' || code === 'BAD_USER_INPUT')) {
        expect(log.filter((s) => !s.query.includes(`status = 'scheduled'`)).map((s) => s.query)).toEqual([]);
      }
    });
  }

  it('a draft\'s cursor gets exactly what an unknown cursor gets', async () => {
    const page = async (after: string) =>
      (await h.gql(`query ($a: String) { posts(first: 3, after: $a) { edges { node { id } } pageInfo { hasNextPage } } }`, { a: after })).data;
    expect(await page(target.draftCursor)).toEqual(await page(target.unknownCursor));
  });

  it('an IPv6 /64 cannot take more than its share of subscriptions (issue 20 #4)', async () => {
    const streams: SseSubscription[] = [];
    const query = `subscription ($postId: ID!) { threadEvents(postId: $postId) { __typename } }`;
    try {
      for (let i = 1; i <= 5; i++) streams.push(await subscribe(h.origin, query, { postId: target.postId }, { 'x-forwarded-for': `2001:db8:20::${i}` }));
      const sixth = await subscribe(h.origin, query, { postId: target.postId }, { 'x-forwarded-for': '2001:db8:20::ffff' });
      streams.push(sixth);
      await sixth.waitFor(1, 10_000);
      expect(sixth.results[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'subscriptionsPerClient' });
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('an export nested 100,000 deep is refused where it crosses the limit, importing nothing (issue 20 #5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palaver-hostile-'));
    try {
      const file = join(dir, 'deep.xml');
      deepWxr.write(file, 100_000);
      const before = await snapshot(h.database.db);
      await expect(importWordPress(h.database.db, file)).rejects.toBeInstanceOf(XmlTooDeepError);
      expect(await snapshot(h.database.db)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is still serving', async () => {
    expect((await h.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: target.postId })).data.node.id).toBe(target.postId);
    expect(encodeGlobalId('Post', 1)).toBe('UG9zdDox');
  });
});
