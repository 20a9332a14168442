import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/** The command line parsed as `config` says, or exit 2 with the parser's complaint and `usage`. */
export function parseArgsOrFail<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${usage}`);
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
