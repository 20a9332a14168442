import { builder } from '../builder.js';
import { maxLength } from '../limits.js';
import { resolversOnly } from '../engine/declare.js';
import type { ApiTokenRow } from '../db/schema.js';
import { createToken, listTokens, revoke } from '../domain/authors.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { AuthorRef, Role } from './author.js';
import { encodeGlobalId, inputKey } from './ids.js';

/**
 * An API token as admins see it: never the token itself, which is shown once, at creation.
 * Not a Node on purpose: `node(id)` must not become a way around the admin-only rule.
 */
const ApiTokenRef = builder.objectRef<ApiTokenRow>('ApiToken');

ApiTokenRef.implement({
  authScopes: { role: 'admin' },
  fields: (t) => ({
    id: t.id({ resolve: (token) => encodeGlobalId('ApiToken', token.id) }),
    name: t.exposeString('name'),
    role: t.field({ type: Role, resolve: (token) => token.role }),
    author: t.field({ type: AuthorRef, resolve: async (token, _args, { loaders }) => (await loaders.author.load(token.authorId))! }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateTokenPayload = builder.objectRef<Awaited<ReturnType<typeof createToken>>>('CreateTokenPayload');
CreateTokenPayload.implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Shown this once: send it as "Authorization: Bearer <token>".' }),
    apiToken: t.field({ type: ApiTokenRef, resolve: ({ apiToken }) => apiToken }),
  }),
});

/** The most tokens `apiTokens` lists, so that its length is a bound (src/limits.ts). */
const MAX_TOKENS_SHOWN = 1000;

builder.queryField('apiTokens', (t) =>
  t.field({
    type: [ApiTokenRef],
    description: `Admins: the API tokens, live and revoked, oldest first: the first ${MAX_TOKENS_SHOWN} (\`palaver token list\` lists all).`,
    extensions: { ...resolversOnly('admins only, and rare'), ...maxLength(MAX_TOKENS_SHOWN) },
    authScopes: { role: 'admin' },
    resolve: (_root, _args, { db }) => listTokens(db, MAX_TOKENS_SHOWN),
  }),
);

builder.mutationFields((t) => ({
  createToken: t.field({
    type: CreateTokenPayload,
    description: 'Admins: a new API token acting as an author with a role.',
    args: { authorId: t.arg.id({ required: true }), role: t.arg({ type: Role, required: true }), name: t.arg.string() },
    errors: { types: [ValidationError], directResult: true },
    authScopes: { role: 'admin' },
    resolve: (_root, args, { db }) =>
      createToken(db, { authorId: inputKey(args.authorId, 'Author', 'authorId'), role: args.role, name: args.name }),
  }),
  revokeToken: t.field({
    type: ApiTokenRef,
    description: 'Admins: the token stops working at once.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [ValidationError, NotFoundError], directResult: true },
    authScopes: { role: 'admin' },
    resolve: (_root, args, { db }) => revoke(db, inputKey(args.id, 'ApiToken', 'id')),
  }),
}));
