import { builder } from '../builder.js';
import { countPosts, listPosts, type PostFilter, type PostRecord } from '../db/queries/posts.js';
import { badInput } from '../errors.js';
import { AuthorRef } from './author.js';
import { CommentConnection, CommentRef } from './comment.js';
import { keyOf, oneOf, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';
import { isDescending, SortOrder } from './sort-order.js';
import { TagRef } from './tag.js';

export const PostRef = builder.objectRef<PostRecord>('Post');

const MAX_SEARCH_LENGTH = 200;

builder.node(PostRef, {
  description: 'A published article.',
  id: { resolve: (post) => post.id, parse: parseKey },
  loadMany: (ids, { loaders }) => ids.map((id) => loaders.post.load(id)),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    title: t.exposeString('title'),
    excerpt: t.exposeString('excerpt'),
    bodyHtml: t.exposeString('bodyHtml', { description: 'The body rendered from Markdown and sanitized.' }),
    bodyMarkdown: t.exposeString('bodyMarkdown'),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    commentsOpen: t.exposeBoolean('commentsOpen', { description: 'Whether readers may reply.' }),
    commentCount: t.exposeInt('commentCount', { description: 'Visible comments at every depth.' }),
    author: t.field({
      type: AuthorRef,
      resolve: async (post, _args, { loaders }) => (await loaders.author.load(post.authorId))!,
    }),
    tags: t.field({
      type: [TagRef],
      resolve: (post, _args, { loaders }) => loaders.tagsOfPost.load(post.id),
    }),
    comments: t.connection(
      {
        type: CommentRef,
        description: 'Top-level comments; follow `replies` for the rest of each conversation.',
        args: { order: t.arg({ type: SortOrder, required: true, defaultValue: 'OLDEST_FIRST' }) },
        resolve: async (post, args, { loaders }) => {
          const page = pageFromArgs(args, 'Comment', isDescending(args.order));
          const result = await loaders.commentsOfPost.load({ id: post.id, page });
          return toConnection(result, page, 'Comment', () => loaders.topLevelCountOfPost.load(post.id));
        },
      },
      CommentConnection,
    ),
    thread: t.connection(
      {
        type: CommentRef,
        description:
          'The whole discussion flattened in reading order (depth-first, oldest first among siblings), ' +
          'each edge with its depth: for infinite scroll. Any page costs the same as the first.',
        resolve: async (post, args, { loaders }) => {
          const page = pageFromArgs(args, 'Comment');
          const result = await loaders.threadOfPost.load({ id: post.id, page });
          return toConnection(result, page, 'Comment', () => loaders.threadCountOfPost.load(post.id));
        },
      },
      { name: 'ThreadConnection' },
      {
        name: 'ThreadEdge',
        fields: (edge) => ({
          depth: edge.int({ description: '1 for a top-level comment.', resolve: ({ node }) => node.depth }),
        }),
      },
    ),
    previousPost: t.field({
      type: PostRef,
      nullable: true,
      description: 'The post published just before this one.',
      resolve: (post, _args, { loaders }) => loaders.previousPost.load(post.id),
    }),
    nextPost: t.field({
      type: PostRef,
      nullable: true,
      description: 'The post published just after this one.',
      resolve: (post, _args, { loaders }) => loaders.nextPost.load(post.id),
    }),
  }),
});

export const PostConnection = builder.connectionObject({ type: PostRef, name: 'PostConnection' });

builder.queryFields((t) => ({
  post: t.field({
    type: PostRef,
    nullable: true,
    description: 'A published post by ID or slug; null when there is none.',
    args: { id: t.arg.id(), slug: t.arg.string() },
    resolve: (_root, { id, slug }, { loaders }) => {
      oneOf(id, slug);
      return id != null ? loaders.post.load(keyOf(id, 'Post')) : loaders.postBySlug.load(slug!);
    },
  }),
  posts: t.connection(
    {
      type: PostRef,
      description: 'Published posts, newest first unless `order` says otherwise.',
      args: {
        author: t.arg.string({ description: 'Only posts by the author with this slug.' }),
        tag: t.arg.string({ description: 'Only posts with the tag with this slug.' }),
        search: t.arg.string({ description: 'Full-text search over title and body (web search syntax).' }),
        order: t.arg({ type: SortOrder, required: true, defaultValue: 'NEWEST_FIRST' }),
      },
      resolve: async (_root, args, { db }) => {
        const search = args.search?.trim() || null;
        if (search && search.length > MAX_SEARCH_LENGTH) {
          throw badInput(`\`search\` must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
        }
        const filter: PostFilter = { authorSlug: args.author, tagSlug: args.tag, search };
        const page = pageFromArgs(args, 'Post', isDescending(args.order));
        return toConnection(await listPosts(db, filter, page), page, 'Post', () => countPosts(db, filter));
      },
    },
    PostConnection,
  ),
}));
