import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { seedDemo } from '../src/domain/demo.js';
import { createLogger } from '../src/logger.js';
import { backend } from './harness.js';

/* `npm run token:create / token:list / token:revoke` against an embedded database directory. */
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'palaver-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/palaver.ts', 'token', ...args], {
    env: { ...process.env, PGLITE_DIR: dir, DATABASE_URL: '' },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

async function viewerRole(token: string) {
  const database = createDb({ pgliteDir: dir });
  const app = createApp({ db: database.db, config: loadConfig({}), logger: createLogger('error') });
  const response = await app.fetch('http://t/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { role } }' }),
  });
  const body = (await response.json()) as any;
  await database.close();
  return response.status === 401 ? 'refused' : body.data.viewer.role;
}

describe.runIf(backend === 'pglite')('token CLI', () => {
  it('creates a token shown once, lists it, and revokes it', { timeout: 240_000 }, async () => {
    const database = createDb({ pgliteDir: dir });
    await migrate(database);
    await seedDemo(database.db);
    await database.close();

    const created = await cli('create', '--author', 'chris-ladd', '--role', 'editor', '--name', 'laptop');
    expect(created.code).toBe(0);
    const token = /pal_[\w-]{43}/.exec(created.stdout)?.[0];
    expect(token).toBeDefined();
    expect(await viewerRole(token!)).toBe('EDITOR');

    const listed = await cli('list');
    expect(listed.stdout).toMatch(/^\s+1 {2}editor\s+chris-ladd\s+laptop {2}\(last used /m);
    expect(listed.stdout).not.toContain(token!);

    expect((await cli('revoke', '1')).stdout).toContain('Token 1 revoked.');
    expect(await viewerRole(token!)).toBe('refused');
    expect((await cli('list')).stdout).toMatch(/revoked/);
  });

  it('explains what is wrong', async () => {
    expect(await cli('create', '--author', 'nobody', '--role', 'editor')).toMatchObject({ code: 1, stderr: 'There is no author with slug "nobody".\n' });
    expect(await cli('create', '--author', 'chris-ladd', '--role', 'king')).toMatchObject({
      code: 2,
      stderr: 'palaver token: create needs --role, one of contributor, author, editor, admin. See palaver token --help.\n',
    });
    expect((await cli('revoke', '99')).stderr).toBe('There is no such live token.\n');
  });
});
