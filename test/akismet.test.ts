import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId, keyOf } from '../src/schema/ids.js';
import { addAuthor, addPost, addWriter, age } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The Akismet adapter against a small HTTP server on 127.0.0.1 speaking Akismet's protocol:
 * comment-check says "true" for spam and "false" for ham; submit-spam and submit-ham thank.
 * The server records what it was sent; it can also be slow, or answer nonsense.
 */
type Call = { path: string; params: URLSearchParams };
const calls: Call[] = [];
let mode: 'normal' | 'slow' | 'broken' = 'normal';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const params = new URLSearchParams(body);
      calls.push({ path: req.url!, params });
      if (params.get('api_key') !== 'test-key') {
        res.writeHead(200, { 'x-akismet-debug-help': 'We were unable to parse your API key.' }).end('invalid');
        return;
      }
      if (req.url === '/1.1/comment-check') {
        if (mode === 'slow') await sleep(1500);
        if (mode === 'broken') return void res.writeHead(500).end('oops');
        const content = params.get('comment_content') ?? '';
        if (content.includes('viagra-test-123')) {
          res.writeHead(200, content.includes('blatant') ? { 'x-akismet-pro-tip': 'discard' } : {}).end('true');
        } else res.writeHead(200).end('false');
      } else res.writeHead(200).end('Thanks for making the web a better place.');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

let h: Harness;
let editor: string;
let postId: string;
beforeAll(async () => {
  h = await createHarness({ AKISMET_API_KEY: 'test-key', AKISMET_SITE_URL: 'https://blog.example', AKISMET_URL: url, AKISMET_TIMEOUT_MS: '500' });
  editor = (await addWriter(h.database.db, 'editor')).token;
  postId = encodeGlobalId('Post', await addPost(h.database.db, { authorId: await addAuthor(h.database.db) }));
});
afterAll(() => h.close());

let n = 0;
async function add(body: string, parentId?: string) {
  const ip = `192.0.2.${++n}`;
  const { data } = await h.gql(
    `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status guestToken comment { id } } } }`,
    { input: { postId, parentId, body, name: `Reader ${n}`, email: `r${n}@example.com`, url: 'https://reader.example' } },
    { ip, headers: { 'user-agent': 'TestBrowser/1.0', referer: 'https://blog.example/post' } },
  );
  return data.addComment as { status: string; guestToken: string; comment: { id: string } };
}
/** The guest edits their comment, from another address, once flood control allows it. */
async function edit(comment: { guestToken: string; comment: { id: string } }, body: string, ip: string) {
  await age(h.database.db, keyOf(comment.comment.id, 'Comment'), 20);
  const { data } = await h.gql(
    `mutation ($id: ID!, $token: String!, $body: String!) { editOwnComment(id: $id, guestToken: $token, body: $body) {
      __typename ... on OwnComment { status } } }`,
    { id: comment.comment.id, token: comment.guestToken, body },
    { ip, headers: { 'user-agent': 'EditingBrowser/2.0' } },
  );
  return data.editOwnComment as { __typename: string; status: string };
}
const statusOf = async (id: string) =>
  (await h.gql(`query ($id: ID!) { comment(id: $id) { status heldReason } }`, { id }, { token: editor })).data.comment;

describe('Akismet', () => {
  it('sends comment-check what Akismet asks for, and approves ham', async () => {
    calls.length = 0;
    const parent = await add('A perfectly fine comment.');
    const reply = await add('And a fine reply.', parent.comment.id);
    expect([parent.status, reply.status]).toEqual(['APPROVED', 'APPROVED']);
    expect(calls.map((c) => c.path)).toEqual(['/1.1/comment-check', '/1.1/comment-check']);
    expect(Object.fromEntries(calls[1]!.params)).toMatchObject({
      api_key: 'test-key',
      blog: 'https://blog.example',
      user_ip: `192.0.2.${n}`,
      user_agent: 'TestBrowser/1.0',
      referrer: 'https://blog.example/post',
      comment_type: 'reply',
      comment_author: `Reader ${n}`,
      comment_author_email: `r${n}@example.com`,
      comment_author_url: 'https://reader.example/',
      comment_content: 'And a fine reply.',
    });
    expect(calls[0]!.params.get('comment_type')).toBe('comment');
  });

  it('marks what Akismet calls spam (or tells us to discard) as spam, shown as pending', async () => {
    const spam = await add('Buy viagra-test-123 now');
    expect(spam.status).toBe('PENDING');
    expect(await statusOf(spam.comment.id)).toEqual({ status: 'SPAM', heldReason: 'akismet' });
    const blatant = await add('blatant viagra-test-123');
    expect(await statusOf(blatant.comment.id)).toMatchObject({ status: 'SPAM' });
  });

  it('skips Akismet for comments the local checks already call spam', async () => {
    calls.length = 0;
    const { data } = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status } } }`,
      { input: { postId, body: 'hi', name: 'Bot', email: 'bot@example.com', honeypot: 'filled' } },
      { ip: '192.0.2.250' },
    );
    expect(data.addComment.status).toBe('PENDING');
    expect(calls).toEqual([]);
  });

  it.each(['slow', 'broken'] as const)('holds the comment when Akismet is %s: never lost, never approved', async (how) => {
    mode = how;
    try {
      const held = await add(`Fine words while Akismet is ${how}.`);
      expect(held.status).toBe('PENDING');
      expect(await statusOf(held.comment.id)).toEqual({ status: 'PENDING', heldReason: 'akismet unavailable' });
    } finally {
      mode = 'normal';
    }
  });

  it('holds the comment when Akismet cannot be reached at all', async () => {
    const offline = await createHarness({ AKISMET_API_KEY: 'test-key', AKISMET_SITE_URL: 'https://blog.example', AKISMET_URL: 'http://127.0.0.1:9', AKISMET_TIMEOUT_MS: '500' });
    const post = encodeGlobalId('Post', await addPost(offline.database.db, { authorId: await addAuthor(offline.database.db) }));
    const { data } = await offline.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { ... on AddCommentPayload { status } } }`,
      { input: { postId: post, body: 'Hello', name: 'A', email: 'a@example.com' } },
    );
    expect(data.addComment.status).toBe('PENDING');
    expect(offline.logs.some((entry) => entry.level === 'warn' && String(entry.args[0]).includes('Akismet comment-check failed'))).toBe(true);
    await offline.close();
  });

  it('checks an edit with its new words (recheck_reason=edit): spam leaves the public tree, and approving it is submit-ham', async () => {
    const ham = await add('An innocent remark.');
    expect(ham.status).toBe('APPROVED');
    calls.length = 0;
    expect(await edit(ham, 'Now selling viagra-test-123', '192.0.2.240')).toEqual({ __typename: 'OwnComment', status: 'PENDING' });
    expect(calls.map((c) => c.path)).toEqual(['/1.1/comment-check']);
    expect(Object.fromEntries(calls[0]!.params)).toMatchObject({
      comment_content: 'Now selling viagra-test-123',
      recheck_reason: 'edit',
      user_ip: '192.0.2.240',
      user_agent: 'EditingBrowser/2.0',
      comment_author: `Reader ${n}`,
      comment_author_email: `r${n}@example.com`,
    });
    expect(await statusOf(ham.comment.id)).toEqual({ status: 'SPAM', heldReason: 'akismet' });
    const publicView = await h.gql(`query ($id: ID!) { comment(id: $id) { id } }`, { id: ham.comment.id });
    expect(publicView.data.comment).toBeNull();

    calls.length = 0;
    await h.gql(`mutation ($ids: [ID!]!) { moderateComments(ids: $ids, action: APPROVE) { __typename } }`, { ids: [ham.comment.id] }, { token: editor });
    expect(calls.map((c) => [c.path, c.params.get('comment_content')])).toEqual([['/1.1/submit-ham', 'Now selling viagra-test-123']]);
  });

  it('holds an edit when Akismet is unavailable', async () => {
    const posted = await add('Fine words.');
    mode = 'broken';
    try {
      expect(await edit(posted, 'Other fine words.', '192.0.2.241')).toEqual({ __typename: 'OwnComment', status: 'PENDING' });
      expect(await statusOf(posted.comment.id)).toEqual({ status: 'PENDING', heldReason: 'akismet unavailable' });
    } finally {
      mode = 'normal';
    }
  });

  it('tells Akismet when a moderator overrules it: submit-ham on approving spam, submit-spam on marking ham', async () => {
    const spam = await add('More viagra-test-123');
    const ham = await add('An honest opinion, wrongly approved.');
    calls.length = 0;
    const moderate = (ids: string[], action: string) =>
      h.gql(`mutation ($ids: [ID!]!, $action: ModerationAction!) { moderateComments(ids: $ids, action: $action) { __typename } }`, { ids, action }, { token: editor });
    await moderate([spam.comment.id], 'APPROVE');
    await moderate([ham.comment.id], 'SPAM');
    expect(calls.map((c) => [c.path, c.params.get('comment_content')])).toEqual([
      ['/1.1/submit-ham', 'More viagra-test-123'],
      ['/1.1/submit-spam', 'An honest opinion, wrongly approved.'],
    ]);
    expect(calls[0]!.params.get('user_ip')).toMatch(/^192\.0\.2\./);
    // Holding or trashing is no verdict on spam: Akismet hears nothing.
    calls.length = 0;
    await moderate([ham.comment.id], 'HOLD');
    expect(calls).toEqual([]);
  });
});
