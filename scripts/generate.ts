import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { createDb, DatabaseInUseError, type Database } from '../src/db/client.js';
import { isEmpty, truncateAll } from '../src/db/queries/import.js';
import { migrate } from '../src/db/migrate.js';
import { defaultOptions, generate } from '../seeds/generate.js';
import { progressBar } from './progress.js';

const usage = `Usage: npm run seed:generate -- [options]

Writes a deterministic synthetic dataset into the configured database (DATABASE_URL, or the
embedded PGlite in PGLITE_DIR).

  --posts N            regular posts (default ${defaultOptions.posts})
  --comments M         comments per regular post (default ${defaultOptions.thread.comments})
  --depth D            maximum comment depth of regular posts (default ${defaultOptions.thread.maxDepth})
  --top-level T        top-level comments per regular post (default ${defaultOptions.thread.topLevel})
  --authors A          authors (default ${defaultOptions.authors})
  --deep C             also write a post with slug "deep" and C comments
  --deep-top-level T   its top-level comments (default C / 50)
  --deep-depth D       its maximum depth (default 12)
  --seed S             random seed (default ${defaultOptions.seed})
  --reset              empty the database first (required when it already has content)

On the embedded database, stop the server first: one process at a time can open it.
`;

function count(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      posts: { type: 'string' },
      comments: { type: 'string' },
      depth: { type: 'string' },
      'top-level': { type: 'string' },
      authors: { type: 'string' },
      deep: { type: 'string' },
      'deep-top-level': { type: 'string' },
      'deep-depth': { type: 'string' },
      seed: { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const comments = count('comments', args.comments, defaultOptions.thread.comments);
const deep = args.deep === undefined ? undefined : count('deep', args.deep, 0, 1);
const options = {
  seed: count('seed', args.seed, defaultOptions.seed),
  authors: count('authors', args.authors, defaultOptions.authors, 1),
  posts: count('posts', args.posts, defaultOptions.posts),
  publishedRatio: defaultOptions.publishedRatio,
  thread: {
    comments,
    topLevel: Math.min(comments, count('top-level', args['top-level'], Math.min(comments, defaultOptions.thread.topLevel), 1)),
    maxDepth: count('depth', args.depth, defaultOptions.thread.maxDepth, 1),
    moderation: true,
  },
  deep:
    deep === undefined
      ? undefined
      : {
          slug: 'deep',
          comments: deep,
          topLevel: count('deep-top-level', args['deep-top-level'], Math.max(1, Math.round(deep / 50)), 1),
          maxDepth: count('deep-depth', args['deep-depth'], 12, 1),
          moderation: false,
        },
};

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
let database: Database;
try {
  database = createDb({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.pgliteDir,
    whenInUse: 'Stop it first, then run the generator again.',
  });
} catch (error) {
  if (!(error instanceof DatabaseInUseError)) throw error;
  console.error(error.message);
  process.exit(1);
}
try {
  await migrate(database);
  if (args.reset) await truncateAll(database.db);
  else if (!(await isEmpty(database.db))) {
    console.error('The database already has content: pass --reset to replace it with generated data.');
    process.exit(1);
  }
  const started = Date.now();
  const result = await database.db.transaction((tx) => generate(tx, options, progressBar()));
  console.error(
    `Wrote ${result.authors} authors, ${result.posts} posts and ${result.comments} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  await database.close();
}
