import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb, DatabaseInUseError, queryRows } from '../src/db/client.js';
import { LOCK_FILE, lockDataDir } from '../src/db/lock.js';
import { backend } from './harness.js';
import { freePort, runScript as script, startServer as start } from './processes.js';

const startServer = (dir: string, port: number) => start(dir, { PORT: String(port) });

/*
 * One process at a time on an embedded (PGlite) database directory: while the server runs, the
 * token scripts, the generator and a second server refuse at once with one line, and touch
 * nothing; a lock left by a killed process does not block the next start. Real processes on a
 * real directory. (PGlite only: a Postgres server has its own guard.)
 */
const root = mkdtempSync(join(tmpdir(), 'palaver-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function count(dir: string) {
  const database = createDb({ pgliteDir: dir });
  try {
    const [row] = await queryRows<{ posts: number; comments: number; tokens: number }>(
      database.db,
      sql`select (select count(*) from posts)::int as posts, (select count(*) from comments)::int as comments,
                 (select count(*) from api_tokens)::int as tokens`,
    );
    return row;
  } finally {
    await database.close();
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const refusal = (dir: string, pid: number, advice: string) =>
  new RegExp(
    `^The embedded database in ${escape(dir)} is in use by another Palaver process \\(pid ${pid}, "node src/server.ts", since [\\d: -]+\\)\\. ` +
      `${escape(advice)}\\n$`,
  );

describe.runIf(backend === 'pglite')('the embedded database directory is locked to one process', () => {
  it('refuses the token scripts, the generator and a second server while the server runs; they touch nothing', { timeout: 240_000 }, async () => {
    const dir = join(root, 'running');
    const port = await freePort();
    const server = startServer(dir, port);
    await server.ready;
    const pid = server.child.pid!;
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid, command: 'node src/server.ts' });

    const second = startServer(dir, await freePort());
    const [create, list, revoke, generate] = await Promise.all([
      script(dir, 'scripts/palaver.ts', 'token', 'create', '--author', 'chris-ladd', '--role', 'editor'),
      script(dir, 'scripts/palaver.ts', 'token', 'list'),
      script(dir, 'scripts/palaver.ts', 'token', 'revoke', '1'),
      // --reset would empty the database, were it let in.
      script(dir, 'scripts/generate.ts', '--posts', '1', '--comments', '1', '--authors', '1', '--reset'),
    ]);
    expect(create).toMatchObject({ code: 1, stdout: '' });
    expect(create.stderr).toMatch(
      refusal(dir, pid, 'Stop it first, or create the token through the API as an admin (the createToken mutation, e.g. in GraphiQL).'),
    );
    expect(list).toMatchObject({ code: 1, stdout: '' });
    expect(list.stderr).toMatch(refusal(dir, pid, 'Stop it first, or list the tokens through the API as an admin (the apiTokens query, e.g. in GraphiQL).'));
    expect(revoke).toMatchObject({ code: 1, stdout: '' });
    expect(revoke.stderr).toMatch(
      refusal(dir, pid, 'Stop it first, or revoke the token through the API as an admin (the revokeToken mutation, e.g. in GraphiQL).'),
    );
    expect(generate).toMatchObject({ code: 1, stdout: '' });
    expect(generate.stderr).toMatch(refusal(dir, pid, 'Stop it first, then run the generator again.'));

    // The second server says the one line and nothing else: it never got to migrate.
    await expect(second.ready).rejects.toThrow();
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(refusal(dir, pid, 'Stop it first; to run several API processes, use Postgres (DATABASE_URL).'));

    // The first server is unharmed and still holds the lock.
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ posts { totalCount } }' }),
    });
    expect(((await response.json()) as any).data.posts.totalCount).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(pid);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    // No token was added (the first start's only), nothing was emptied or generated.
    expect(await count(dir)).toEqual({ posts: 1, comments: 24, tokens: 1 });

    // With the server stopped, the script does its job.
    const created = await script(dir, 'scripts/palaver.ts', 'token', 'create', '--author', 'chris-ladd', '--role', 'editor');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/pal_[\w-]{43}/);
    expect((await count(dir))!.tokens).toBe(2);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of a killed server at the next start', { timeout: 240_000 }, async () => {
    const dir = join(root, 'killed');
    const port = await freePort();
    const killed = startServer(dir, port);
    await killed.ready;
    killed.child.kill('SIGKILL');
    await killed.exited;
    // The lock is left behind, naming a process that is gone.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(killed.child.pid);

    const next = startServer(dir, port);
    await next.ready;
    expect(next.output()).not.toMatch(/Seeded/); // the same data, found again
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(next.child.pid);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a second open in the same process, and lets it in once the first is closed', async () => {
    const dir = join(root, 'same-process');
    const first = createDb({ pgliteDir: dir });
    expect(() => createDb({ pgliteDir: dir })).toThrow(DatabaseInUseError);
    expect(() => createDb({ pgliteDir: dir, whenInUse: 'Close it first.' })).toThrow(
      new RegExp(`^The embedded database in ${escape(dir)} is already open in this process \\(pid ${process.pid}, since [\\d: -]+\\)\\. Close it first\\.$`),
    );
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await createDb({ pgliteDir: dir }).close();
  });

  it('tells a live holder from a stale lock', async () => {
    const dir = join(root, 'holders');
    mkdirSync(dir);
    const lockFile = join(dir, LOCK_FILE);
    const since = new Date().toISOString();

    // A live process (our parent) holds it: refused, and its lock is left as it was.
    const live = JSON.stringify({ pid: process.ppid, command: 'npm start', since });
    writeFileSync(lockFile, live);
    expect(() => lockDataDir(dir, 'Stop it first.')).toThrow(
      new RegExp(`^The embedded database in ${escape(dir)} is in use by another Palaver process \\(pid ${process.ppid}, "npm start", since \\d\\d:\\d\\d\\)\\. Stop it first\\.$`),
    );
    expect(readFileSync(lockFile, 'utf8')).toBe(live);

    // Stale: our own pid, which this process does not hold (a container's pid 1 after a restart);
    // an unreadable file (a crash between creating and writing it); on Linux, a pid that now
    // belongs to a process started at another time than the one that wrote the lock, and a
    // process that has exited but not been reaped yet (a zombie).
    const stale = [JSON.stringify({ pid: process.pid, command: 'npm start', since }), '', '{"pid":'];
    let parent;
    if (existsSync('/proc/self/stat')) {
      stale.push(JSON.stringify({ pid: process.ppid, command: 'npm start', since, started: '1' }));
      // `sleep 0` exits at once, and its parent (now `sleep 10`) never reaps it.
      parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
      const zombie = Number(await new Promise<string>((resolve) => parent!.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk)))));
      await expect.poll(() => readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]![0]).toBe('Z');
      stale.push(JSON.stringify({ pid: zombie, command: 'npm start', since }));
    }
    for (const text of stale) {
      writeFileSync(lockFile, text);
      const release = lockDataDir(dir);
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
      release();
      expect(existsSync(lockFile)).toBe(false);
    }

    parent?.kill();

    // Released, it leaves alone a lock that is no longer its own.
    const release = lockDataDir(dir);
    writeFileSync(lockFile, live);
    release();
    expect(readFileSync(lockFile, 'utf8')).toBe(live);
  });
});
