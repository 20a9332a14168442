import { builder } from '../builder.js';
import { resolversOnly } from '../engine/declare.js';
import type { Viewer } from '../domain/roles.js';
import { AuthorRef, Role } from './author.js';

/** Who is calling, as the API token in the Authorization header says. */
const ViewerRef = builder.objectRef<Viewer>('Viewer');

ViewerRef.implement({
  fields: (t) => ({
    author: t.field({ type: AuthorRef, resolve: (viewer) => viewer.author }),
    role: t.field({ type: Role, description: "The token's role (which may be below the author's).", resolve: (viewer) => viewer.role }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description: 'The token holder making the request; null without a token.',
    extensions: resolversOnly('the viewer is the request\'s token, not a row the request reads'),
    resolve: (_root, _args, { viewer }) => viewer,
  }),
);
