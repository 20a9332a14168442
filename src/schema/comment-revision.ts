import { sql } from 'drizzle-orm';
import { builder } from '../builder.js';
import { commentRevisions, type CommentRevisionRow } from '../db/schema.js';
import { sqlRows, sqlSource } from '../engine/declare.js';
import { AuthorRef } from './author.js';

/** What a comment said before an edit, its guest's or a moderator's: `Comment.revisions`, for moderators. */
export const CommentRevisionRef = builder.objectRef<CommentRevisionRow>('CommentRevision');

CommentRevisionRef.implement({
  description: 'What a comment said before an edit (moderators only).',
  extensions: sqlSource({ table: commentRevisions, alias: 'r' }),
  fields: (t) => ({
    bodyMarkdown: t.exposeString('bodyMarkdown'),
    bodyHtml: t.exposeString('bodyHtml'),
    editedAt: t.expose('editedAt', { type: 'DateTime', description: 'When the edit replaced this text.' }),
    editedBy: t.field({
      type: AuthorRef,
      nullable: true,
      description: 'The moderator who replaced this text (editComment); null when its guest did (editOwnComment).',
      extensions: sqlRows({ where: (a, r) => sql`${a}.id = ${r}.edited_by`, unique: true }),
      resolve: (revision, _args, { loaders }) => (revision.editedBy === null ? null : loaders.author.load(revision.editedBy)),
    }),
  }),
});
