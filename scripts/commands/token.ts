import { authorsBySlugs } from '../../src/db/queries/authors.js';
import { migrate } from '../../src/db/migrate.js';
import { createToken, listTokens, revoke } from '../../src/domain/authors.js';
import { DomainError } from '../../src/domain/errors.js';
import { ROLES } from '../../src/domain/roles.js';
import { fail, openConfiguredDatabase, parseArgsOrFail, usageError } from '../cli.js';

export const usage = `Usage:
  palaver token create --author <slug> --role <${ROLES.join('|')}> [--name <label>]
  palaver token list
  palaver token revoke <id>

Manages API tokens in the configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR).
A new token is printed once; only its hash is stored. In a checkout: npm run token:create -- …,
npm run token:list, npm run token:revoke -- <id>.

On the embedded database, stop the server first: one process at a time can open it. While it
runs, manage tokens through the API as an admin instead (createToken, apiTokens, revokeToken).`;

const SUBCOMMANDS = ['create', 'list', 'revoke'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

// What to do instead while the server has the embedded database open.
const throughApi: Record<Subcommand, string> = {
  create: 'create the token through the API as an admin (the createToken mutation, e.g. in GraphiQL)',
  list: 'list the tokens through the API as an admin (the apiTokens query, e.g. in GraphiQL)',
  revoke: 'revoke the token through the API as an admin (the revokeToken mutation, e.g. in GraphiQL)',
};

/** `palaver token create|list|revoke …` */
export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgsOrFail({
    args,
    allowPositionals: true,
    options: { author: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }, 'token');
  const [command, ...rest] = positionals;
  if (values.help) fail(usage, 0);
  if (!command) usageError('token', `say what to do: ${SUBCOMMANDS.join(', ')}`);
  if (!SUBCOMMANDS.includes(command as Subcommand)) usageError('token', `unknown subcommand "${command}": ${SUBCOMMANDS.join(', ')}`);
  // The arguments are checked before the database is opened.
  const role = values.role as (typeof ROLES)[number];
  if (command === 'create' && !values.author) usageError('token', 'create needs --author <slug>');
  if (command === 'create' && !ROLES.includes(role)) usageError('token', `create needs --role, one of ${ROLES.join(', ')}`);
  const id = Number(rest[0]);
  if (command === 'revoke' && (!Number.isInteger(id) || id < 1)) usageError('token', 'revoke needs the id of a token, as palaver token list shows it');

  const database = openConfiguredDatabase(`Stop it first, or ${throughApi[command as Subcommand]}.`);
  try {
    await migrate(database);
    const db = database.db;
    if (command === 'create') {
      const [author] = await authorsBySlugs(db, [values.author!]);
      if (!author) fail(`There is no author with slug "${values.author}".`, 1);
      const created = await createToken(db, { authorId: author!.id, role, name: values.name });
      console.log(`Token ${created.apiToken.id} for ${author!.name} (${role}), shown only this once:\n\n  ${created.token}\n`);
      console.log(`Send it as the header  Authorization: Bearer ${created.token}`);
    } else if (command === 'list') {
      const tokens = await listTokens(db);
      if (tokens.length === 0) console.log('No tokens.');
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : `last used ${t.lastUsedAt?.toISOString() ?? 'never'}`;
        console.log(`${String(t.id).padStart(4)}  ${t.role.padEnd(11)} ${t.authorSlug.padEnd(20)} ${t.name}  (${state})`);
      }
    } else {
      await revoke(db, id);
      console.log(`Token ${id} revoked.`);
    }
  } catch (error) {
    if (error instanceof DomainError) fail(error.message, 1);
    throw error;
  } finally {
    await database.close();
  }
}
