import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPost } from '../seeds/demo.js';
import { createToken } from '../src/domain/authors.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { seedDemo } from '../src/domain/demo.js';
import { graphiqlTabs } from '../src/graphiql/tabs.js';
import { backend, createHarness, type Harness } from './harness.js';

/*
 * GraphiQL in a real browser (Debian's Chromium, headless, driven by playwright-core), against the
 * real app over a socket: opened fresh, every default tab runs as it opens and shows data; an
 * editor pastes a token once, where the page says, and every tab sends it; the live tab subscribes
 * to the demo post's thread over SSE and shows a reply posted meanwhile; nothing is fetched from
 * anywhere else, and the page's Content-Security-Policy blocks nothing GraphiQL needs.
 * (PGlite only: the browser does not care which database answers.)
 */

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveBrowser = existsSync(executablePath);
if (!haveBrowser) {
  console.log(
    `test/graphiql-browser.test.ts skipped: no Chromium at ${executablePath} ` +
      '(apt-get install chromium, as .ci/run does, or set CHROMIUM_PATH)',
  );
}

/** Each default tab by the name GraphiQL gives it (its first operation's), with its operations. */
const tabs = graphiqlTabs(null).map((tab) => {
  const operations = [...tab.query.matchAll(/^(?:query|mutation|subscription)\s+(\w+)/gm)].map((m) => m[1]!);
  return { name: operations[0]!, operations };
});

/** What each tab's first operation must return, beyond "data and no errors". */
const expected: Record<string, (data: any) => void> = {
  DemoPost: (data) => {
    expect(data.post.title).toBe(demoPost.title);
    expect(data.post.comments.edges.length).toBeGreaterThan(0);
  },
  Thread: (data) => expect(data.post.thread.edges.length).toBeGreaterThan(0),
  Posts: (data) => expect(data.posts.totalCount).toBeGreaterThan(0),
  Reply: (data) => expect(data.addComment.__typename).toBe('AddCommentPayload'),
  Moderation: (data) => expect(data.viewer).toEqual({ role: 'ADMIN', author: { name: 'Chris Ladd' } }),
  Draft: (data) => expect(data.createPost.__typename).toBe('Post'),
};
const editorsTabs = ['Moderation', 'Draft'];
/** The subscription's tab: it shows nothing until something happens (its own test). */
const liveTab = 'LiveThread';

// Waits on the page are long: CI runs this beside every other test file, on two cores.
const patience = { timeout: 30_000 };

/** The text of one of GraphiQL's editors (its Monaco model), by the end of its URI. */
const editorText = (page: Page, uri: 'response.json' | 'variables.json' | 'request-headers.json') =>
  page.evaluate((end) => {
    const monaco = (globalThis as any).__MONACO;
    return monaco?.editor.getModels().find((model: any) => model.uri.toString().endsWith(end))?.getValue() as string | undefined;
  }, uri);

/**
 * Whether GraphiQL has taken in the query editor's contents: it reads the operation's name from them
 * 100 ms after they change (pressing ▶ sooner after switching tabs runs the previous tab's operation
 * name against the new document: "Cannot infer operation"), and stores them at the same moment.
 */
const queryTakenIn = (page: Page) =>
  page.evaluate(() => {
    const monaco = (globalThis as any).__MONACO;
    const query = monaco?.editor.getModels().find((model: any) => model.uri.toString().endsWith('operation.graphql'))?.getValue();
    const stored = localStorage.getItem('graphiql:query');
    return stored === null || stored === query; // null: the tab GraphiQL opened with, read at once
  });

/** Pastes text into the focused element as a clipboard paste (what Ctrl-V delivers). */
const paste = (page: Page, text: string) =>
  page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);

function queryOf(body: string | null): string {
  try {
    return String(JSON.parse(body ?? '').query);
  } catch {
    return '';
  }
}

describe.runIf(haveBrowser && backend === 'pglite')('GraphiQL in Chromium', () => {
  let h: Harness;
  let token: string;
  let demoPostGid: string;
  let profile: string;
  let context: BrowserContext;
  beforeAll(async () => {
    // Both tests leave a reply from this machine's address: no flood wait between them.
    h = await createHarness({ COMMENT_FLOOD_SECONDS: '0' }, { http: true });
    const { adminId, postId } = await seedDemo(h.database.db);
    demoPostGid = encodeGlobalId('Post', postId);
    ({ token } = await createToken(h.database.db, { authorId: adminId, role: 'admin', name: 'browser test' }));
    const { chromium } = await import('playwright-core');
    profile = mkdtempSync(join(tmpdir(), 'palaver-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 900 },
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await h?.close();
  });

  it('runs every default tab as it opens, and a token pasted once serves every tab', { timeout: 180_000 }, async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    context.on('request', (request) => {
      const url = request.url();
      if (/^(https?|wss?):/.test(url) && !url.startsWith(`${h.origin}/`)) elsewhere.push(url);
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP blocked ${event.blockedURI || 'inline'} (${event.violatedDirective})`);
      });
    });

    await page.goto(`${h.origin}/graphql`);
    await page.locator('.graphiql-tab-button').first().waitFor();
    // The first tab opens with its variables in the Variables pane.
    await expect.poll(() => editorText(page, 'variables.json'), patience).toContain(demoPost.slug);
    // ▶ does nothing until every editor is there (GraphiQL mounts them once Monaco has loaded).
    await expect.poll(() => editorText(page, 'response.json'), patience).toBeDefined();

    /** Selects a tab and presses ▶ (picking the tab's first operation when it holds several). */
    async function run(name: string): Promise<{ data: any; errors?: unknown; authorization: string | undefined }> {
      const tab = tabs.find((t) => t.name === name);
      await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${name}$`) }).click();
      await expect.poll(() => page.locator('.graphiql-tab-active').textContent(), patience).toContain(name);
      await expect.poll(() => queryTakenIn(page), patience).toBe(true);
      // The next request that is not GraphiQL's own introspection.
      const posted = page.waitForRequest((r) => r.method() === 'POST' && !/^query IntrospectionQuery\b/.test(queryOf(r.postData())));
      await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
      if (tab && tab.operations.length > 1) await page.getByRole('menuitem', { name, exact: true }).click();
      const request = await posted;
      await request.response();
      await expect.poll(() => editorText(page, 'response.json'), patience).not.toBe('');
      const result = JSON.parse((await editorText(page, 'response.json'))!);
      return { ...result, authorization: request.headers().authorization };
    }

    // Anyone's tabs, as they open.
    for (const { name } of tabs.filter((t) => !editorsTabs.includes(t.name) && t.name !== liveTab)) {
      const result = await run(name);
      expect(result.errors, name).toBeUndefined();
      expected[name]!(result.data);
      expect(result.authorization).toBeUndefined();
    }

    // An editor pastes their token where the Headers pane says, once.
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    expect(await editorText(page, 'request-headers.json')).toContain('Editors: replace all of this with your token');
    await page.locator('.graphiql-editor-tool .monaco-editor:visible').click();
    await page.keyboard.press('Control+A');
    const headers = `{ "Authorization": "Bearer ${token}" }`;
    await paste(page, headers);
    await expect.poll(() => editorText(page, 'request-headers.json'), patience).toBe(headers);

    // Every tab sends it: the editors' tabs, the others, and a new one.
    for (const name of [...editorsTabs, tabs[0]!.name]) {
      const result = await run(name);
      expect(result.errors, name).toBeUndefined();
      expected[name]!(result.data);
      expect(result.authorization, name).toBe(`Bearer ${token}`);
      expect(await editorText(page, 'request-headers.json')).toBe(headers);
    }
    await page.getByRole('button', { name: 'New tab' }).click();
    await expect.poll(() => editorText(page, 'request-headers.json'), patience).toBe(headers);
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('Control+A');
    await paste(page, 'query Me { viewer { role } }');
    const me = await run('Me');
    expect(me).toEqual({ data: { viewer: { role: 'ADMIN' } }, authorization: `Bearer ${token}` });

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
  it("subscribes to the demo post's thread from its tab, and shows a reply posted meanwhile", { timeout: 180_000 }, async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    // A first visit: the default tabs, whatever another test stored.
    await page.goto(`${h.origin}/graphql`);
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await page.locator('.graphiql-tab-button').first().waitFor();
    await expect.poll(() => editorText(page, 'response.json'), patience).toBeDefined();

    await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${liveTab}$`) }).click();
    await expect.poll(() => page.locator('.graphiql-tab-active').textContent(), patience).toContain(liveTab);
    await expect.poll(() => queryTakenIn(page), patience).toBe(true);
    // The page was rendered with the demo post's ID.
    expect(JSON.parse((await editorText(page, 'variables.json'))!)).toEqual({ postId: demoPostGid });

    // GraphiQL shows the latest event only: every content the result pane takes is recorded.
    await page.evaluate(() => {
      const monaco = (globalThis as any).__MONACO;
      const model = monaco.editor.getModels().find((m: any) => m.uri.toString().endsWith('response.json'));
      const shown: string[] = ((globalThis as any).__shown = []);
      model.onDidChangeContent(() => shown.push(model.getValue()));
    });
    const shown = () => page.evaluate(() => ((globalThis as any).__shown as string[]).filter(Boolean).map((text) => JSON.parse(text)));

    const before = await h.gql(`query ($slug: String!) { post(slug: $slug) { commentCount } }`, { slug: demoPost.slug });
    const streamed = page.waitForRequest((r) => r.headers().accept === 'text/event-stream');
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    const request = await streamed;
    // yoga's fetcher, over SSE: a GET of the endpoint, answered with an event stream.
    expect(request.method()).toBe('GET');
    expect(new URL(request.url()).pathname).toBe('/graphql');
    expect((await request.response())!.headers()['content-type']).toMatch(/^text\/event-stream/);
    await expect.poll(() => h.app.subscriptions.open, patience).toBe(1);

    // Someone replies (over HTTP, as another window would).
    const reply = await h.gql(
      `mutation ($input: AddCommentInput!) { addComment(input: $input) { __typename ... on AddCommentPayload { status comment { id } } } }`,
      { input: { postId: demoPostGid, body: 'Watching this *live*.', name: 'Watcher', email: 'watcher@example.com' } },
    );
    expect(reply.data.addComment).toMatchObject({ __typename: 'AddCommentPayload', status: 'APPROVED' });
    const id = reply.data.addComment.comment.id as string;
    await expect.poll(shown, patience).toContainEqual({
      data: {
        threadEvents: expect.objectContaining({
          __typename: 'CommentAdded',
          isPublic: true,
          comment: expect.objectContaining({ id, depth: 1, author: { name: 'Watcher' }, bodyHtml: '<p>Watching this <em>live</em>.</p>\n', parent: null }),
        }),
      },
    });
    // What stays in the pane: the new counts, the reply first among the latest comments.
    await expect.poll(async () => JSON.parse((await editorText(page, 'response.json')) || '{}').data?.threadEvents?.__typename, patience).toBe('ThreadCounts');
    const counts = JSON.parse((await editorText(page, 'response.json'))!).data.threadEvents;
    expect(counts.commentCount).toBe(before.data.post.commentCount + 1);
    expect(counts.post.thread.edges[0].node).toMatchObject({ id, author: { name: 'Watcher' } });

    // Pressing the button again stops the subscription: the server lets the stream go.
    await page.getByRole('button', { name: /^(Stop|Execute) query/ }).click();
    await expect.poll(() => h.app.subscriptions.open, patience).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
