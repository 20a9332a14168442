import { builder } from '../builder.js';
import type { CommentRecord } from '../db/queries/comments.js';
import { AuthorRef } from './author.js';

/**
 * Who wrote a comment: a registered author or a guest. Backed by the comment itself; a guest's
 * email is never loaded for display, let alone exposed.
 */
export const CommentAuthorRef = builder.objectRef<CommentRecord>('CommentAuthor');

builder.objectType(CommentAuthorRef, {
  fields: (t) => ({
    name: t.string({
      resolve: async (comment, _args, { loaders }) =>
        comment.authorId === null
          ? comment.guestName!
          : ((await loaders.author.load(comment.authorId))?.name ?? comment.guestName ?? ''),
    }),
    url: t.string({
      nullable: true,
      description: "The guest's website, or the registered author's.",
      resolve: async (comment, _args, { loaders }) =>
        comment.authorId === null ? comment.guestUrl : ((await loaders.author.load(comment.authorId))?.website ?? null),
    }),
    avatarUrl: t.string({
      nullable: true,
      description: "The registered author's avatar; null for guests (no hash of their email is ever published).",
      resolve: async (comment, _args, { loaders }) =>
        comment.authorId === null ? null : ((await loaders.author.load(comment.authorId))?.avatarUrl ?? null),
    }),
    author: t.field({
      type: AuthorRef,
      nullable: true,
      description: 'The registered author, when the comment was not left by a guest.',
      resolve: (comment, _args, { loaders }) => (comment.authorId === null ? null : loaders.author.load(comment.authorId)),
    }),
  }),
});
