import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { ConfigError, loadConfig } from '../src/config.js';
import { createDb, DatabaseInUseError, type Database } from '../src/db/client.js';

/*
 * What the command-line scripts share: how they fail, and how they open the configured database
 * (DATABASE_URL, or the embedded PGlite, which one process at a time may open).
 */

/** Prints `message` on stderr and exits: 2 for usage errors, 1 for the rest. */
export const fail = (message: string, code = 2): never => {
  console.error(message);
  process.exit(code);
};

/** A command used wrongly: one line saying what is wrong and where the usage is, exit 2. */
export const usageError = (command: string, problem: string): never =>
  fail(`palaver ${command}: ${problem}. See palaver ${command} --help.`);

/** The command line parsed as `config` says, or a usage error with the parser's complaint. */
export function parseArgsOrFail<T extends ParseArgsConfig>(config: T, command: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return usageError(command, (error as Error).message);
  }
}

/**
 * The configured database, or exit 1 with why not: a bad configuration, or the embedded database
 * open in another process (`whenInUse` says what to do instead).
 */
export function openConfiguredDatabase(whenInUse: string): Database {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    return fail(error instanceof ConfigError ? error.message : String(error), 1);
  }
  try {
    return createDb({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, whenInUse });
  } catch (error) {
    if (error instanceof DatabaseInUseError) return fail(error.message, 1);
    throw error;
  }
}

/**
 * An unexpected error in one line: what went wrong underneath drizzle's "Failed query: <the SQL>"
 * wrapper, and what a network error says (Node's AggregateError for a refused connection has an
 * empty message and one error per address tried).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof DrizzleQueryError && error.cause) return describeError(error.cause);
  if (error instanceof AggregateError && error.errors.length > 0) return [...new Set(error.errors.map(describeError))].join('; ');
  const message = error.message || (error as NodeJS.ErrnoException).code || error.name;
  return message.replace(/\s*\n\s*/g, ' ');
}
