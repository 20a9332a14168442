import { builder } from '../builder.js';
import { commentRevisions, type CommentRevisionRow } from '../db/schema.js';
import { sqlSource } from '../engine/declare.js';

/** What a comment said before one of its guest's edits: `Comment.revisions`, for moderators. */
export const CommentRevisionRef = builder.objectRef<CommentRevisionRow>('CommentRevision');

CommentRevisionRef.implement({
  description: 'What a comment said before an edit (moderators only).',
  extensions: sqlSource({ table: commentRevisions, alias: 'r' }),
  fields: (t) => ({
    bodyMarkdown: t.exposeString('bodyMarkdown'),
    bodyHtml: t.exposeString('bodyHtml'),
    editedAt: t.expose('editedAt', { type: 'DateTime', description: 'When the edit replaced this text.' }),
  }),
});
