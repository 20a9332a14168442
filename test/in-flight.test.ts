import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import type postgres from 'postgres';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { redisPrefix } from '../src/cache.js';
import { loadConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import type { Database } from '../src/db/client.js';
import { createToken } from '../src/domain/authors.js';
import type { CommentDraft } from '../src/domain/thread.js';
import { createLogger } from '../src/logger.js';
import { schema } from '../src/schema/index.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost, addThread, addWriter, draft } from './fixtures.js';
import { backend, createHarness, type GqlResult, type Harness } from './harness.js';

/*
 * Identical reads in flight share one execution (src/in-flight.ts). To have requests really in
 * flight together, the comments table is held in a transaction (on Postgres, by its lock; on
 * PGlite, which has one session, every statement waits for it) until every read has reached
 * execution: then one execution, or one per distinct read, must have cost the SQL, and everyone
 * must have the answer their own execution would have given them.
 */

const THREAD = `query Thread($slug: String!) { post(slug: $slug) { title commentCount
  comments(first: 50) { edges { node { id bodyHtml author { name }
    replies(first: 50) { edges { node { id bodyHtml replies(first: 50) { edges { node { id bodyHtml } } } } } } } } } } }`;
// A read answered by the resolvers (the read engine leaves `viewer` to them): the post is read
// before its comments, so a read held at the comments table has already read the post's title.
const THREAD_BY_LEVEL = `query ($slug: String!) { viewer { role } post(slug: $slug) { title comments(first: 50) { pageInfo { hasNextPage } edges { node { id bodyHtml } } } } }`;
const HELD = 'Held for a moderator';
const ADD = `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status comment { id } } ... on Error { code } } }`;

/** Ten top-level comments with two replies each and a reply to each reply, and one held comment. */
async function addPostWithThread(db: Harness['database']['db'], slug: string, title = slug) {
  const post = await addPost(db, { authorId: await addAuthor(db, { name: 'Ann' }), slug, title });
  const drafts: CommentDraft[] = [];
  for (let i = 0; i < 10; i++) {
    const top = drafts.push(draft(null, i * 10)) - 1;
    for (let j = 1; j <= 2; j++) {
      const reply = drafts.push(draft(top, i * 10 + j * 3)) - 1;
      drafts.push(draft(reply, i * 10 + j * 3 + 1));
    }
  }
  drafts.push(draft(null, 200, { status: 'pending', bodyMarkdown: HELD }));
  const ids = await addThread(db, post, drafts);
  return { post, held: ids.at(-1)! };
}

/**
 * Holds the comments table until the returned function is called: `statements` run in a
 * transaction that stays open (by default a lock; a rename makes every waiting statement fail).
 */
async function holdComments(database: Database, statements = ['lock table comments in access exclusive mode']) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const client = (database.db as unknown as { $client: unknown }).$client;
  const done =
    database.kind === 'pglite'
      ? (client as PGlite).transaction(async (tx) => {
          for (const statement of statements) await tx.exec(statement);
          holding();
          await released;
        })
      : (client as postgres.Sql).begin(async (tx) => {
          for (const statement of statements) await tx.unsafe(statement);
          holding();
          await released;
        });
  await Promise.race([held, done]);
  return async () => {
    release();
    await done;
  };
}

/** Waits until `condition` holds (a bound on waiting, not on speed: it only turns a hang into a message). */
async function until(condition: () => boolean, what: () => string) {
  for (const started = Date.now(); !condition(); await sleep(2)) {
    if (Date.now() - started > 30_000) throw new Error(`Still waiting: ${what()}`);
  }
}

/**
 * Sends `requests` while the comments table is held, lets them go once `ready` (every read has
 * reached execution), and returns their answers.
 */
async function whileHeld<T>(database: Database, requests: (() => Promise<T>)[], ready: () => boolean, what: () => string, statements?: string[]) {
  const release = await holdComments(database, statements);
  let answers: Promise<T[]>;
  try {
    answers = Promise.all(requests.map((request) => request()));
    answers.catch(() => {}); // awaited below, once released
    await until(ready, what);
  } finally {
    await release();
  }
  return answers;
}

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));
const counters = ({ app: { inFlight } }: Harness) => ({ executions: inFlight.executions, shared: inFlight.shared, mutations: inFlight.mutations });
const bodies = (r: GqlResult) => JSON.stringify(r.data);

describe('without the response cache', () => {
  let h: Harness;
  let editor: { id: number; token: string };
  let heldId: number;
  let talkId: number;
  beforeAll(async () => {
    h = await createHarness({ COMMENT_FLOOD_SECONDS: '0', COMMENT_BUDGET: '60' });
    const db = h.database.db;
    editor = await addWriter(db, 'editor');
    heldId = (await addPostWithThread(db, 'thread', 'Thread')).held;
    await addPostWithThread(db, 'other', 'Other');
    talkId = await addPost(db, { authorId: editor.id, slug: 'talk' });
    const long = await addPost(db, { authorId: await addAuthor(db), slug: 'long' });
    await addThread(db, long, times(80, (i) => draft(null, i)));
  });
  afterAll(() => h.close());

  /** Reads (of any kind) that have reached execution since `before`. */
  const arrived = (before: ReturnType<typeof counters>) => h.app.inFlight.executions + h.app.inFlight.shared - before.executions - before.shared;

  it('runs 20 identical anonymous reads in flight as one execution: its SQL once, its data for all', async () => {
    const alone = await h.gql(THREAD, { slug: 'thread' });
    expect(alone.errors).toBeUndefined();
    expect(alone.data.post.comments.edges).toHaveLength(10);
    expect(alone.statements).toBeGreaterThan(0);

    const before = counters(h);
    const statements = h.database.statements.count;
    const answers = await whileHeld(h.database, times(20, () => () => h.gql(THREAD, { slug: 'thread' })), () => arrived(before) === 20, () => `${arrived(before)} of 20 reads`);
    expect(h.database.statements.count - statements).toBe(alone.statements);
    expect(h.app.inFlight.executions - before.executions).toBe(1);
    expect(h.app.inFlight.shared - before.shared).toBe(19);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual(alone.data);
    }
  });

  it('does not share between reads with different variables', async () => {
    const thread = await h.gql(THREAD, { slug: 'thread' });
    const other = await h.gql(THREAD, { slug: 'other' });
    expect(other.data.post.title).toBe('Other');
    const before = counters(h);
    const statements = h.database.statements.count;
    const answers = await whileHeld(
      h.database,
      times(20, (i) => () => h.gql(THREAD, { slug: i % 2 ? 'other' : 'thread' })),
      () => arrived(before) === 20,
      () => `${arrived(before)} of 20 reads`,
    );
    expect(h.app.inFlight.executions - before.executions).toBe(2);
    expect(h.database.statements.count - statements).toBe(thread.statements + other.statements);
    answers.forEach((answer, i) => expect(answer.data).toEqual(i % 2 ? other.data : thread.data));
  });

  it('never shares between the public and an editor: each sees what it may, both ways round', async () => {
    // Editors read held comments (by ID, or in the moderation queue); the public reads null.
    const query = `query ($id: ID!) { comment(id: $id) { bodyHtml } post(slug: "thread") { commentCount } }`;
    const variables = { id: encodeGlobalId('Comment', heldId) };
    const publicRead = () => h.gql(query, variables);
    const editorRead = () => h.gql(query, variables, { token: editor.token });
    // On Postgres every read waits at the comments table, the editors' too. On PGlite (one
    // session) holding the table also holds the reading of the editors' tokens: there only the
    // public reads are sure to be in flight together, and the editors' may come after them.
    const held = (read: typeof publicRead) => backend === 'postgres' || read === publicRead;
    for (const [first, second] of [
      [publicRead, editorRead],
      [editorRead, publicRead],
    ] as const) {
      const before = counters(h);
      const release = await holdComments(h.database);
      let answers!: Promise<GqlResult[]>;
      try {
        // The first to reach execution is the one the others would join.
        const leader = first();
        if (held(first)) await until(() => arrived(before) === 1, () => 'the first read');
        answers = Promise.all([leader, ...times(5, first), ...times(5, second)]);
        answers.catch(() => {});
        const expected = (held(first) ? 6 : 0) + (held(second) ? 5 : 0);
        await until(() => arrived(before) >= expected, () => `${arrived(before)} of ${expected} reads`);
      } finally {
        await release();
      }
      const all = (await answers).map(bodies);
      const [publicAnswers, editorAnswers] = first === publicRead ? [all.slice(0, 6), all.slice(6)] : [all.slice(6), all.slice(0, 6)];
      for (const answer of publicAnswers) expect(answer).toBe('{"comment":null,"post":{"commentCount":50}}');
      for (const answer of editorAnswers) expect(answer).toContain(HELD);
      if (backend === 'postgres') expect(h.app.inFlight.executions - before.executions).toBe(2);
    }
  });

  it('never shares mutations: two identical comments in flight are two executions (one is a duplicate)', async () => {
    const input = { postId: encodeGlobalId('Post', talkId), body: 'Same words at the same moment', name: 'Twin', email: 'twin@example.com' };
    const before = counters(h);
    const answers = await whileHeld(
      h.database,
      times(2, () => () => h.gql(ADD, { input }, { ip: '10.5.0.1' })),
      () => h.app.inFlight.mutations - before.mutations === 2,
      () => `${h.app.inFlight.mutations - before.mutations} of 2 mutations`,
    );
    const outcomes = answers.map((answer) => answer.data.addComment.status ?? answer.data.addComment.code).sort();
    expect(outcomes).toEqual(['APPROVED', 'DUPLICATE']);
    expect(h.app.inFlight.executions - before.executions).toBe(0);
  });

  it('gives everyone waiting for a failed execution its error, and the next read executes afresh', async () => {
    // LIMIT_EXCEEDED: 80 comments against a budget of 60.
    const query = `{ post(slug: "long") { comments(first: 100) { edges { node { id } } } } }`;
    let before = counters(h);
    const refused = await whileHeld(h.database, times(10, () => () => h.gql(query)), () => arrived(before) === 10, () => `${arrived(before)} of 10 reads`);
    expect(h.app.inFlight.executions - before.executions).toBe(1);
    for (const answer of refused) {
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['LIMIT_EXCEEDED']);
      expect(answer).toEqual({ ...refused[0], statements: answer.statements });
    }
    before = counters(h);
    const again = await h.gql(query);
    expect(again.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(again.statements).toBeGreaterThan(0);
    expect(h.app.inFlight.executions - before.executions).toBe(1);

    // A statement that fails: the comments table is renamed while the reads wait for it. The error
    // is masked, once for all of them.
    const errorsLogged = h.logs.filter((l) => l.level === 'error').length;
    before = counters(h);
    const failed = await whileHeld(
      h.database,
      times(10, () => () => h.gql(THREAD, { slug: 'thread' })),
      () => arrived(before) === 10,
      () => `${arrived(before)} of 10 reads`,
      ['alter table comments rename to comments_away'],
    );
    try {
      expect(h.app.inFlight.executions - before.executions).toBe(1);
      for (const answer of failed) {
        expect(answer.errors?.length).toBeGreaterThan(0);
        expect(answer.errors!.every((e) => e.message === 'Unexpected error.' && e.extensions?.code === 'INTERNAL_SERVER_ERROR')).toBe(true);
        expect(answer).toEqual({ ...failed[0], statements: answer.statements });
      }
      expect(h.logs.filter((l) => l.level === 'error').length - errorsLogged).toBe(failed[0]!.errors!.length);
    } finally {
      await h.database.db.execute(sql`alter table comments_away rename to comments`);
    }
    before = counters(h);
    const fresh = await h.gql(THREAD, { slug: 'thread' });
    expect(fresh.errors).toBeUndefined();
    expect(fresh.data.post.comments.edges).toHaveLength(10);
    expect(h.app.inFlight.executions - before.executions).toBe(1);
  });

  // On PGlite the hold would stop the write as well (one session for everything).
  it.skipIf(backend === 'pglite')('never lets a read join one that began before a write completed', async () => {
    const log: { query: string; params: unknown[] }[] = [];
    h.database.statements.log = log;
    const before = counters(h);
    const release = await holdComments(h.database);
    let first: Promise<GqlResult>;
    let second: Promise<GqlResult>;
    try {
      first = h.gql(THREAD_BY_LEVEL, { slug: 'other' });
      first.catch(() => {});
      // Once it asks for the comments, it has read the post's title (the post comes first).
      await until(() => log.some((s) => /\bcomments c\b/.test(s.query)), () => 'the first read to ask for the comments');
      const { data } = await h.gql(`{ post(slug: "other") { id version } }`, {}, { token: editor.token });
      const updated = await h.gql(
        `mutation ($id: ID!, $v: Int!) { updatePost(id: $id, version: $v, fields: { title: "Renamed" }) { __typename } }`,
        { id: data.post.id, v: data.post.version },
        { token: editor.token },
      );
      expect(updated.data.updatePost.__typename).toBe('Post');
      second = h.gql(THREAD_BY_LEVEL, { slug: 'other' });
      second.catch(() => {});
      await until(() => arrived(before) === 3, () => `${arrived(before)} of 3 reads`);
    } finally {
      await release();
      delete h.database.statements.log;
    }
    expect((await first).data.post.title).toBe('Other');
    expect((await second).data.post.title).toBe('Renamed');
    expect(h.app.inFlight.shared - before.shared).toBe(0);
  });

  it('keys a read by its document, variables and visibility: the public, or one role of one author', async () => {
    const db = h.database.db;
    const services = {
      db,
      changes: { comments: async () => {}, everything: async () => {} },
      config: loadConfig({}),
      logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      akismet: null,
      clientIp: () => '127.0.0.1',
      threadEvents: h.app.threadEvents,
      subscriptions: h.app.subscriptions,
    };
    const editor = await addWriter(db, 'editor');
    const otherEditor = await addWriter(db, 'editor');
    const contributor = await addWriter(db, 'contributor');
    const sameEditorAgain = (await createToken(db, { authorId: editor.id, role: 'editor' })).token;
    const editorAsContributor = (await createToken(db, { authorId: editor.id, role: 'contributor' })).token;
    const context = (token?: string) =>
      createContext(services, new Request('http://palaver.test/graphql', { headers: token ? { authorization: `Bearer ${token}` } : {} }), '10.0.0.1', randomUUID());
    const document = parse(`query ($slug: String!) { post(slug: $slug) { title } viewer { role author { name } } }`);
    const key = async (token?: string, variables: Record<string, unknown> = { slug: 'a' }, doc = document) =>
      h.app.inFlight.keyOf({ schema, document: doc, variableValues: variables, contextValue: await context(token) });

    expect(await key()).toBe(await key());
    expect(await key(editor.token)).toBe(await key(sameEditorAgain));
    const distinct = [
      await key(),
      await key(undefined, { slug: 'b' }),
      await key(undefined, { slug: 'a' }, parse(`query ($slug: String!) { post(slug: $slug) { slug } }`)),
      await key(editor.token),
      await key(otherEditor.token),
      await key(editorAsContributor),
      await key(contributor.token),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);

    // A comment unlocked before executing (nothing does that today) makes a read its own.
    const unlocked = await context();
    unlocked.unlockedComments.add(1);
    expect(h.app.inFlight.keyOf({ schema, document, variableValues: { slug: 'a' }, contextValue: unlocked })).toBeNull();
  });
});

/*
 * With the response cache: after an invalidation, N identical reads miss together and execute
 * once; each is still stored as the cache stores a response, so that the next read is a hit and
 * the next invalidation drops it (a result shared as one object would be stored without the
 * objects it holds, and survive it).
 */
async function invalidatedReadsExecuteOnce(h: Harness, editor: { token: string }, postId: number) {
  const query = `query ($slug: String!) { post(slug: $slug) { title commentCount comments(first: 50) { edges { node { id bodyHtml replies(first: 50) { edges { node { bodyHtml } } } } } } } }`;
  const read = () => h.gql(query, { slug: 'cached' });
  const log: { query: string; params: unknown[] }[] = [];
  h.database.statements.log = log;
  // The schedule of posts is read at most once a second, by whichever request comes: not a read's SQL.
  const readsSql = (from: number) => log.slice(from).filter((s) => !s.query.includes(`status = 'scheduled'`)).length;
  try {
    const first = await read();
    expect(readsSql(0)).toBeGreaterThan(0);
    expect((await read()).statements).toBe(0);

    const added = await h.gql(ADD, { input: { postId: encodeGlobalId('Post', postId), body: 'Fresh reply', name: 'G', email: 'fresh@example.com' } }, { ip: '10.6.0.1' });
    expect(added.data.addComment.status).toBe('APPROVED');
    const missed = log.length;
    const alone = await read();
    const oneExecution = readsSql(missed);
    expect(oneExecution).toBeGreaterThan(0);
    expect(bodies(alone)).toContain('Fresh reply');
    expect(alone.data.post.commentCount).toBe(first.data.post.commentCount + 1);

    // Again, now with 20 readers at once.
    const again = await h.gql(ADD, { input: { postId: encodeGlobalId('Post', postId), body: 'Another reply', name: 'G', email: 'another@example.com' } }, { ip: '10.6.0.2' });
    expect(again.data.addComment.status).toBe('APPROVED');
    // (A request now reads the schedule if it is due, so that none of the 20 waits for it.)
    await h.gql(`{ __typename }`);
    const before = counters(h);
    const from = log.length;
    const arrived = () => h.app.inFlight.executions + h.app.inFlight.shared - before.executions - before.shared;
    const answers = await whileHeld(h.database, times(20, () => read), () => arrived() === 20, () => `${arrived()} of 20 reads`);
    expect(h.app.inFlight.executions - before.executions).toBe(1);
    expect(readsSql(from)).toBe(oneExecution);
    for (const answer of answers) {
      expect(answer.data).toEqual(answers[0]!.data);
      expect(bodies(answer)).toContain('Another reply');
    }

    // Stored, with what it holds: a hit now, and gone when one of its comments is moderated away.
    expect((await read()).statements).toBe(0);
    const hold = await h.gql(`mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: HOLD) { __typename } }`, { ids: [again.data.addComment.comment.id] }, { token: editor.token });
    expect(hold.data.moderateComments.__typename).toBe('ModerateCommentsPayload');
    const afterHold = await read();
    expect(afterHold.statements).toBeGreaterThan(0);
    expect(bodies(afterHold)).not.toContain('Another reply');
  } finally {
    delete h.database.statements.log;
  }
}

describe('repeats answered from a plan (without the cache, over a socket)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({}, { http: true });
    await addPostWithThread(h.database.db, 'thread', 'Thread');
  });
  afterAll(() => h.close());

  it('run one statement for 20 identical requests in flight, and the next request runs afresh', async () => {
    const send = () =>
      fetch(`${h.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: THREAD, variables: { slug: 'thread' } }) }).then((r) => r.text());
    const alone = await send(); // yoga answers it and the plan is made
    const plans = h.app.plans!;
    const [served, joined, statements] = [plans.served, plans.joined, h.database.statements.count];
    const release = await holdComments(h.database);
    let answers: string[];
    try {
      const pending = Promise.all(times(20, send));
      await until(() => plans.joined - joined === 19, () => `${plans.joined - joined} of 19 requests joined`);
      release();
      answers = await pending;
    } finally {
      await release();
    }
    expect(answers.every((answer) => answer === alone)).toBe(true);
    expect(plans.served - served).toBe(20);
    expect(h.database.statements.count - statements).toBe(1);
    await send();
    expect(h.database.statements.count - statements).toBe(2);
  });
});

describe('with the response cache in memory', () => {
  let h: Harness;
  let editor: { token: string };
  let postId: number;
  beforeAll(async () => {
    h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', COMMENT_FLOOD_SECONDS: '0', TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
    editor = await addWriter(h.database.db, 'editor');
    postId = (await addPostWithThread(h.database.db, 'cached')).post;
  });
  afterAll(() => h.close());

  it('executes 20 identical reads that miss after an invalidation once, and stores them as usual', async () => {
    await invalidatedReadsExecuteOnce(h, editor, postId);
  });
});

describe('with the response cache in Redis', () => {
  // Keys under the prefix derived from this test's own database: nothing shared with other tests.
  const url = 'redis://127.0.0.1:6379';
  let redis: Redis;
  let available = false;
  let h: Harness;
  let b: ReturnType<typeof createApp>;
  let editor: { token: string };
  let postId: number;
  beforeAll(async () => {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    available = await redis.connect().then(() => true, () => false);
    if (!available) return;
    h = await createHarness({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url, COMMENT_FLOOD_SECONDS: '0', TRUSTED_PROXIES: '127.0.0.1' }, { http: true });
    // A second API process on the same database and Redis.
    b = createApp({ db: h.database.db, config: loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '300', REDIS_URL: url }), logger: createLogger('error') });
    editor = await addWriter(h.database.db, 'editor');
    postId = (await addPostWithThread(h.database.db, 'cached')).post;
  });
  afterAll(async () => {
    if (available) {
      const keys = await redis.keys(`${await redisPrefix(loadConfig({ REDIS_URL: url }), h.database.db)}*`);
      if (keys.length) await redis.del(...keys);
      await b.dispose();
      await h.close();
    }
    redis.disconnect();
  });

  it('executes 20 identical reads that miss after an invalidation once, and stores them as usual', async ({ skip }) => {
    if (!available) skip();
    await invalidatedReadsExecuteOnce(h, editor, postId);
  });

  // Another process's write reaches this one only through the cache's epoch in Redis. (On PGlite
  // the hold would stop the write as well.)
  it.skipIf(backend === 'pglite')('never lets a read join one that began before another process invalidated it', async ({ skip }) => {
    if (!available) skip();
    // Through the resolvers (the engine leaves `viewer` to them), which read the post before its comments.
    const query = `{ viewer { role } post(slug: "cached") { title comments(first: 5) { pageInfo { hasNextPage } edges { node { id } } } } }`;
    const log: { query: string; params: unknown[] }[] = [];
    h.database.statements.log = log;
    const before = counters(h);
    const release = await holdComments(h.database);
    let first: Promise<GqlResult>;
    let second: Promise<GqlResult>;
    try {
      first = h.gql(query);
      first.catch(() => {});
      await until(() => log.some((s) => /\bcomments c\b/.test(s.query)), () => 'the first read to ask for the comments');
      const onB = async (body: object, token?: string) =>
        ((await (await b.fetch('http://b/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })).json()) as any).data;
      const { post } = await onB({ query: `{ post(slug: "cached") { id version } }` }, editor.token);
      const updated = await onB({ query: `mutation ($id: ID!, $v: Int!) { updatePost(id: $id, version: $v, fields: { title: "Renamed on B" }) { __typename } }`, variables: { id: post.id, v: post.version } }, editor.token);
      expect(updated.updatePost.__typename).toBe('Post');
      second = h.gql(query);
      second.catch(() => {});
      await until(() => h.app.inFlight.executions + h.app.inFlight.shared - before.executions - before.shared === 2, () => 'the second read');
    } finally {
      await release();
      delete h.database.statements.log;
    }
    expect((await first).data.post.title).toBe('cached');
    expect((await second).data.post.title).toBe('Renamed on B');
    expect(h.app.inFlight.shared - before.shared).toBe(0);
    // And what the second read stored is what it read.
    expect((await h.gql(query)).data.post.title).toBe('Renamed on B');
  });
});
