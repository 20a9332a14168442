import { builder } from '../builder.js';
import { countTags, listTags } from '../db/queries/tags.js';
import type { TagRow } from '../db/schema.js';
import { loadNodes, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';

export const TagRef = builder.objectRef<TagRow>('Tag');

builder.node(TagRef, {
  description: 'A topic posts are filed under; filter with `posts(tag: slug)`.',
  id: { resolve: (tag) => tag.id, parse: parseKey },
  loadManyWithoutCache: (ids, { loaders }) => loadNodes(loaders.tag, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    postCount: t.int({
      description: 'Published posts with this tag.',
      resolve: (tag, _args, { loaders }) => loaders.postCountOfTag.load(tag.id),
    }),
  }),
});

const TagConnection = builder.connectionObject({ type: TagRef, name: 'TagConnection' });

builder.queryField('tags', (t) =>
  t.connection(
    {
      type: TagRef,
      description: 'Tags of published posts (with a token: of any post you may see), by name.',
      resolve: async (_root, args, { db, access }) => {
        const page = pageFromArgs(args, 'Tag');
        return toConnection(await listTags(db, page, access.posts), page, 'Tag', () => countTags(db, access.posts));
      },
    },
    TagConnection,
  ),
);
