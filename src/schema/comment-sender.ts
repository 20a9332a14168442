import { sql, type SQL } from 'drizzle-orm';
import { builder } from '../builder.js';
import type { CommentSender } from '../db/queries/comments.js';
import { sqlSource, sqlValue } from '../engine/declare.js';

/**
 * Where a comment came from, for moderators (`Comment.sender`): what the spam pipeline saw and what
 * `blockSender` blocks. One object rather than four fields on Comment, so that a client asks for
 * it (and handles its absence) once, and a public client's generated types carry one nullable
 * field it never asks for instead of four. Backed by the comment's row; the email is read only
 * here, never with the comments loaded for display.
 */
export const CommentSenderRef = builder.objectRef<CommentSender>('CommentSender');

/** In SQL: the comment's own columns, as a row beside it. */
export const commentSenderRow = (s: SQL, c: SQL | null) =>
  sql`(select ${c}.author_email as email, ${c}.ip, ${c}.user_agent, ${c}.referrer) ${s}`;

builder.objectType(CommentSenderRef, {
  description: 'Where a comment came from (moderators only): never shown to the public, never cached, never logged.',
  extensions: sqlSource({ alias: 's' }),
  fields: (t) => ({
    email: t.exposeString('email', {
      nullable: true,
      description: "The guest's email as they typed it; null for a registered author's comment.",
      extensions: sqlValue((s) => sql`${s}.email`),
    }),
    ip: t.exposeString('ip', {
      nullable: true,
      description: 'The address it was sent from (behind TRUSTED_PROXIES, the client’s); null when unknown (some imports).',
      extensions: sqlValue((s) => sql`${s}.ip`),
    }),
    userAgent: t.exposeString('userAgent', { nullable: true, extensions: sqlValue((s) => sql`${s}.user_agent`) }),
    referrer: t.exposeString('referrer', {
      nullable: true,
      description: 'The page the comment form was sent from (the Referer header).',
      extensions: sqlValue((s) => sql`${s}.referrer`),
    }),
  }),
});
