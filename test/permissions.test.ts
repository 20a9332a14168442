import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.js';
import type { Role } from '../src/db/schema.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, draft, snapshot } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * Every mutation (and the staff-only queries and fields), for every role and for anonymous callers
 * (guests among them): allowed or refused. A refusal is a GraphQL error coded UNAUTHENTICATED (no
 * token) or FORBIDDEN (a token whose role does not allow it); an allowed call returns its success
 * type. (A revoked token is UNAUTHENTICATED for everything: see 'tokens' below.)
 */
type Actor = 'anonymous' | Role;
const ACTORS: Actor[] = ['anonymous', 'contributor', 'author', 'editor', 'admin'];

let h: Harness;
const writers = {} as Record<Role, { id: number; token: string }>;
let otherAuthor: number;
let seq = 0;

beforeAll(async () => {
  h = await createHarness({ COMMENT_FLOOD_SECONDS: '0' });
  for (const role of ['contributor', 'author', 'editor', 'admin'] as const) writers[role] = await addWriter(h.database.db, role);
  otherAuthor = await addAuthor(h.database.db);
});
afterAll(() => h.close());

const ownerOf = (actor: Actor, whose: 'own' | 'other') =>
  whose === 'other' || actor === 'anonymous' ? otherAuthor : writers[actor].id;
const post = async (actor: Actor, whose: 'own' | 'other', status: 'draft' | 'published') =>
  encodeGlobalId(
    'Post',
    await addPost(h.database.db, {
      authorId: ownerOf(actor, whose),
      status,
      publishedAt: status === 'draft' ? null : new Date('2024-01-01'),
    }),
  );

/** A guest's public comment on a post of someone else's, with its sender recorded. */
const guestComment = async (a: Actor) => {
  const postId = await addPost(h.database.db, { authorId: ownerOf(a, 'other') });
  const [id] = await addThread(h.database.db, postId, [draft(null, 1, { authorEmail: `sender${++seq}@example.com` })]);
  await h.database.db.execute(sql`update comments set ip = ${`10.2.${seq % 250}.1`}, user_agent = 'Agent' where id = ${id!}`);
  return encodeGlobalId('Comment', id!);
};

// Each case prepares fresh objects for the actor and returns the operation to run.
type Case = { name: string; allowed: Actor[]; run: (actor: Actor) => Promise<{ query: string; variables?: Record<string, unknown> }> };
const WRITERS: Actor[] = ['contributor', 'author', 'editor', 'admin'];
const PUBLISHERS: Actor[] = ['author', 'editor', 'admin'];
const EDITORS: Actor[] = ['editor', 'admin'];
const ADMINS: Actor[] = ['admin'];
const EVERYONE: Actor[] = ACTORS;

const result = (field: string, args: string) => `mutation { ${field}(${args}) { __typename ... on Error { code } } }`;
const postOp = (field: string) => async (id: string, extra = '') => ({ query: result(field, `id: "${id}"${extra}`) });

const cases: Case[] = [
  { name: 'createPost', allowed: WRITERS, run: async () => ({ query: result('createPost', `input: { title: "T${++seq}", bodyMarkdown: "x" }`) }) },
  {
    name: 'updatePost on own draft',
    allowed: WRITERS,
    run: async (a) => ({ query: result('updatePost', `id: "${await post(a, 'own', 'draft')}", version: 1, fields: { title: "New" }`) }),
  },
  {
    name: 'updatePost on own published post',
    allowed: PUBLISHERS,
    run: async (a) => ({ query: result('updatePost', `id: "${await post(a, 'own', 'published')}", version: 1, fields: { title: "New" }`) }),
  },
  {
    name: "updatePost on another's post",
    allowed: EDITORS,
    run: async (a) => ({ query: result('updatePost', `id: "${await post(a, 'other', 'draft')}", version: 1, fields: { title: "New" }`) }),
  },
  { name: 'publishPost own', allowed: PUBLISHERS, run: async (a) => postOp('publishPost')(await post(a, 'own', 'draft')) },
  { name: "publishPost another's", allowed: EDITORS, run: async (a) => postOp('publishPost')(await post(a, 'other', 'draft')) },
  {
    name: 'schedulePost own',
    allowed: PUBLISHERS,
    run: async (a) => postOp('schedulePost')(await post(a, 'own', 'draft'), `, publishAt: "2099-01-01T00:00:00Z"`),
  },
  { name: 'unpublishPost own', allowed: PUBLISHERS, run: async (a) => postOp('unpublishPost')(await post(a, 'own', 'published')) },
  { name: "archivePost another's", allowed: EDITORS, run: async (a) => postOp('archivePost')(await post(a, 'other', 'published')) },
  {
    name: 'moderateComments',
    allowed: EDITORS,
    run: async (a) => {
      const postId = await addPost(h.database.db, { authorId: ownerOf(a, 'other') });
      const [id] = await addThread(h.database.db, postId, [draft(null, 1)]);
      return { query: result('moderateComments', `ids: ["${encodeGlobalId('Comment', id!)}"], action: SPAM`) };
    },
  },
  {
    name: 'editComment',
    allowed: EDITORS,
    run: async (a) => ({ query: result('editComment', `id: "${await guestComment(a)}", body: "Moderated ${++seq}"`) }),
  },
  {
    name: 'blockSender',
    allowed: EDITORS,
    run: async (a) => ({ query: result('blockSender', `commentId: "${await guestComment(a)}", what: [EMAIL, IP]`) }),
  },
  {
    name: 'unblockSender',
    allowed: EDITORS,
    run: async () => {
      const value = `blocked${++seq}@example.com`;
      await h.database.db.execute(sql`insert into blocked_senders (kind, value) values ('email', ${value})`);
      return { query: result('unblockSender', `kind: EMAIL, value: "${value}"`) };
    },
  },
  { name: 'createAuthor', allowed: ADMINS, run: async () => ({ query: result('createAuthor', `fields: { name: "New ${++seq}" }`) }) },
  {
    name: 'updateAuthor',
    allowed: ADMINS,
    run: async () => ({ query: result('updateAuthor', `id: "${encodeGlobalId('Author', otherAuthor)}", fields: { bio: "Hi" }`) }),
  },
  {
    name: 'createToken',
    allowed: ADMINS,
    run: async () => ({ query: result('createToken', `authorId: "${encodeGlobalId('Author', otherAuthor)}", role: AUTHOR`) }),
  },
  {
    name: 'revokeToken',
    allowed: ADMINS,
    run: async () => {
      const victim = await addWriter(h.database.db, 'author');
      const [row] = (await h.gql(`{ apiTokens { id author { id } } }`, {}, { token: writers.admin.token })).data.apiTokens.filter(
        (t: any) => t.author.id === encodeGlobalId('Author', victim.id),
      );
      return { query: result('revokeToken', `id: "${row.id}"`) };
    },
  },
  {
    name: 'addComment',
    allowed: EVERYONE,
    run: async (a) => ({
      query: result(
        'addComment',
        `input: { postId: "${await post(a, 'other', 'published')}", body: "Hi ${++seq}", name: "G", email: "g${seq}@example.com" }`,
      ),
    }),
  },
  {
    name: 'editOwnComment and deleteOwnComment (with the guest token)',
    allowed: EVERYONE,
    run: async () => {
      const { data } = await h.gql(
        `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { guestToken comment { id } } } }`,
        { input: { postId: await post('anonymous', 'other', 'published'), body: `Mine ${++seq}`, name: 'G', email: `m${seq}@example.com` } },
        { ip: `10.0.0.${seq % 250}` },
      );
      const { guestToken, comment } = data.addComment;
      return {
        query: `mutation { e: editOwnComment(id: "${comment.id}", guestToken: "${guestToken}", body: "Edited") { __typename }
                           d: deleteOwnComment(id: "${comment.id}", guestToken: "${guestToken}") { __typename } }`,
      };
    },
  },
  { name: 'moderationQueue (query)', allowed: EDITORS, run: async () => ({ query: `{ moderationQueue { totalCount } }` }) },
  { name: 'blockedSenders (query)', allowed: EDITORS, run: async () => ({ query: `{ blockedSenders { totalCount } }` }) },
  {
    name: 'Comment.sender and Comment.revisions (private fields)',
    allowed: EDITORS,
    run: async (a) => ({ query: `{ comment(id: "${await guestComment(a)}") { sender { email ip userAgent referrer } revisions { editedBy { id } } } }` }),
  },
  { name: 'apiTokens (query)', allowed: ADMINS, run: async () => ({ query: `{ apiTokens { id } }` }) },
];

const ERROR_TYPES = /Error$/;

describe('role × mutation matrix', () => {
  for (const c of cases) {
    it.each(ACTORS)(`${c.name}: %s`, async (actor) => {
      const { query, variables } = await c.run(actor);
      const token = actor === 'anonymous' ? undefined : writers[actor].token;
      const response = await h.gql(query, variables, { token, ip: `10.1.${++seq % 250}.1` });
      if (c.allowed.includes(actor)) {
        expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
        for (const value of Object.values(response.data ?? {}) as any[]) {
          if (value && typeof value === 'object' && '__typename' in value) expect(value.__typename).not.toMatch(ERROR_TYPES);
        }
      } else {
        expect(response.errors?.[0]?.extensions?.code, JSON.stringify(response)).toBe(actor === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      }
    });
  }
});

describe('tokens', () => {
  it('say who is calling, and stop working when revoked', async () => {
    const writer = await addWriter(h.database.db, 'author');
    const me = await h.gql(`{ viewer { role author { id } } }`, {}, { token: writer.token });
    expect(me.data.viewer).toEqual({ role: 'AUTHOR', author: { id: encodeGlobalId('Author', writer.id) } });
    expect((await h.gql(`{ viewer { role } }`)).data.viewer).toBeNull();
    const tokens = (await h.gql(`{ apiTokens { id author { id } revokedAt } }`, {}, { token: writers.admin.token })).data.apiTokens;
    const mine = tokens.find((t: any) => t.author.id === encodeGlobalId('Author', writer.id));
    await h.gql(`mutation { revokeToken(id: "${mine.id}") { __typename } }`, {}, { token: writers.admin.token });
    const after = await h.gql(`{ viewer { role } }`, {}, { token: writer.token });
    expect(after.status).toBe(401);
    expect(after.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it("once revoked, an editor's token neither moderates nor reads a sender, and changes nothing", async () => {
    const revoked = await addWriter(h.database.db, 'editor');
    await h.database.db.execute(sql`update api_tokens set revoked_at = now() where author_id = ${revoked.id}`);
    const id = await guestComment('editor');
    const before = await snapshot(h.database.db);
    for (const query of [
      result('editComment', `id: "${id}", body: "Not any more"`),
      result('blockSender', `commentId: "${id}", what: [EMAIL]`),
      `{ comment(id: "${id}") { sender { email } } }`,
    ]) {
      const response = await h.gql(query, {}, { token: revoked.token });
      expect(response.status).toBe(401);
      expect(response.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(response)).not.toContain('@example.com');
    }
    expect(await snapshot(h.database.db)).toEqual(before);
  });

  it('refuse malformed Authorization headers with 401', async () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer a b']) {
      const response = await h.gql(`{ viewer { role } }`, {}, { headers: { authorization: header } });
      expect(response.status).toBe(401);
      expect(response.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    }
  });

  it('are stored only as hashes', async () => {
    const writer = await addWriter(h.database.db, 'author');
    const rows = await queryRows<Record<string, unknown>>(h.database.db, sql`select * from api_tokens`);
    expect(JSON.stringify(rows)).not.toContain(writer.token);
    expect(JSON.stringify(rows)).not.toContain(writer.token.slice(4));
  });
});
