import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, age, counterDrift, countRows, draft, snapshot } from './fixtures.js';
import { createHarness, type Harness, type RequestOptions } from './harness.js';

/*
 * Readers' "Leave a Reply": validation as strict as WordPress's, typed results, the local spam
 * checks, duplicate and flood control, guest tokens, and exact counts throughout.
 */
let h: Harness;
let postId: string;
let topId: string;
let deepId: string;
let closedId: string;
let draftId: string;
let otherId: string;
let ipCounter = 0;
// Every request comes from a new address unless a test says otherwise (flood control is per IP).
const fresh = (): RequestOptions => ({ ip: `198.51.100.${++ipCounter % 250}` });

beforeAll(async () => {
  h = await createHarness({ MAX_COMMENT_DEPTH: '3', SPAM_BLOCKLIST: 'casino, 203.0.113.66, troll@example.com' });
  const db = h.database.db;
  const authorId = await addAuthor(db);
  const post = await addPost(db, { authorId, slug: 'open' });
  postId = encodeGlobalId('Post', post);
  const [top, , grandchild] = await addThread(db, post, [draft(null, 1), draft(0, 2), draft(1, 3)]);
  topId = encodeGlobalId('Comment', top!);
  deepId = encodeGlobalId('Comment', grandchild!);
  closedId = encodeGlobalId('Post', await addPost(db, { authorId, slug: 'closed', commentsOpen: false }));
  draftId = encodeGlobalId('Post', await addPost(db, { authorId, slug: 'draft', status: 'draft', publishedAt: null }));
  otherId = encodeGlobalId('Post', await addPost(db, { authorId, slug: 'other' }));
});
afterAll(() => h.close());

let n = 0;
const guest = (fields: Record<string, unknown> = {}) => ({
  postId,
  body: `A thoughtful reply number ${++n}.`,
  name: 'Ada',
  email: `ada${n}@example.com`,
  ...fields,
});

const ADD = `mutation ($input: AddCommentInput!) {
  addComment(input: $input) {
    __typename
    ... on AddCommentPayload { status guestToken editableUntil comment { id depth bodyHtml author { name url } } }
    ... on Error { code message }
    ... on ValidationError { field }
    ... on RateLimitedError { retryAfterSeconds }
    ... on LimitExceededError { limit }
  }
}`;
const add = (input: Record<string, unknown>, options: RequestOptions = fresh()) =>
  h.gql(ADD, { input }, options).then((r) => {
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data.addComment;
  });

const postCounts = async () =>
  (await h.gql(`{ post(slug: "open") { commentCount comments { totalCount } thread { totalCount } } }`)).data.post;

describe('addComment', () => {
  it('publishes a clean guest comment and returns a guest token', async () => {
    const before = await postCounts();
    const result = await add(guest({ body: 'Hello *there*', url: 'https://ada.example' }));
    expect(result).toMatchObject({
      __typename: 'AddCommentPayload',
      status: 'APPROVED',
      comment: { depth: 1, bodyHtml: '<p>Hello <em>there</em></p>\n', author: { name: 'Ada', url: 'https://ada.example/' } },
    });
    expect(result.guestToken).toMatch(/^guest_[\w-]{43}$/);
    expect(new Date(result.editableUntil).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const after = await postCounts();
    expect(after.commentCount).toBe(before.commentCount + 1);
    expect(after.comments.totalCount).toBe(before.comments.totalCount + 1);
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('threads replies and updates every ancestor', async () => {
    const top = await add(guest({ body: 'Top' }));
    const reply = await add(guest({ parentId: top.comment.id, body: 'Reply' }));
    const nested = await add(guest({ parentId: reply.comment.id, body: 'Nested' }));
    expect([reply.comment.depth, nested.comment.depth]).toEqual([2, 3]);
    const { data } = await h.gql(`query ($id: ID!) { comment(id: $id) { replyCount descendantCount replies { edges { node { id replyCount descendantCount } } } } }`, {
      id: top.comment.id,
    });
    expect(data.comment).toMatchObject({ replyCount: 1, descendantCount: 2 });
    expect(data.comment.replies.edges[0].node).toMatchObject({ id: reply.comment.id, replyCount: 1, descendantCount: 1 });
    expect(await counterDrift(h.database.db)).toEqual([]);
  });

  it('lets token holders comment as themselves, approved, without a guest token', async () => {
    const writer = await addWriter(h.database.db, 'contributor');
    const result = await add({ postId, body: 'Staff here.' }, { ...fresh(), token: writer.token });
    expect(result).toMatchObject({ status: 'APPROVED', guestToken: null, comment: { author: { name: 'The contributor' } } });
  });

  it.each([
    ['name', { name: '' }, 'name'],
    ['name', { name: 'x'.repeat(246) }, 'name'],
    ['email', { email: '' }, 'email'],
    ['email', { email: 'not-an-email' }, 'email'],
    ['email', { email: `${'x'.repeat(90)}@example.com` }, 'email'],
    ['url', { url: 'javascript:alert(1)' }, 'url'],
    ['url', { url: 'ftp://example.com' }, 'url'],
    ['url', { url: `https://example.com/${'x'.repeat(190)}` }, 'url'],
    ['body', { body: '   ' }, 'body'],
    ['body', { body: 'x'.repeat(65_526) }, 'body'],
    ['postId', { postId: 'garbage' }, 'postId'],
    ['parentId', { parentId: encodeGlobalId('Post', 1) }, 'parentId'],
  ])('rejects a bad %s with a ValidationError naming it, changing nothing', async (_name, fields, field) => {
    const before = await snapshot(h.database.db);
    const result = await add(guest(fields));
    expect(result).toMatchObject({ __typename: 'ValidationError', code: 'BAD_USER_INPUT', field });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('accepts fields at their limits', async () => {
    const result = await add(
      guest({ name: 'n'.repeat(245), email: `${'e'.repeat(88)}@example.com`, url: `https://e.co/${'u'.repeat(187)}`, body: 'b'.repeat(65_525) }),
    );
    expect(result.__typename).toBe('AddCommentPayload');
  });

  it('refuses missing, unpublished and closed posts, and replies to another post or past the depth limit', async () => {
    const before = await snapshot(h.database.db);
    expect(await add(guest({ postId: encodeGlobalId('Post', 9999) }))).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await add(guest({ postId: draftId }))).toMatchObject({ __typename: 'NotFoundError' });
    expect(await add(guest({ postId: closedId }))).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
    expect(await add(guest({ postId: closedId, parentId: topId }))).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await add(guest({ parentId: encodeGlobalId('Comment', 99999) }))).toMatchObject({ __typename: 'ValidationError', field: 'parentId' });
    expect(await add(guest({ postId: otherId, parentId: topId }))).toMatchObject({ __typename: 'ValidationError', field: 'parentId' });
    expect(await add(guest({ parentId: deepId }))).toMatchObject({ __typename: 'LimitExceededError', code: 'LIMIT_EXCEEDED', limit: 3 });
    expect(await snapshot(h.database.db)).toEqual(before);
  });
});

describe('spam pipeline', () => {
  const held = async (fields: Record<string, unknown>, options: RequestOptions = fresh()) => {
    const before = await postCounts();
    const result = await add(guest(fields), options);
    expect(result.status).toBe('PENDING');
    // Nobody else sees it, and no count moved.
    const { data } = await h.gql(`query ($id: ID!) { comment(id: $id) { id } }`, { id: result.comment.id });
    expect(data.comment).toBeNull();
    expect(await postCounts()).toEqual(before);
    const [row] = await queryRows<{ status: string; held_reason: string }>(
      h.database.db,
      sql`select status, held_reason from comments where id = ${keyOf(result.comment.id, 'Comment')}`,
    );
    return row!;
  };

  it('marks a filled honeypot as spam, shown to the poster as pending', async () => {
    expect(await held({ honeypot: 'http://spam.example' })).toEqual({ status: 'spam', held_reason: 'honeypot' });
  });

  it('holds two or more links for moderation, but not one', async () => {
    expect(await held({ body: 'See https://a.example and [this](https://b.example)' })).toEqual({ status: 'pending', held_reason: '2 links' });
    expect((await add(guest({ body: 'Just https://a.example' }))).status).toBe('APPROVED');
  });

  it('marks blocklisted words, IPs and emails as spam', async () => {
    expect(await held({ body: 'Visit my CASINO' })).toEqual({ status: 'spam', held_reason: 'blocklist: casino' });
    // However the word is written: compatibility forms, invisible characters.
    expect(await held({ body: 'Visit my ｃａｓｉｎｏ' })).toEqual({ status: 'spam', held_reason: 'blocklist: casino' });
    expect(await held({ body: 'Visit my cas\u200Bi\u00ADno' })).toEqual({ status: 'spam', held_reason: 'blocklist: casino' });
    expect(await held({ email: 'troll@example.com' })).toMatchObject({ status: 'spam' });
    expect(await held({}, { ip: '203.0.113.66' })).toEqual({ status: 'spam', held_reason: 'blocklist: 203.0.113.66' });
  });

  it('refuses a duplicate of a comment, with DUPLICATE', async () => {
    const input = guest({ body: 'Exactly the same words.' });
    expect((await add(input)).status).toBe('APPROVED');
    const rows = await countRows(h.database.db, 'comments');
    expect(await add({ ...input, body: '  exactly the SAME   words. ' })).toMatchObject({ __typename: 'DuplicateError', code: 'DUPLICATE' });
    expect(await countRows(h.database.db, 'comments')).toBe(rows);
  });

  it.each([
    ['compatibility forms', 'Ｇｒｅａｔ point about ｃａｃｈｉｎｇ.'],
    ['zero-width characters inside words', 'Gre\u200Bat point about cach\u2060ing.'],
    ['soft hyphens and other spaces', 'GREAT\u00A0point about cach\u00ADing.'],
  ])('refuses a duplicate that differs only in %s', async (_how, variant) => {
    const input = guest({ body: 'Great point about caching.' });
    expect((await add(input)).status).toBe('APPROVED');
    const before = await snapshot(h.database.db);
    expect(await add({ ...input, body: variant })).toMatchObject({ __typename: 'DuplicateError', code: 'DUPLICATE' });
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('refuses a second comment from the same IP or email within 15 seconds, with RATE_LIMITED', async () => {
    const ip = { ip: '192.0.2.10' };
    expect((await add(guest(), ip)).status).toBe('APPROVED');
    const again = await add(guest(), ip);
    expect(again).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    expect(again.retryAfterSeconds).toBeGreaterThan(0);
    expect(again.retryAfterSeconds).toBeLessThanOrEqual(15);
    const sameEmail = guest();
    expect((await add(sameEmail)).status).toBe('APPROVED');
    expect(await add({ ...sameEmail, body: 'Different words' })).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('flood control', () => {
  it('counts an IPv6 /64 as one client, an IPv4 address as one, and stores the full address', async () => {
    expect((await add(guest(), { ip: '2001:db8:aa:1::1' })).status).toBe('APPROVED');
    // Another address in the same /64 (a host may pick any): limited.
    const neighbour = await add(guest(), { ip: '2001:db8:aa:1:ffff:ffff:ffff:2' });
    expect(neighbour).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    // The next /64 is another customer.
    expect((await add(guest(), { ip: '2001:db8:aa:2::1' })).status).toBe('APPROVED');
    // IPv4 neighbours are different clients.
    expect((await add(guest(), { ip: '192.0.2.77' })).status).toBe('APPROVED');
    expect((await add(guest(), { ip: '192.0.2.78' })).status).toBe('APPROVED');

    const rows = await queryRows<{ ip: string }>(
      h.database.db,
      sql`select ip from comments where ip like '2001:db8:aa:%' or ip like '192.0.2.7_' order by id`,
    );
    expect(rows.map((row) => row.ip)).toEqual(['2001:db8:aa:1::1', '2001:db8:aa:2::1', '192.0.2.77', '192.0.2.78']);
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, not as one /64 with every other mapped address', async () => {
    // 192.0.2.123 written as IPv4-mapped IPv6 in hex: the same client as 192.0.2.123.
    expect((await add(guest(), { ip: '::ffff:c000:27b' })).status).toBe('APPROVED');
    expect(await add(guest(), { ip: '192.0.2.123' })).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    // Another IPv4 address, mapped: another client.
    expect((await add(guest(), { ip: '::ffff:c000:27c' })).status).toBe('APPROVED');
  });

  /**
   * A real failure of the write, after flood control let it through: a trigger that makes Postgres
   * refuse any comment row (new or edited) whose text says "doomed".
   */
  async function withDoomedWrites(run: () => Promise<void>) {
    const db = h.database.db;
    await db.execute(sql.raw(`create function refuse_doomed() returns trigger language plpgsql as $$
      begin
        if new.body_markdown like '%doomed%' then raise exception 'refused by a test trigger'; end if;
        return new;
      end $$`));
    await db.execute(sql.raw(`create trigger refuse_doomed before insert or update on comments for each row execute function refuse_doomed()`));
    try {
      await run();
    } finally {
      await db.execute(sql.raw(`drop trigger refuse_doomed on comments`));
      await db.execute(sql.raw(`drop function refuse_doomed()`));
    }
  }
  const failing = async (query: string, variables: Record<string, unknown>, options: RequestOptions) => {
    const result = await h.gql(query, variables, options);
    expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('INTERNAL_SERVER_ERROR');
  };

  it("counts a guest's comment that failed after the flood check (rolled back) as an attempt: the next is RATE_LIMITED", async () => {
    await withDoomedWrites(async () => {
      const ip = { ip: '192.0.2.120' };
      const before = await countRows(h.database.db, 'comments');
      await failing(ADD, { input: guest({ body: 'A doomed reply.' }) }, ip);
      expect(await countRows(h.database.db, 'comments')).toBe(before);
      // At once, from the same address (another email): limited, as after a comment.
      const again = await add(guest(), ip);
      expect(again).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
      expect(again.retryAfterSeconds).toBeGreaterThan(0);
      // Failing again and again is no way around it: refused before the write.
      for (let i = 0; i < 3; i++) expect(await add(guest({ body: `Doomed, take ${i}.` }), ip)).toMatchObject({ code: 'RATE_LIMITED' });
      // The same email from another address: limited too.
      const sameEmail = guest({ body: 'Another doomed reply.' });
      await failing(ADD, { input: sameEmail }, fresh());
      expect(await add({ ...sameEmail, body: 'Fine words at last.' })).toMatchObject({ code: 'RATE_LIMITED' });
    });
  });

  it("counts a guest's edit that failed after the flood check as an attempt too", async () => {
    const ip = { ip: '192.0.2.121' };
    const posted = await add(guest(), ip);
    await age(h.database.db, keyOf(posted.comment.id, 'Comment'), 60);
    await withDoomedWrites(async () => {
      const EDIT = `mutation ($id: ID!, $guestToken: String!, $body: String!) { editOwnComment(id: $id, guestToken: $guestToken, body: $body) { __typename } }`;
      await failing(EDIT, { id: posted.comment.id, guestToken: posted.guestToken, body: 'A doomed edit.' }, ip);
      expect(await add(guest(), ip)).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    });
  });

  it('does not count what is refused before the flood check: invalid input, a closed post', async () => {
    const ip = { ip: '192.0.2.122' };
    expect(await add(guest({ body: '   ' }), ip)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await add(guest({ postId: closedId }), ip)).toMatchObject({ code: 'FORBIDDEN' });
    expect((await add(guest(), ip)).status).toBe('APPROVED');
  });
});

describe('holding for moderation', () => {
  it('holds everything from guests when COMMENT_MODERATION=manual', async () => {
    const manual = await createHarness({ COMMENT_MODERATION: 'manual' });
    const post = await addPost(manual.database.db, { authorId: await addAuthor(manual.database.db) });
    const { data } = await manual.gql(ADD, { input: guest({ postId: encodeGlobalId('Post', post) }) });
    expect(data.addComment.status).toBe('PENDING');
    await manual.close();
  });
});

describe('client address', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const spoofed = { ip: '192.0.2.50', headers: { 'x-forwarded-for': '203.0.113.66' } }; // a blocklisted address
    expect((await add(guest(), spoofed)).status).toBe('APPROVED');

    const proxied = await createHarness({ TRUSTED_PROXIES: '10.0.0.0/8', SPAM_BLOCKLIST: '203.0.113.66, 203.0.113.67' });
    const post = await addPost(proxied.database.db, { authorId: await addAuthor(proxied.database.db) });
    const input = { input: guest({ postId: encodeGlobalId('Post', post) }) };
    // Through the proxy, the client is the last address before it: blocklisted here.
    const viaProxy = await proxied.gql(ADD, input, { ip: '10.1.2.3', headers: { 'x-forwarded-for': '203.0.113.66, 10.9.9.9' } });
    expect(viaProxy.data.addComment.status).toBe('PENDING');

    // Proxies that write the client's port: the address is what counts.
    const ipOf = async (id: string) =>
      (await queryRows<{ ip: string }>(proxied.database.db, sql`select ip from comments where id = ${keyOf(id, 'Comment')}`))[0]!.ip;
    for (const [header, address, status] of [
      ['203.0.113.67:5678, 10.9.9.9', '203.0.113.67', 'PENDING'], // blocklisted
      ['[2001:db8::66]:443', '2001:db8::66', 'APPROVED'],
      ['192.0.2.99:80, 10.9.9.9:8080', '192.0.2.99', 'APPROVED'],
    ] as const) {
      const result = await proxied.gql(ADD, { input: guest({ postId: encodeGlobalId('Post', post) }) }, { ip: '10.1.2.3', headers: { 'x-forwarded-for': header } });
      expect(result.data.addComment.status).toBe(status);
      expect(await ipOf(result.data.addComment.comment.id)).toBe(address);
    }
    await proxied.close();
  });
});
