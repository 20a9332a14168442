import { sql, type SQL } from 'drizzle-orm';
import { builder } from '../builder.js';
import type { CommentRecord } from '../db/queries/comments.js';
import { sqlRows, sqlSource, sqlValue, type Join } from '../engine/declare.js';
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

/**
 * In SQL, a comment's author is a row of what the comment kept and the registered author's profile,
 * joined beside the comment (pgbench, the bench's thread page of 50: 0.7× of its floor's rate with
 * the profile looked up inside the row, once per comment, 1.0× joined).
 */
export const commentAuthorRow = (ca: SQL, c: SQL | null, join: Join) => {
  const r = join('authors', 'r', (r) => sql`${r}.id = ${c}.author_id`);
  return sql`(select ${c}.author_name, ${c}.author_url, ${c}.author_id as registered_id, ${r}.name as registered_name,
                     ${r}.website as registered_website, ${r}.avatar_url as registered_avatar_url) ${ca}`;
};

builder.objectType(CommentAuthorRef, {
  extensions: sqlSource({ alias: 'ca' }),
  fields: (t) => ({
    name: t.string({
      extensions: sqlValue((ca) => sql`coalesce(${ca}.registered_name, ${ca}.author_name)`),
      resolve: async (comment, _args, { loaders }) => (await registered(comment, loaders))?.name ?? comment.authorName,
    }),
    url: t.string({
      nullable: true,
      description: "The guest's website, or the registered author's.",
      extensions: sqlValue((ca) => sql`case when ${ca}.registered_id is null then ${ca}.author_url else ${ca}.registered_website end`),
      resolve: async (comment, _args, { loaders }) => {
        const author = await registered(comment, loaders);
        return author ? author.website : comment.authorUrl;
      },
    }),
    avatarUrl: t.string({
      nullable: true,
      description: "The registered author's avatar; null for guests (no hash of their email is ever published).",
      extensions: sqlValue((ca) => sql`${ca}.registered_avatar_url`),
      resolve: async (comment, _args, { loaders }) => (await registered(comment, loaders))?.avatarUrl ?? null,
    }),
    author: t.field({
      type: AuthorRef,
      nullable: true,
      description: 'The registered author, when the comment was not left by a guest.',
      extensions: sqlRows({ where: (a, ca) => sql`${a}.id = ${ca}.registered_id`, unique: true }),
      resolve: (comment, _args, { loaders }) => registered(comment, loaders),
    }),
  }),
});
