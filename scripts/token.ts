import { authorsBySlugs } from '../src/db/queries/authors.js';
import { migrate } from '../src/db/migrate.js';
import { createToken, listTokens, revoke } from '../src/domain/authors.js';
import { DomainError } from '../src/domain/errors.js';
import { ROLES } from '../src/domain/roles.js';
import { fail, openConfiguredDatabase, parseArgsOrFail } from './cli.js';

const usage = `Usage:
  npm run token:create -- --author <slug> --role <${ROLES.join('|')}> [--name <label>]
  npm run token:list
  npm run token:revoke -- <id>

Manages API tokens in the configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR).
A new token is printed once; only its hash is stored.

On the embedded database, stop the server first: one process at a time can open it. While it
runs, manage tokens through the API as an admin instead (createToken, apiTokens, revokeToken).`;

const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgsOrFail({
  args: rest,
  allowPositionals: true,
  options: { author: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
}, usage);
if (values.help || !command || !['create', 'list', 'revoke'].includes(command)) fail(usage, values.help ? 0 : 2);
// The arguments are checked before the database is opened.
const role = values.role as (typeof ROLES)[number];
if (command === 'create' && (!values.author || !ROLES.includes(role))) fail(usage);
const id = Number(positionals[0]);
if (command === 'revoke' && (!Number.isInteger(id) || id < 1)) fail(usage);

// What to do instead while the server has the embedded database open.
const throughApi = {
  create: 'create the token through the API as an admin (the createToken mutation, e.g. in GraphiQL)',
  list: 'list the tokens through the API as an admin (the apiTokens query, e.g. in GraphiQL)',
  revoke: 'revoke the token through the API as an admin (the revokeToken mutation, e.g. in GraphiQL)',
}[command as 'create' | 'list' | 'revoke'];
const database = openConfiguredDatabase(`Stop it first, or ${throughApi}.`);
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
