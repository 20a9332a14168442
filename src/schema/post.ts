import { sql, type SQL } from 'drizzle-orm';
import { builder } from '../builder.js';
import type { Access } from '../domain/roles.js';
import {
  commentCountSinceSql,
  commentListCount,
  commentListKey,
  commentLists,
  type ThreadOptions,
} from '../db/queries/comments.js';
import { countPosts, filterSql, hasLegacyUrlSql, postKey, publicPostSql, visiblePost, type PostFilter, type PostRecord } from '../db/queries/posts.js';
import { posts as postsTable } from '../db/schema.js';
import { sqlConnection, sqlRows, sqlSource, sqlValue } from '../engine/declare.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { createPost, editPost, setPublication, type Publication } from '../domain/posts.js';
import { badInput } from '../errors.js';
import { descends, maxItems, maxLength, weight } from '../limits.js';
import { AuthorRef } from './author.js';
import { BodyFormat } from './body-format.js';
import { CommentConnection, CommentRef } from './comment.js';
import { inputKey, keyOf, keyOrNothing, loadNodes, oneOf, parseKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';
import { isDescending, SortOrder } from './sort-order.js';
import { TagRef } from './tag.js';

export const PostRef = builder.objectRef<PostRecord>('Post');

export const PostStatus = builder.enumType('PostStatus', {
  description: 'DRAFT and ARCHIVED posts are seen by their writers and editors only; SCHEDULED ones become public at publishedAt.',
  values: {
    DRAFT: { value: 'draft' },
    SCHEDULED: { value: 'scheduled' },
    PUBLISHED: { value: 'published' },
    ARCHIVED: { value: 'archived' },
  } as const,
});

const MAX_SEARCH_LENGTH = 200;

interface PostListArgs {
  search?: string | null;
  author?: string | null;
  tag?: string | null;
  status?: PostFilter['status'];
}

/** What a search adds to a request's static cost (see `posts`). */
export const SEARCH_COST = 20;

/** The most tags `Post.tags` shows (the first by name): writes allow 20, imports may bring more. */
export const MAX_TAGS_SHOWN = 100;

/** The filter of `posts` from its arguments (the search trimmed, and at most MAX_SEARCH_LENGTH). */
function postFilter(args: PostListArgs, access: Access): PostFilter {
  const search = args.search?.trim() || null;
  if (search && search.length > MAX_SEARCH_LENGTH) throw badInput(`\`search\` must be at most ${MAX_SEARCH_LENGTH} characters`, 'search');
  return {
    access: access.posts,
    status: args.status,
    authorSlug: args.author,
    tagSlug: args.tag,
    search,
  };
}

/** Neighbours in publication order are public posts only, whoever asks. */
const neighbour = (direction: 'previous' | 'next') =>
  sqlRows({
    where: (x, p) => {
      const [key, own] = [sql.join(postKey(x), sql`, `), sql.join(postKey(p!), sql`, `)];
      return sql`${publicPostSql(x)} and (${key}) ${direction === 'previous' ? sql`<` : sql`>`} (${own})`;
    },
    orderBy: (x) => sql.join(postKey(x).map((column) => sql`${column} ${direction === 'previous' ? sql`desc` : sql`asc`}`), sql`, `),
  });

const commentKey = (c: SQL) => [sql`${c}.path`];

/** `thread`'s arguments that choose its list: `since` and `order` (see ThreadOptions). */
const threadOptions = (args: { since?: Date | null; order?: 'OLDEST_FIRST' | 'NEWEST_FIRST' }): ThreadOptions => ({
  since: args.since ?? null,
  newestFirst: isDescending(args.order ?? 'OLDEST_FIRST'),
});

builder.node(PostRef, {
  description: 'A published article.',
  extensions: sqlSource({ table: postsTable, alias: 'p', visible: (p, { access }) => visiblePost(access.posts, p) }),
  id: { resolve: (post) => post.id, parse: parseKey },
  loadManyWithoutCache: (ids, { loaders }) => loadNodes(loaders.post, ids),
  fields: (t) => ({
    slug: t.exposeString('slug'),
    title: t.exposeString('title'),
    excerpt: t.exposeString('excerpt'),
    bodyHtml: t.exposeString('bodyHtml', { description: 'The body rendered (from Markdown, or as HTML) and sanitized: what to display.' }),
    bodyMarkdown: t.exposeString('bodyMarkdown', {
      description: 'The body as written, in `bodyFormat`: Markdown, or for an imported post its HTML source.',
    }),
    bodyFormat: t.expose('bodyFormat', { type: BodyFormat }),
    status: t.expose('status', { type: PostStatus }),
    version: t.exposeInt('version', { description: 'Changes with every edit; pass it back with `updatePost`.' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    commentsOpen: t.exposeBoolean('commentsOpen', { description: 'Whether readers may reply.' }),
    commentCount: t.exposeInt('commentCount', { description: 'Visible comments at every depth.' }),
    commentCountSince: t.int({
      description:
        'Visible comments at every depth created after `since` (to the millisecond): `commentCount` for what is new, ' +
        'for a badge. Counts what `thread(since:)` lists but its placeholders.',
      args: { since: t.arg({ type: 'DateTime', required: true }) },
      // A count: reads the comments created since then.
      extensions: { ...sqlValue((p, _scope, args) => commentCountSinceSql(sql`${p}.id`, args.since as Date)), ...weight(1) },
      resolve: (post, { since }, { loaders }) => loaders.publicCountSince(since).load(post.id),
    }),
    author: t.field({
      type: AuthorRef,
      extensions: sqlRows({ where: (a, p) => sql`${a}.id = ${p}.author_id`, unique: true }),
      resolve: async (post, _args, { loaders }) => (await loaders.author.load(post.authorId))!,
    }),
    tags: t.field({
      type: [TagRef],
      description: `By name; at most ${MAX_TAGS_SHOWN}.`,
      // By name: the order of tagsByPostIds. The post is visible, so all its tags are.
      extensions: {
        ...sqlRows({
          where: (tag, p) => sql`exists (select 1 from post_tags pt where pt.post_id = ${p}.id and pt.tag_id = ${tag}.id)`,
          orderBy: (tag) => sql`${tag}.name, ${tag}.id`,
        }),
        ...maxLength(MAX_TAGS_SHOWN),
      },
      resolve: (post, _args, { loaders }) => loaders.tagsOfPost.load(post.id),
    }),
    comments: t.connection(
      {
        type: CommentRef,
        description: 'Top-level comments; follow `replies` for the rest of each conversation.',
        args: { order: t.arg({ type: SortOrder, required: true, defaultValue: 'OLDEST_FIRST' }) },
        // comments_top_level_idx: the post's listed top-level comments in path order.
        extensions: {
          ...sqlConnection({
            where: (c, p) => commentLists.topLevel(sql`${p}.id`, c),
            key: commentKey,
            descending: (args) => isDescending(args.order as 'OLDEST_FIRST' | 'NEWEST_FIRST'),
            count: (p) => commentListCount('topLevel', sql`${p}.id`),
          }),
          ...descends(),
        },
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
          'each edge with its depth: for infinite scroll. Any page costs the same as the first. ' +
          '`since`: only the comments created after that time (to the millisecond), still in reading order. ' +
          '`order: NEWEST_FIRST`: the comments newest first by creation time, flat (latest activity), each with its depth. ' +
          '`around`: the page holding that comment (a permalink), a third of `first` before it and the rest from it on, ' +
          'with cursors to page on either way; a comment that is not in this list gives an empty page, as an unknown cursor does.',
        args: {
          order: t.arg({ type: SortOrder, required: true, defaultValue: 'OLDEST_FIRST' }),
          since: t.arg({ type: 'DateTime', description: 'Only comments created after this time.' }),
          around: t.arg.id({ description: 'A comment: the page that holds it. Not with `after`, `before` or `last`.' }),
        },
        // comments_thread_idx: the post's listed comments in path order, which is reading order;
        // comments_recent_idx: by creation time (NEWEST_FIRST, and the range `since` selects).
        extensions: {
          ...sqlConnection({
            where: (c, p, _scope, args) => commentLists.thread(sql`${p}.id`, c, threadOptions(args)),
            key: (c, args) => commentListKey(c, threadOptions(args)),
            descending: (args) => threadOptions(args).newestFirst === true,
            count: (p, _scope, args) => commentListCount('thread', sql`${p}.id`, threadOptions(args)),
          }),
          ...descends(),
        },
        resolve: async (post, args, { loaders }) => {
          const options = threadOptions(args);
          const page = pageFromArgs(args, 'Comment', options.newestFirst);
          const result = await loaders.threadOfPost.load({ id: post.id, page, options });
          return toConnection(result, page, 'Comment', () =>
            (options.since ? loaders.threadCountSince(options.since) : loaders.threadCountOfPost).load(post.id),
          );
        },
      },
      { name: 'ThreadConnection' },
      {
        name: 'ThreadEdge',
        fields: (edge) => ({
          depth: edge.int({
            description: '1 for a top-level comment.',
            extensions: sqlValue((c) => sql`${c}.depth`),
            resolve: ({ node }) => node.depth,
          }),
        }),
      },
    ),
    previousPost: t.field({
      type: PostRef,
      nullable: true,
      description: 'The post published just before this one.',
      extensions: neighbour('previous'),
      resolve: (post, _args, { loaders }) => loaders.previousPost.load(post.id),
    }),
    nextPost: t.field({
      type: PostRef,
      nullable: true,
      description: 'The post published just after this one.',
      extensions: neighbour('next'),
      resolve: (post, _args, { loaders }) => loaders.nextPost.load(post.id),
    }),
  }),
});

export const PostConnection = builder.connectionObject({ type: PostRef, name: 'PostConnection' });

builder.queryFields((t) => ({
  post: t.field({
    type: PostRef,
    nullable: true,
    description:
      'A post by ID, slug or old address (`legacyUrl`: an imported post\'s WordPress `link` or `guid`, exactly as it was, ' +
      'for redirects); published, or yours, or any for editors; null when there is none.',
    args: { id: t.arg.id(), slug: t.arg.string(), legacyUrl: t.arg.string() },
    extensions: sqlRows({
      where: (p, _row, { access }, { id, slug, legacyUrl }) => {
        oneOf({ id, slug, legacyUrl });
        const match =
          id != null
            ? sql`${p}.id = ${keyOf(id as string, 'Post')}`
            : slug != null
              ? sql`${p}.slug = ${slug as string}`
              : hasLegacyUrlSql(p, legacyUrl as string);
        return sql`${match} and ${visiblePost(access.posts, p)}`;
      },
    }),
    resolve: (_root, { id, slug, legacyUrl }, { loaders }) => {
      oneOf({ id, slug, legacyUrl });
      if (id != null) return loaders.post.load(keyOf(id, 'Post'));
      return slug != null ? loaders.postBySlug.load(slug) : loaders.postByLegacyUrl.load(legacyUrl!);
    },
  }),
  posts: t.connection(
    {
      type: PostRef,
      description:
        'Published posts, newest first unless `order` says otherwise (with a token: also your drafts, or all drafts for editors).',
      args: {
        author: t.arg.string({ description: 'Only posts by the author with this slug.' }),
        tag: t.arg.string({ description: 'Only posts with the tag with this slug.' }),
        search: t.arg.string({ description: 'Full-text search over title and body (web search syntax).' }),
        status: t.arg({
          type: [PostStatus],
          description: 'Only posts in these states (drafts are for writers and editors).',
          extensions: maxItems(10),
        }),
        order: t.arg({ type: SortOrder, required: true, defaultValue: 'NEWEST_FIRST' }),
      },
      // posts_public_idx (or posts_search_idx, post_tags_tag_idx for those filters).
      extensions: {
        ...sqlConnection({
          where: (p, _row, { access }, args) => filterSql(postFilter(args as PostListArgs, access), p),
          key: postKey,
          descending: (args) => isDescending(args.order as 'OLDEST_FIRST' | 'NEWEST_FIRST'),
          count: (_row, { access }, args) => sql`(select count(*)::int from posts p where ${filterSql(postFilter(args as PostListArgs, access))})`,
        }),
        // A search reads every match before its page (a bitmap scan of posts_search_idx, then a
        // sort): on the bench's 1,000 posts, a page for a rare word took 7.5 ms in Postgres where
        // a page without search takes 0.3 to 0.6 ms. So it weighs as 20 objects, a page's worth.
        ...weight((args) => ((args.search as string | null | undefined)?.trim() ? SEARCH_COST : 0)),
      },
      resolve: async (_root, args, { db, access, loaders }) => {
        const filter = postFilter(args, access);
        const page = pageFromArgs(args, 'Post', isDescending(args.order));
        return toConnection(await loaders.listPosts(filter, page), page, 'Post', () => countPosts(db, filter));
      },
    },
    PostConnection,
  ),
}));

const PostFields = builder.inputType('PostFields', {
  fields: (t) => ({
    title: t.string(),
    slug: t.string({ description: 'Lower-case words joined by hyphens; generated from the title when absent.' }),
    bodyMarkdown: t.string({ description: 'The body, for a post whose `bodyFormat` is MARKDOWN.' }),
    body: t.string({
      description: "The body in the post's `bodyFormat` (Markdown, or HTML for an imported post). Not with `bodyMarkdown`.",
    }),
    excerpt: t.string(),
    tags: t.stringList({ description: 'Tag names; tags that do not exist yet are created.' }),
    commentsOpen: t.boolean(),
  }),
});

const CreatePostInput = builder.inputType('CreatePostInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    slug: t.string({ description: 'Generated from the title when absent (then made unique).' }),
    bodyMarkdown: t.string({ required: true }),
    excerpt: t.string(),
    tags: t.stringList(),
    commentsOpen: t.boolean({ defaultValue: true }),
  }),
});

const writeErrors = [ValidationError, ConflictError, NotFoundError];

builder.mutationFields((t) => ({
  createPost: t.field({
    type: PostRef,
    description: 'A new draft by the viewer (any role). Publish it with publishPost or schedulePost.',
    args: { input: t.arg({ type: CreatePostInput, required: true }) },
    errors: { types: writeErrors, directResult: true },
    authScopes: { role: 'contributor' },
    resolve: (_root, { input }, { db, viewer }) => createPost(db, viewer!, input),
  }),
  updatePost: t.field({
    type: PostRef,
    description:
      'Changes the given fields. `version` is the version you started from: if someone saved in between, ' +
      'the result is a ConflictError and nothing changes.',
    args: {
      id: t.arg.id({ required: true }),
      version: t.arg.int({ required: true }),
      fields: t.arg({ type: PostFields, required: true }),
    },
    errors: { types: writeErrors, directResult: true },
    authScopes: (_root, args) => ({ editPost: keyOrNothing(args.id, 'Post') }),
    resolve: async (_root, args, { db, services }) => {
      const post = await editPost(db, inputKey(args.id, 'Post', 'id'), args.version, args.fields);
      // Titles, slugs and tags show in lists and lookups that do not name this post: drop them all.
      await services.changes.everything();
      return post;
    },
  }),
}));

// Publishing, scheduling, unpublishing and archiving share their errors and their rule.
builder.mutationFields((t) => {
  const version = () =>
    t.arg.int({ description: 'When given, the change applies only at this version (else ConflictError).' });
  const publication = (description: string, change: Publication) =>
    t.field({
      type: PostRef,
      description,
      args: { id: t.arg.id({ required: true }), version: version() },
      errors: { types: writeErrors, directResult: true },
      authScopes: (_root, args) => ({ publishPost: keyOrNothing(args.id, 'Post') }),
      resolve: async (_root, args, { db, services }) => {
        const post = await setPublication(db, inputKey(args.id, 'Post', 'id'), args.version ?? null, change, services.threadEvents.announce);
        await services.changes.everything();
        return post;
      },
    });
  return {
    publishPost: publication('Makes the post public now; a published post keeps its first publication time.', {
      action: 'publish',
    }),
    unpublishPost: publication('Turns the post back into a draft.', { action: 'unpublish' }),
    archivePost: publication('Takes the post out of public view, keeping it for the record.', { action: 'archive' }),
    schedulePost: t.field({
      type: PostRef,
      description: 'Makes the post public at `publishAt`, a time in the future; no job needs to run.',
      args: {
        id: t.arg.id({ required: true }),
        publishAt: t.arg({ type: 'DateTime', required: true }),
        version: version(),
      },
      errors: { types: writeErrors, directResult: true },
      authScopes: (_root, args) => ({ publishPost: keyOrNothing(args.id, 'Post') }),
      resolve: async (_root, args, { db, services }) => {
        const post = await setPublication(db, inputKey(args.id, 'Post', 'id'), args.version ?? null, {
          action: 'schedule',
          at: args.publishAt,
        }, services.threadEvents.announce);
        await services.changes.everything();
        return post;
      },
    }),
  };
});
