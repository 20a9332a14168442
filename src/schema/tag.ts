import { sql } from 'drizzle-orm';
import { builder } from '../builder.js';
import { visiblePost, visibleTag } from '../db/queries/posts.js';
import { tags as tagsTable } from '../db/schema.js';
import { sqlConnection, sqlSource, sqlValue } from '../engine/declare.js';
import { countTags, listTags } from '../db/queries/tags.js';
import { weight } from '../limits.js';
import type { TagRow } from '../db/schema.js';
import { loadNodes, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';

export const TagRef = builder.objectRef<TagRow>('Tag');

builder.node(TagRef, {
  description: 'A topic posts are filed under; filter with `posts(tag: slug)`.',
  id: { resolve: (tag) => tag.id, parse: parseKey },
  extensions: sqlSource({ table: tagsTable, alias: 't', visible: (t, { access }) => visibleTag(access.posts, t) }),
  loadManyWithoutCache: (ids, { loaders }) => loadNodes(loaders.tag, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    postCount: t.int({
      description: 'Published posts with this tag.',
      extensions: {
        ...sqlValue(
          (t, { access }) => sql`(select count(*)::int from post_tags pt join posts p on p.id = pt.post_id
                                  where pt.tag_id = ${t}.id and ${visiblePost(access.posts)})`,
        ),
        ...weight(1),
      },
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
      extensions: sqlConnection({
        where: (t, _row, { access }) => visibleTag(access.posts, t),
        key: (t) => [sql`${t}.name`, sql`${t}.id`],
        count: (_row, { access }) => sql`(select count(*)::int from tags t where ${visibleTag(access.posts)})`,
      }),
      resolve: async (_root, args, { db, access }) => {
        const page = pageFromArgs(args, 'Tag');
        return toConnection(await listTags(db, page, access.posts), page, 'Tag', () => countTags(db, access.posts));
      },
    },
    TagConnection,
  ),
);
