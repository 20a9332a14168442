import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/*
 * What the read benchmarks share (`npm run bench`, `npm run bench:http-floor`): their database,
 * their rounds and connections, how a floor statement is loaded with pgbench and how rounds are
 * summed up, so that the ratios they print stay comparable.
 */

export const BENCH_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/palaver_bench';
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** The post of the post pages. */
export const POST_SLUG = 'gen-post-500';
/** Connections of every load, the API's (autocannon) and the floor's (pgbench) alike. */
export const CONNECTIONS = 10;

/**
 * Runs a floor statement with pgbench (prepared, after the meta-commands of `setup`, which set its
 * variables) on CONNECTIONS clients for `seconds`, or `transactions` once on one connection (a
 * check that pgbench takes the script), and returns its tps.
 */
export async function pgbench(statement: string, length: { seconds: number } | { transactions: number }, setup?: string): Promise<number> {
  const file = join(tmpdir(), `palaver-floor-${process.pid}.sql`);
  // pgbench reads a statement up to the end of its line.
  writeFileSync(file, `${setup ? `${setup}\n` : ''}${statement.replace(/\s+/g, ' ').trim()};\n`);
  const load =
    'seconds' in length
      ? ['-c', String(CONNECTIONS), '-j', '2', '-T', String(length.seconds)]
      : ['-c', '1', '-t', String(length.transactions)];
  const { stdout } = await promisify(execFile)('pgbench', ['-n', '-M', 'prepared', ...load, '-f', file, BENCH_URL], {
    maxBuffer: 1 << 24,
  });
  const tps = /tps = ([\d.]+)/.exec(stdout);
  if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
  return Number(tps[1]);
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
