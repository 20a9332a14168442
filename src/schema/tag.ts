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
      description: 'All tags, by name.',
      resolve: async (_root, args, { db }) => {
        const page = pageFromArgs(args, 'Tag');
        return toConnection(await listTags(db, page), page, 'Tag', () => countTags(db));
      },
    },
    TagConnection,
  ),
);
