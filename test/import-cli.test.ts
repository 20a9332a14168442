import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/db/client.js';
import { MAX_XML_DEPTH } from '../src/domain/import/xml-stream.js';
import { deepDisqus, deepWxr, firstTooDeep } from './deep-xml.js';
import { countRows } from './fixtures.js';
import { backend } from './harness.js';

/* `npm run import:wordpress` as a process, against an embedded database directory. */
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'palaver-import-'));
const files = mkdtempSync(join(tmpdir(), 'palaver-import-files-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/palaver.ts', 'import', ...args], { env: { ...process.env, PGLITE_DIR: dir, DATABASE_URL: '' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

async function posts() {
  return (await rows()).posts;
}

async function rows() {
  const database = createDb({ pgliteDir: dir });
  try {
    return { posts: await countRows(database.db, 'posts'), comments: await countRows(database.db, 'comments') };
  } finally {
    await database.close();
  }
}

describe.runIf(backend === 'pglite')('import CLI', () => {
  it('--dry-run prints the report with progress and writes nothing', async () => {
    const result = await cli('wordpress', 'test/fixtures/wordpress/site.xml', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/reading.*37\/37/);
    expect(result.stdout).toMatch(/^Dry run: nothing was written/);
    expect(result.stdout).toMatch(/posts\s+6 imported, 0 updated, 0 unchanged/);
    expect(result.stdout).toMatch(/1 skipped: pingback/);
    expect(await posts()).toBe(0);
  });

  it('stops at a malformed file with file:line:column, importing nothing', async () => {
    const result = await cli('wordpress', 'test/fixtures/wordpress/malformed.xml');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(
      'Malformed XML: test/fixtures/wordpress/malformed.xml:90:47: unexpected close tag.\nNothing was imported: the database is as it was.\n',
    );
    expect(await posts()).toBe(0);
  });

  it('refuses a document nested too deep, WordPress or Disqus, with file:line:column, importing nothing', async () => {
    for (const [source, doc] of [['wordpress', deepWxr], ['disqus', deepDisqus]] as const) {
      const file = join(files, `deep-${source}.xml`);
      doc.write(file, 100_000);
      const result = await cli(source, file);
      const { depth, position } = firstTooDeep(doc, MAX_XML_DEPTH);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toContain(
        `Refused XML: ${file}:${position}: <x> is nested ${depth} elements deep, past the limit of ${MAX_XML_DEPTH} (an export nests a handful).\n` +
          'Nothing was imported: the database is as it was.\n',
      );
      expect(await rows()).toEqual({ posts: 0, comments: 0 });
    }
  });

  it('refuses while another process has the embedded database open', async () => {
    const holder = createDb({ pgliteDir: dir });
    try {
      const result = await cli('wordpress', 'test/fixtures/wordpress/site.xml');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/is in use by another Palaver process.*Stop it first, then import\./);
    } finally {
      await holder.close();
    }
  });
});
