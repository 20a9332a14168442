import { builder } from '../builder.js';
import type { CommentRecord } from '../db/queries/comments.js';
import type { Loaders } from '../loaders.js';
import { AuthorRef } from './author.js';

/**
 * Who wrote a comment: a registered author or a guest. Backed by the comment itself; a guest's
 * email is never loaded for display, let alone exposed.
 */
export const CommentAuthorRef = builder.objectRef<CommentRecord>('CommentAuthor');

// A registered author's current profile wins over what the comment kept (primed by the comment
// statements, so this costs no SQL).
const registered = (comment: CommentRecord, loaders: Loaders) =>
  comment.authorId === null ? null : loaders.author.load(comment.authorId);

builder.objectType(CommentAuthorRef, {
  fields: (t) => ({
    name: t.string({
      resolve: async (comment, _args, { loaders }) => (await registered(comment, loaders))?.name ?? comment.authorName,
    }),
    url: t.string({
      nullable: true,
      description: "The guest's website, or the registered author's.",
      resolve: async (comment, _args, { loaders }) => {
        const author = await registered(comment, loaders);
        return author ? author.website : comment.authorUrl;
      },
    }),
    avatarUrl: t.string({
      nullable: true,
      description: "The registered author's avatar; null for guests (no hash of their email is ever published).",
      resolve: async (comment, _args, { loaders }) => (await registered(comment, loaders))?.avatarUrl ?? null,
    }),
    author: t.field({
      type: AuthorRef,
      nullable: true,
      description: 'The registered author, when the comment was not left by a guest.',
      resolve: (comment, _args, { loaders }) => registered(comment, loaders),
    }),
  }),
});
