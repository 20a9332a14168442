#!/usr/bin/env node
import { describeError, fail } from './cli.js';

/*
 * `palaver`: the operator's command line, one entry for the production image (dist/scripts/palaver.js,
 * the package's bin) and for development (npm run palaver -- …, or the npm scripts that name its
 * commands). Each command is loaded only when asked for.
 */

const usage = `Usage: palaver <command> [options]

Commands, on the configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR):
  token create --author <slug> --role <role> [--name <label>]
                                  create an API token (printed once; only its hash is kept)
  token list                      list the API tokens (never the tokens themselves)
  token revoke <id>               revoke a token
  import wordpress|disqus FILE    import a WordPress (WXR) or Disqus export
  export wordpress FILE           write everything as a WordPress export (WXR 1.2)
  migrate                         apply pending migrations (the server also does at start)

palaver <command> --help tells more. On the embedded database, stop the server first: one process
at a time can open it. In a checkout, run it as npm run palaver -- <command>.`;

const commands: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  token: () => import('./commands/token.js'),
  import: () => import('./commands/import.js'),
  export: () => import('./commands/export.js'),
  migrate: () => import('./commands/migrate.js'),
};

const [name, ...args] = process.argv.slice(2);
if (name === undefined || name === '--help' || name === '-h' || name === 'help') fail(usage, name === undefined ? 2 : 0);
const load = Object.hasOwn(commands, name!) ? commands[name!]! : null;
if (!load) fail(`palaver: unknown command "${name}": ${Object.keys(commands).join(', ')}. See palaver --help.`);
try {
  await (await load!()).run(args);
} catch (error) {
  // Expected failures exit inside the commands with their own line; this is anything else.
  fail(`palaver ${name}: ${describeError(error)}`, 1);
}
