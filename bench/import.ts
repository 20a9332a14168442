import { execFile, execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDb } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { truncateAll } from '../src/db/queries/import.js';
import { ensureDatabase } from './database.js';
import { writeSyntheticWxr } from './wxr.js';

/*
 * `npm run bench:import`: imports a generated 100,000-comment WXR file (1,000 posts of 100
 * comments, bench/wxr.ts) into an emptied Postgres database, as a process, twice: with the built
 * CLI as the production image runs it (`palaver import wordpress`, node on dist/), and with
 * `npm run import:wordpress` as a checkout runs it (through tsx). Reports comments per second and
 * the importer's peak RSS (from its own report). Targets: ≥ 5,000 comments/s, peak RSS ≤ 300 MB.
 */
const url = process.env.BENCH_IMPORT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/palaver_imp';
const file = join(tmpdir(), 'palaver-bench-100k.xml');

if (!existsSync(file)) {
  console.error(`Writing ${file}…`);
  await writeSyntheticWxr(file, { posts: 1000, comments: 100 });
}
await ensureDatabase(url);
console.error('Building (npm run build)');
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });

const run = promisify(execFile);
const ways: [string, string[]][] = [
  ['palaver import wordpress (built, as the image runs it)', ['dist/scripts/palaver.js']],
  ['npm run import:wordpress (tsx, as a checkout runs it)', ['--import', 'tsx', 'scripts/palaver.ts']],
];
console.log(`| command | file | comments | import (s) | comments/s | peak RSS (MB) | process wall time (s) |`);
console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: |`);
for (const [name, command] of ways) {
  const database = createDb({ databaseUrl: url, poolSize: 1 });
  await migrate(database);
  await truncateAll(database.db);
  await database.close();
  const started = performance.now();
  const { stdout } = await run(process.execPath, [...command, 'import', 'wordpress', file, '--json'], {
    env: { ...process.env, DATABASE_URL: url },
    maxBuffer: 16 * 1024 * 1024,
  });
  const wall = (performance.now() - started) / 1000;
  const report = JSON.parse(stdout) as { comments: { imported: number }; seconds: number; peakRssMb: number };
  const rate = Math.round(report.comments.imported / report.seconds);
  console.log(
    `| ${name} | ${(statSync(file).size / 1e6).toFixed(1)} MB | ${report.comments.imported} | ${report.seconds.toFixed(1)} | ${rate} | ${report.peakRssMb} | ${wall.toFixed(1)} |`,
  );
}
