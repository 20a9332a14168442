import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionCommand } from '../bench/server.js';
import { backend, createTestDatabase } from './harness.js';
import { envFor, freePort, startServer, stopServer, type ServerProcess } from './processes.js';

/*
 * The production build as the Docker image runs it: `npm run build` (into a directory of its own,
 * inside the repository so that node_modules resolves from it as from /app/dist), then the
 * compiled server and the compiled `palaver` CLI as processes, nothing through tsx. The CLI runs
 * as the image runs it: through a symlink on the PATH to dist/scripts/palaver.js (its shebang).
 * One build per backend; the PGlite project checks the embedded database and the CLI's errors,
 * the Postgres project the first token under several processes starting at once.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, '.build-test', `${backend}-${randomBytes(4).toString('hex')}`);
const palaverBin = join(outDir, 'bin', 'palaver');
const dataDir = mkdtempSync(join(tmpdir(), 'palaver-build-'));
const run = promisify(execFile);

beforeAll(async () => {
  await run('npm', ['run', 'build', '--', '--outDir', outDir], { cwd: root });
  // What the Dockerfile does: the compiled CLI made executable, linked onto the PATH.
  chmodSync(join(outDir, 'scripts', 'palaver.js'), 0o755);
  mkdirSync(join(outDir, 'bin'));
  symlinkSync(join(outDir, 'scripts', 'palaver.js'), palaverBin);
}, 600_000);
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
  // The parent too, unless another run is building in it.
  if (readdirSync(dirname(outDir)).length === 0) rmSync(dirname(outDir), { recursive: true, force: true });
});

/**
 * The compiled server as the image's CMD runs it (node's flags included) on the PGlite `dir` or,
 * with DATABASE_URL in `env`, Postgres.
 */
const startCompiled = (dir: string, env: Record<string, string>) =>
  startServer(dir, env, productionCommand().map((arg) => (arg === 'dist/src/server.js' ? join(outDir, 'src', 'server.js') : arg)));

/** `palaver …` from the build, as an operator types it. */
function palaver(env: Record<string, string>, ...args: string[]) {
  return run(palaverBin, args, { env: envFor(join(dataDir, 'pglite'), env), cwd: tmpdir() }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

async function ask(port: number, query: string, token?: string) {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return ((await response.json()) as { data: any }).data;
}

const FIRST_TOKEN = /An admin token was created for (.+), shown only this once/g;
/** The first admin tokens a server printed (the message, then the token as a header). */
const firstTokens = (server: ServerProcess) => [...server.output().matchAll(FIRST_TOKEN)].map((m) => m[1]);
const tokenIn = (text: string) => /Bearer (pal_[\w-]{43})/.exec(text)?.[1];
const VIEWER = `{ viewer { role author { name slug } } }`;

describe.runIf(backend === 'pglite')('the compiled build on the embedded database', () => {
  const dir = join(dataDir, 'pglite');
  const env = (port: number) => ({ PORT: String(port) });

  it('serves, prints the first admin token once, and palaver token create works from dist/', { timeout: 300_000 }, async () => {
    const port = await freePort();
    const servers: ServerProcess[] = [];
    try {
      await firstStartThenCli(port, servers);
    } finally {
      servers.forEach((server) => server.child.kill('SIGKILL'));
    }
  });

  async function firstStartThenCli(port: number, servers: ServerProcess[]) {
    const first = startCompiled(dir, env(port));
    servers.push(first);
    await first.ready;
    expect(first.output()).toMatch(/Seeded the demo post with 24 comments/);
    expect(firstTokens(first)).toEqual(['Chris Ladd (chris-ladd)']);
    const admin = tokenIn(first.output())!;
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    expect(await ask(port, VIEWER, admin)).toEqual({ viewer: { role: 'ADMIN', author: { name: 'Chris Ladd', slug: 'chris-ladd' } } });
    expect(await ask(port, `{ posts { totalCount } }`)).toEqual({ posts: { totalCount: 1 } });
    // PGlite is one process's database: the CLI refuses while the server runs.
    const refused = await palaver({}, 'token', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is in use by another Palaver process .*Stop it first, or list the tokens through the API/);
    expect(await stopServer(first)).toBe(0);

    const created = await palaver({}, 'token', 'create', '--author', 'chris-ladd', '--role', 'editor', '--name', 'laptop');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const editor = tokenIn(created.stdout)!;
    const listed = await palaver({}, 'token', 'list');
    expect(listed.stdout).toMatch(/^\s+1 {2}admin\s+chris-ladd\s+first start {2}\(last used /m);
    expect(listed.stdout).toMatch(/^\s+2 {2}editor\s+chris-ladd\s+laptop {2}\(last used never\)/m);

    // Never a second first token, nor a second demo.
    const second = startCompiled(dir, env(port));
    servers.push(second);
    await second.ready;
    expect(second.output()).not.toMatch(/Seeded|admin token|pal_/);
    expect(await ask(port, VIEWER, editor)).toMatchObject({ viewer: { role: 'EDITOR' } });
    expect(await ask(port, `{ posts { totalCount } }`)).toEqual({ posts: { totalCount: 1 } });
    expect(await stopServer(second)).toBe(0);
  }

  it('palaver --help lists the commands; a bad command or a bad argument is one line and a non-zero exit', async () => {
    const help = await palaver({}, '--help');
    expect(help.code).toBe(0);
    expect(help.stderr).toMatch(/^Usage: palaver <command>/);
    for (const command of ['token create', 'token list', 'token revoke', 'import wordpress|disqus', 'export wordpress', 'migrate']) {
      expect(help.stderr).toContain(`  ${command}`);
    }
    expect(await palaver({}, 'frobnicate')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'palaver: unknown command "frobnicate": token, import, export, migrate. See palaver --help.\n',
    });
    expect(await palaver({}, 'token', 'mint')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'palaver token: unknown subcommand "mint": create, list, revoke. See palaver token --help.\n',
    });
    expect((await palaver({}, 'token', '--help')).stderr).toMatch(/^Usage:\n {2}palaver token create --author <slug>/);
  });

  it('palaver import wordpress imports, sanitizing comments on its worker thread (compiled, not through tsx)', async () => {
    const fixture = join(root, 'test', 'fixtures', 'wordpress', 'site.xml');
    const result = await run(palaverBin, ['import', 'wordpress', fixture, '--json'], { env: envFor(join(dataDir, 'import')), cwd: tmpdir() });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ dryRun: false, posts: { imported: 6 }, comments: { imported: 20 } });
    expect(Object.keys(report.notes).filter((note) => note.includes('main thread'))).toEqual([]);
  });

  it('an unreachable database is one line and exit 1, not a stack trace', async () => {
    const closed = await freePort();
    const result = await palaver({ DATABASE_URL: `postgres://palaver@127.0.0.1:${closed}/palaver` }, 'token', 'list');
    expect(result).toEqual({ code: 1, stdout: '', stderr: `palaver token: connect ECONNREFUSED 127.0.0.1:${closed}\n` });
  });
});

describe.runIf(backend === 'postgres')('the compiled build on Postgres', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });
  async function database() {
    const { url, drop } = await createTestDatabase();
    drops.push(drop);
    return url;
  }
  const unusedDir = join(dataDir, 'unused');

  it('of servers starting together on an empty database, one seeds and prints the first admin token, once', { timeout: 300_000 }, async () => {
    const url = await database();
    const ports = [await freePort(), await freePort()];
    const servers = ports.map((port) => startCompiled(unusedDir, { DATABASE_URL: url, PORT: String(port) }));
    try {
      await Promise.all(servers.map((server) => server.ready));
      const printed = servers.filter((server) => firstTokens(server).length > 0);
      expect(printed).toHaveLength(1);
      expect(firstTokens(printed[0]!)).toEqual(['Chris Ladd (chris-ladd)']);
      expect(servers.map((server) => /Seeded/.test(server.output())).filter(Boolean)).toHaveLength(1);
      const admin = tokenIn(printed[0]!.output())!;
      for (const port of ports) {
        expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
        expect(await ask(port, VIEWER, admin)).toMatchObject({ viewer: { role: 'ADMIN' } });
        expect(await ask(port, `{ posts { totalCount } }`)).toEqual({ posts: { totalCount: 1 } });
      }

      // On Postgres the CLI works beside the running servers.
      const created = await palaver({ DATABASE_URL: url }, 'token', 'create', '--author', 'chris-ladd', '--role', 'editor');
      expect(created.code).toBe(0);
      expect(await ask(ports[1]!, VIEWER, tokenIn(created.stdout))).toMatchObject({ viewer: { role: 'EDITOR' } });
      expect(await Promise.all(servers.map(stopServer))).toEqual([0, 0]);

      const again = startCompiled(unusedDir, { DATABASE_URL: url, PORT: String(ports[0]) });
      servers.push(again);
      await again.ready;
      expect(again.output()).not.toMatch(/Seeded|admin token|pal_/);
      expect(await stopServer(again)).toBe(0);
    } finally {
      servers.forEach((server) => server.child.kill('SIGKILL'));
    }
  });

  it('an empty production database (palaver migrate, no demo) gets a new admin author and its token, once', { timeout: 300_000 }, async () => {
    const url = await database();
    expect(await palaver({ DATABASE_URL: url }, 'migrate')).toEqual({ code: 0, stdout: 'Migrations applied (before: not migrated).\n', stderr: '' });
    expect((await palaver({ DATABASE_URL: url }, 'migrate')).stdout).toBe('Already up to date: no migration pending.\n');
    const port = await freePort();
    // The smallest pool too: the startup lock holds a connection of its own, not the pool's only one.
    const env = { DATABASE_URL: url, PORT: String(port), SEED_DEMO: 'false', DATABASE_POOL_SIZE: '1' };
    const first = startCompiled(unusedDir, env);
    try {
      await first.ready;
      expect(firstTokens(first)).toEqual(['a new admin author, "Admin" (slug admin)']);
      expect(first.output()).toMatch(/Send it as the header {2}Authorization: Bearer pal_/); // GraphiQL is off on Postgres
      expect(await ask(port, VIEWER, tokenIn(first.output()))).toEqual({ viewer: { role: 'ADMIN', author: { name: 'Admin', slug: 'admin' } } });
      expect(await ask(port, `{ posts { totalCount } }`)).toEqual({ posts: { totalCount: 0 } });
      expect(await stopServer(first)).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
    }
    // Revoked, the first token stays the first: nothing is printed again.
    expect((await palaver({ DATABASE_URL: url }, 'token', 'revoke', '1')).stdout).toBe('Token 1 revoked.\n');
    const second = startCompiled(unusedDir, env);
    try {
      await second.ready;
      expect(second.output()).not.toMatch(/admin token|pal_/);
      expect(await stopServer(second)).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }
  });
});
