/*
 * The benchmarks' dataset (bench/README.md): generated into the Postgres server at BENCH_URL once,
 * reused while it has the expected shape, with a post where the benchmarks leave their comments.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql as sqlTag } from 'drizzle-orm';
import postgres from 'postgres';
import { generate } from '../seeds/generate.js';
import { createDb, queryRows } from '../src/db/client.js';
import { analyze, insertPosts, truncateAll } from '../src/db/queries/import.js';
import { migrate } from '../src/db/migrate.js';
import { renderPostMarkdown } from '../src/domain/markdown.js';
import { ensureDatabase } from './database.js';
import { BENCH_URL } from './settings.js';

const log = (message: string) => process.stderr.write(`${message}\n`);

/** The post where the benchmarks leave the comments they write (removed after each run). */
export const INBOX = 'bench-inbox';
// Bumped whenever the generator or DATASET changes, so that an older dataset is regenerated.
const DATASET_VERSION = 'dataset v2';

export const DATASET = {
  seed: 42,
  authors: 50,
  posts: 1000,
  publishedRatio: 0.9,
  thread: { comments: 20, topLevel: 8, maxDepth: 3, moderation: true },
  deep: { slug: 'deep', comments: 10_000, topLevel: 200, maxDepth: 12, moderation: false },
};

/** Makes sure the dataset is in the database at BENCH_URL (generated once, reused after); a client on it. */
export async function ensureDataset() {
  await ensureDatabase(BENCH_URL);
  const database = createDb({ databaseUrl: BENCH_URL });
  await migrate(database);
  const sql = postgres(BENCH_URL, { max: 1, onnotice: () => {} });
  const [shape] = await sql`select
      -- The generated authors: the API's first start adds one for its first admin token.
      (select count(*)::int from authors where slug like 'gen-author-%') as authors,
      -- A draft bench:hostile keeps for its requests (test/hostile/corpus.ts) is not the dataset's.
      (select count(*)::int from posts where slug <> 'hostile-draft') as posts,
      (select count(*)::int from comments c join posts p on p.id = c.post_id where p.slug = 'deep') as deep,
      (select excerpt from posts where slug = ${INBOX}) as version`;
  const expected = { authors: DATASET.authors, posts: DATASET.posts + 2, deep: DATASET.deep.comments, version: DATASET_VERSION };
  if (isDeepStrictEqual({ ...shape }, expected)) {
    log('Dataset: reusing the one in the database');
  } else {
    log(`Dataset: generating into ${new URL(BENCH_URL).host}${new URL(BENCH_URL).pathname}`);
    await truncateAll(database.db);
    await database.db.transaction(async (tx) => {
      const result = await generate(tx, DATASET, progress);
      const [author] = await queryRows<{ id: number }>(tx, sqlTag`select id from authors order by id limit 1`);
      await insertPosts(tx, [
        {
          slug: INBOX,
          title: 'Where the benchmark leaves its comments',
          excerpt: DATASET_VERSION,
          bodyMarkdown: 'Comments written by `npm run bench` land here and are removed after each run.',
          bodyHtml: renderPostMarkdown('Comments written by `npm run bench` land here and are removed after each run.'),
          authorId: author!.id,
          status: 'published',
          publishedAt: new Date('2000-01-01'),
        },
      ]);
      return result;
    });
    await analyze(database.db);
  }
  await database.close();
  return sql;
}

let lastLine = '';
function progress(phase: string, done: number, total: number) {
  const line = `${phase}: ${Math.floor((done / Math.max(total, 1)) * 100)}%`;
  if (line !== lastLine) process.stderr.write(`\r${line.padEnd(30)}${done >= total ? '\n' : ''}`);
  lastLine = line;
}

