import { sql, type SQL } from 'drizzle-orm';
import { builder } from '../builder.js';
import { postKey, visiblePost } from '../db/queries/posts.js';
import { authors as authorsTable } from '../db/schema.js';
import type { Access } from '../domain/roles.js';
import { sqlConnection, sqlRows, sqlSource, sqlValue } from '../engine/declare.js';
import { countAuthors, listAuthors } from '../db/queries/authors.js';
import { weight } from '../limits.js';
import { createAuthor, editAuthor } from '../domain/authors.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { AuthorRow } from '../db/schema.js';
import { inputKey, keyOf, loadNodes, oneOf, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';
import { PostConnection, PostRef } from './post.js';
import { isDescending, SortOrder } from './sort-order.js';

export const AuthorRef = builder.objectRef<AuthorRow>('Author');

export const Role = builder.enumType('Role', {
  description: 'What a token holder may do, each role including the ones before it.',
  values: {
    CONTRIBUTOR: { value: 'contributor', description: 'Writes their own drafts; cannot publish.' },
    AUTHOR: { value: 'author', description: 'Also publishes their own posts.' },
    EDITOR: { value: 'editor', description: 'Works on every post and moderates comments.' },
    ADMIN: { value: 'admin', description: 'Also manages authors and tokens.' },
  } as const,
});

/** An author's posts the request may see (Author.postCount, and the size of Author.posts). */
const postsOf = (p: SQL, a: SQL, access: Access) => sql`${p}.author_id = ${a}.id and ${visiblePost(access.posts, p)}`;
const postCountOf = (a: SQL, access: Access) => sql`(select count(*)::int from posts p where ${postsOf(sql.raw('p'), a, access)})`;

builder.node(AuthorRef, {
  description: 'A registered writer of posts (and sometimes comments).',
  id: { resolve: (author) => author.id, parse: parseKey },
  // Every author is public.
  extensions: sqlSource({ table: authorsTable, alias: 'a', visible: () => sql`true` }),
  loadManyWithoutCache: (ids, { loaders }) => loadNodes(loaders.author, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    name: t.exposeString('name'),
    bio: t.exposeString('bio', { nullable: true }),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true }),
    website: t.exposeString('website', { nullable: true }),
    role: t.field({
      type: Role,
      nullable: true,
      description: 'Token holders only.',
      authScopes: { authenticated: true },
      extensions: sqlValue((a) => sql`${a}.role`),
      resolve: (author) => author.role,
    }),
    postCount: t.int({
      description: 'Published posts by this author.',
      extensions: { ...sqlValue((a, { access }) => postCountOf(a, access)), ...weight(1) },
      resolve: (author, _args, { loaders }) => loaders.postCountOfAuthor.load(author.id),
    }),
    posts: t.connection(
      {
        type: PostRef,
        description: 'Published posts by this author.',
        args: { order: t.arg({ type: SortOrder, required: true, defaultValue: 'NEWEST_FIRST' }) },
        // posts_author_idx
        extensions: sqlConnection({
          where: (p, a, { access }) => postsOf(p, a!, access),
          key: postKey,
          descending: (args) => isDescending(args.order as 'OLDEST_FIRST' | 'NEWEST_FIRST'),
          count: (a, { access }) => postCountOf(a!, access),
        }),
        resolve: async (author, args, { loaders }) => {
          const page = pageFromArgs(args, 'Post', isDescending(args.order));
          const result = await loaders.postsOfAuthor.load({ id: author.id, page });
          return toConnection(result, page, 'Post', () => loaders.postCountOfAuthor.load(author.id));
        },
      },
      PostConnection,
    ),
  }),
});

const AuthorConnection = builder.connectionObject({ type: AuthorRef, name: 'AuthorConnection' });

builder.queryFields((t) => ({
  author: t.field({
    type: AuthorRef,
    nullable: true,
    description: 'An author by ID or slug; null when there is none.',
    args: { id: t.arg.id(), slug: t.arg.string() },
    extensions: sqlRows({
      where: (a, _row, _scope, { id, slug }) => {
        oneOf({ id, slug });
        return id != null ? sql`${a}.id = ${keyOf(id as string, 'Author')}` : sql`${a}.slug = ${slug as string}`;
      },
    }),
    resolve: (_root, { id, slug }, { loaders }) => {
      oneOf({ id, slug });
      return id != null ? loaders.author.load(keyOf(id, 'Author')) : loaders.authorBySlug.load(slug!);
    },
  }),
  authors: t.connection(
    {
      type: AuthorRef,
      description: 'All authors, by name.',
      extensions: sqlConnection({
        where: () => sql`true`,
        key: (a) => [sql`${a}.name`, sql`${a}.id`],
        count: () => sql`(select count(*)::int from authors)`,
      }),
      resolve: async (_root, args, { db }) => {
        const page = pageFromArgs(args, 'Author');
        return toConnection(await listAuthors(db, page), page, 'Author', () => countAuthors(db));
      },
    },
    AuthorConnection,
  ),
}));

const AuthorFields = builder.inputType('AuthorFields', {
  fields: (t) => ({
    name: t.string(),
    slug: t.string({ description: 'Generated from the name when a new author has none.' }),
    bio: t.string(),
    avatarUrl: t.string(),
    website: t.string(),
    role: t.field({ type: Role }),
  }),
});

const adminErrors = [ValidationError, ConflictError, NotFoundError];

builder.mutationFields((t) => ({
  createAuthor: t.field({
    type: AuthorRef,
    description: 'Admins: a new author (role AUTHOR unless given).',
    args: { fields: t.arg({ type: AuthorFields, required: true }) },
    errors: { types: adminErrors, directResult: true },
    authScopes: { role: 'admin' },
    resolve: async (_root, { fields }, { db, services }) => {
      const author = await createAuthor(db, fields);
      await services.changes.everything();
      return author;
    },
  }),
  updateAuthor: t.field({
    type: AuthorRef,
    description: "Admins: change an author's profile or role.",
    args: { id: t.arg.id({ required: true }), fields: t.arg({ type: AuthorFields, required: true }) },
    errors: { types: adminErrors, directResult: true },
    authScopes: { role: 'admin' },
    resolve: async (_root, args, { db, services }) => {
      // An author's name also shows on comments, which do not name the author: drop everything.
      const author = await editAuthor(db, inputKey(args.id, 'Author', 'id'), args.fields);
      await services.changes.everything();
      return author;
    },
  }),
}));
