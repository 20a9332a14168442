import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { Context } from './context.js';
import type { Role } from './db/schema.js';
import { atLeast, canEditPost, canPublishPost } from './domain/roles.js';
import { clientError } from './errors.js';
import { maxItems } from './limits.js';
import { decodeGlobalId, encodeGlobalId } from './schema/ids.js';
import { MAX_PAGE_SIZE } from './schema/pagination.js';

// Configuration only: every type lives in its own file under src/schema/.
export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string | number };
  };
  // Who may do what, declared on fields with `authScopes` (the rules are in domain/roles.ts).
  AuthScopes: {
    authenticated: boolean;
    /** The viewer's role is at least this one. */
    role: Role;
    /** The viewer may edit the post with this id. */
    editPost: number;
    /** The viewer may publish, schedule, unpublish or archive the post with this id. */
    publishPost: number;
  };
  // Every connection can count itself, lazily: the count runs only when `totalCount` is asked.
  Connection: { totalCount: () => Promise<number> | number };
  // Fields are non-null unless declared nullable: the SDL then says what clients can rely on.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // scope-auth first, so that no other plugin's wrapper runs before authorization.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: ({ viewer, loaders }) => {
      // A post that does not exist is editable by editors, so that they learn NOT_FOUND;
      // everyone else is FORBIDDEN either way and learns nothing about it.
      const postRule = (rule: typeof canEditPost) => async (id: number) => {
        if (!viewer) return false;
        const post = await loaders.postAnyStatus.load(id);
        return post ? rule(viewer, post) : atLeast(viewer.role, 'editor');
      };
      return {
        authenticated: viewer !== null,
        role: (minimum) => viewer !== null && atLeast(viewer.role, minimum),
        editPost: postRule(canEditPost),
        publishPost: postRule(canPublishPost),
      };
    },
    unauthorizedError: (_parent, { viewer }) =>
      viewer
        ? clientError('FORBIDDEN', `Your role (${viewer.role}) does not allow this.`)
        : clientError('UNAUTHENTICATED', 'Sign in first: send an API token as "Authorization: Bearer <token>".'),
  },
  errors: {
    defaultUnionOptions: { name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Success` },
  },
  relay: {
    cursorType: 'String',
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: (globalId) => decodeGlobalId(globalId),
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // Each ID is a lookup and an object in the response: as many as a page holds.
    nodesQueryOptions: { args: { ids: { extensions: maxItems(MAX_PAGE_SIZE), description: `At most ${MAX_PAGE_SIZE}.` } } },
  },
});
