import { builder } from '../builder.js';
import type { CommentRecord } from '../db/queries/comments.js';
import { CommentAuthorRef } from './comment-author.js';
import { keyOf, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';
import { PostRef } from './post.js';
import { isDescending, SortOrder } from './sort-order.js';

export const CommentRef = builder.objectRef<CommentRecord>('Comment');

/** Shown in full; otherwise the comment is a placeholder kept for the sake of its replies. */
export const isPublic = (comment: CommentRecord) => comment.status === 'approved' && !comment.deleted;

builder.node(CommentRef, {
  description:
    'A reply to a post or to another comment. A comment that was deleted (or is no longer approved) ' +
    'but still has visible replies stays in the tree as a placeholder: `isPlaceholder` is true and ' +
    '`author` and the body are null.',
  id: { resolve: (comment) => comment.id, parse: parseKey },
  loadMany: (ids, { loaders }) => ids.map((id) => loaders.comment.load(id)),
  fields: (t) => ({
    post: t.field({
      type: PostRef,
      resolve: async (comment, _args, { loaders }) => (await loaders.post.load(comment.postId))!,
    }),
    parent: t.field({
      type: CommentRef,
      nullable: true,
      description: 'The comment this one replies to; null at the top level.',
      resolve: (comment, _args, { loaders }) =>
        comment.parentId === null ? null : loaders.comment.load(comment.parentId),
    }),
    depth: t.exposeInt('depth', { description: '1 for a top-level comment, 2 for a reply to it, and so on.' }),
    isPlaceholder: t.boolean({ resolve: (comment) => !isPublic(comment) }),
    author: t.field({
      type: CommentAuthorRef,
      nullable: true,
      resolve: (comment) => (isPublic(comment) ? comment : null),
    }),
    bodyHtml: t.string({
      nullable: true,
      description: 'The comment rendered from Markdown and sanitized.',
      resolve: (comment) => (isPublic(comment) ? comment.bodyHtml : null),
    }),
    bodyMarkdown: t.string({
      nullable: true,
      resolve: (comment) => (isPublic(comment) ? comment.bodyMarkdown : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    replyCount: t.exposeInt('replyCount', { description: 'Visible direct replies (the size of `replies`).' }),
    descendantCount: t.exposeInt('descendantCount', { description: 'Visible comments anywhere below this one.' }),
    replies: t.connection(
      {
        type: CommentRef,
        args: { order: t.arg({ type: SortOrder, required: true, defaultValue: 'OLDEST_FIRST' }) },
        resolve: async (comment, args, { loaders }) => {
          const page = pageFromArgs(args, 'Comment', isDescending(args.order));
          const result = await loaders.repliesOfComment.load({ id: comment.id, page });
          return toConnection(result, page, 'Comment', () => comment.replyCount);
        },
      },
      CommentConnection,
    ),
  }),
});

export const CommentConnection = builder.connectionObject({ type: CommentRef, name: 'CommentConnection' });

builder.queryField('comment', (t) =>
  t.field({
    type: CommentRef,
    nullable: true,
    description: 'A visible comment by ID; null when there is none.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { loaders }) => loaders.comment.load(keyOf(id, 'Comment')),
  }),
);
