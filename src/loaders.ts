import DataLoader from 'dataloader';
import type { Db } from './db/client.js';
import { authorsByIds, authorsBySlugs } from './db/queries/authors.js';
import {
  ancestorsByIds,
  commentsByIds,
  moderationQueue,
  publicCountsSince,
  replies,
  revisionsByComment,
  sendersByCommentIds,
  threadCounts,
  threads,
  topLevelComments,
  topLevelCounts,
  type CommentRecord,
  type CommentSender,
  type CommentWithAuthor,
  type ThreadOptions,
} from './db/queries/comments.js';
import { pageKey, type Page, type PageResult } from './db/queries/page.js';
import {
  adjacentPosts,
  postCountsByAuthor,
  postsByAuthors,
  listPosts,
  postsByIds,
  postsBySlugs,
  postsByLegacyUrls,
  type PostFilter,
  type PostRecord,
  type PostWithAuthor,
} from './db/queries/posts.js';
import { postsByIdsAnyStatus } from './db/queries/post-writes.js';
import { postCountsByTag, tagsByIds, tagsByPostIds } from './db/queries/tags.js';
import type { AuthorRow, CommentRevisionRow, CommentRow, TagRow } from './db/schema.js';
import type { Access } from './domain/roles.js';
import { CommentBudget } from './budget.js';

/*
 * Every relation the schema resolves goes through one of these loaders, created per request
 * (context.ts) so that nothing cached outlives the request or leaks between viewers.
 * Batch functions must answer in key order: `inKeyOrder` does that for row lists, and
 * `pagedLoader` for pages of children, where keys that ask for the same page of different
 * parents share one statement.
 */

function inKeyOrder<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

function countLoader(fetch: (ids: readonly number[]) => Promise<Map<number, number>>) {
  return new DataLoader<number, number>(async (ids) => {
    const counts = await fetch(ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

export interface PageKey {
  id: number;
  page: Page;
  /** What else selects the list (thread options): keys with equal pages and options batch together. */
  options?: ThreadOptions;
}

/** A page and the list's options, as a string: keys that share it share a statement. */
const listKey = ({ page, options }: PageKey) => `${pageKey(page)}|${options?.since?.toISOString() ?? ''}|${options?.newestFirst ? 1 : 0}`;

function pagedLoader<T>(fetch: (ids: number[], page: Page, options: ThreadOptions) => Promise<Map<number, PageResult<T>>>) {
  return new DataLoader<PageKey, PageResult<T>, string>(
    async (keys) => {
      const groups = new Map<string, { page: Page; options: ThreadOptions; ids: number[] }>();
      for (const key of keys) {
        const group = groups.get(listKey(key)) ?? { page: key.page, options: key.options ?? {}, ids: [] };
        group.ids.push(key.id);
        groups.set(listKey(key), group);
      }
      const results = new Map<string, Map<number, PageResult<T>>>();
      await Promise.all(
        [...groups].map(async ([key, group]) => results.set(key, await fetch(group.ids, group.page, group.options))),
      );
      return keys.map((key) => results.get(listKey(key))?.get(key.id) ?? { items: [], hasMore: false });
    },
    { cacheKeyFn: (key) => `${key.id}|${listKey(key)}` },
  );
}

/** A count loader per value of a parameter (a time), made when first asked for. */
function keyedCountLoaders<K extends { toISOString(): string }>(make: (key: K) => DataLoader<number, number>) {
  const loaders = new Map<string, DataLoader<number, number>>();
  return (key: K) => {
    let loader = loaders.get(key.toISOString());
    if (!loader) loaders.set(key.toISOString(), (loader = make(key)));
    return loader;
  };
}

/**
 * `budget`: the request's comment budget (src/budget.ts), which the fields charge as they return
 * comments. The loaders only read it: a statement reads at most one comment more than the response
 * may still hold (plus each page's look-ahead row), and a load that found more than that refuses
 * the request at once, since every comment it loads is returned, and charged, at least once.
 */
export function createLoaders(db: Db, access: Access, budget: () => CommentBudget = () => new CommentBudget(Number.POSITIVE_INFINITY)) {
  const rowsAllowed = (parents: number) => {
    const left = budget();
    left.check();
    return Number.isFinite(left.max) ? left.remaining + parents + 1 : undefined;
  };
  const refuseOver = (comments: number) => {
    if (comments > budget().remaining) budget().refuse();
  };

  const author = new DataLoader<number, AuthorRow | null>(async (ids) =>
    inKeyOrder(ids, await authorsByIds(db, ids), (row) => row.id),
  );
  const authorBySlug = new DataLoader<string, AuthorRow | null>(async (slugs) => {
    const rows = await authorsBySlugs(db, slugs);
    for (const row of rows) author.prime(row.id, row);
    return inKeyOrder(slugs, rows, (row) => row.slug);
  });
  // Post statements join the author, so `Post.author` costs no statement either.
  const primePosts = (rows: PostWithAuthor[]): PostRecord[] =>
    rows.map(({ post: row, author: writer }) => {
      post.prime(row.id, row);
      author.prime(writer.id, writer);
      return row;
    });
  const post: DataLoader<number, PostRecord | null> = new DataLoader(async (ids) =>
    inKeyOrder(ids, primePosts(await postsByIds(db, ids, access.posts)), (row) => row.id),
  );
  const postBySlug = new DataLoader<string, PostRecord | null>(async (slugs) =>
    inKeyOrder(slugs, primePosts(await postsBySlugs(db, slugs, access.posts)), (row) => row.slug),
  );
  const postByLegacyUrl = new DataLoader<string, PostRecord | null>(async (urls) => {
    const rows = await postsByLegacyUrls(db, urls, access.posts);
    const posts = primePosts(rows);
    return inKeyOrder(urls, rows.map((row, i) => ({ url: row.legacyUrl, post: posts[i]! })), (row) => row.url).map((row) => row?.post ?? null);
  });
  // Moderators also load comments that are not in the public tree (pending, spam, trash).
  const comment = new DataLoader<number, CommentRecord | null>(async (ids) => {
    rowsAllowed(0);
    const rows = await commentsByIds(db, ids, access);
    refuseOver(rows.length);
    return inKeyOrder(ids, primeComments(rows), (row) => row.id);
  });
  // Posts whatever their status, for permission checks on writes (never returned to clients).
  const postAnyStatus = new DataLoader<number, PostRecord | null>(async (ids) =>
    inKeyOrder(ids, await postsByIdsAnyStatus(db, ids), (row) => row.id),
  );
  const tag = new DataLoader<number, TagRow | null>(async (ids) =>
    inKeyOrder(ids, await tagsByIds(db, ids, access.posts), (row) => row.id),
  );

  // Comment statements join the registered author, so later `author` loads cost no statement.
  function primeComments(rows: CommentWithAuthor[]): CommentRecord[] {
    return rows.map(({ comment: row, author: registered }) => {
      comment.prime(row.id, row);
      if (registered) author.prime(registered.id, registered);
      return row;
    });
  }
  const commentPages =
    (fetch: (ids: number[], page: Page, maxRows: number | undefined, options: ThreadOptions) => Promise<Map<number, PageResult<CommentWithAuthor>>>) =>
    async (ids: number[], page: Page, options: ThreadOptions) => {
      const pages = await fetch(ids, page, rowsAllowed(ids.length), options);
      refuseOver([...pages.values()].reduce((sum, result) => sum + result.items.length, 0));
      return new Map([...pages].map(([id, result]) => [id, { ...result, items: primeComments(result.items) }]));
    };

  return {
    /** A page of the moderation queue, its comments and their authors primed. */
    async moderationQueue(statuses: readonly CommentRow['status'][], page: Page): Promise<PageResult<CommentRecord>> {
      const result = await moderationQueue(db, statuses, page);
      return { ...result, items: primeComments(result.items) };
    },
    /** A page of posts (root lists), their authors primed. */
    async listPosts(filter: Omit<PostFilter, 'access'>, page: Page): Promise<PageResult<PostRecord>> {
      const result = await listPosts(db, { ...filter, access: access.posts }, page);
      return { ...result, items: primePosts(result.items) };
    },
    author,
    authorBySlug,
    post,
    postBySlug,
    postByLegacyUrl,
    postAnyStatus,
    comment,
    tag,
    /** The texts a comment had before each edit (moderators only: see Comment.revisions). */
    revisionsOfComment: new DataLoader<number, CommentRevisionRow[]>(async (ids) => {
      const byComment = await revisionsByComment(db, ids);
      return ids.map((id) => byComment.get(id) ?? []);
    }),
    /** Where each comment came from, its guest's email included (moderators only: see Comment.sender). */
    senderOfComment: new DataLoader<number, CommentSender | null>(async (ids) =>
      inKeyOrder(ids, await sendersByCommentIds(db, ids), (row) => row.commentId),
    ),
    tagsOfPost: new DataLoader<number, TagRow[]>(async (ids) => {
      const byPost = await tagsByPostIds(db, ids);
      return ids.map((id) => byPost.get(id) ?? []);
    }),
    previousPost: new DataLoader<number, PostRecord | null>(async (ids) => {
      const byPost = await adjacentPosts(db, ids, 'previous');
      return ids.map((id) => byPost.get(id) ?? null);
    }),
    nextPost: new DataLoader<number, PostRecord | null>(async (ids) => {
      const byPost = await adjacentPosts(db, ids, 'next');
      return ids.map((id) => byPost.get(id) ?? null);
    }),
    postCountOfAuthor: countLoader((ids) => postCountsByAuthor(db, ids, access.posts)),
    postCountOfTag: countLoader((ids) => postCountsByTag(db, ids, access.posts)),
    topLevelCountOfPost: countLoader((ids) => topLevelCounts(db, ids)),
    threadCountOfPost: countLoader((ids) => threadCounts(db, ids)),
    /** `thread(since:)`'s totalCount and `commentCountSince`, for one `since` (a loader per time asked). */
    threadCountSince: keyedCountLoaders((since: Date) => countLoader((ids) => threadCounts(db, ids, since))),
    publicCountSince: keyedCountLoaders((since: Date) => countLoader((ids) => publicCountsSince(db, ids, since))),
    /** Each comment's ancestors, root first (those the request may find), in one statement for all. */
    ancestorsOfComment: new DataLoader<number, CommentRecord[]>(async (ids) => {
      rowsAllowed(0);
      const byComment = await ancestorsByIds(db, ids, access);
      refuseOver([...byComment.values()].reduce((sum, list) => sum + list.length, 0));
      return ids.map((id) => primeComments(byComment.get(id) ?? []));
    }),
    postsOfAuthor: pagedLoader((ids, page) => postsByAuthors(db, ids, page, access.posts)),
    commentsOfPost: pagedLoader(commentPages((ids, page, max) => topLevelComments(db, ids, page, max))),
    repliesOfComment: pagedLoader(commentPages((ids, page, max) => replies(db, ids, page, max))),
    threadOfPost: pagedLoader(commentPages((ids, page, max, options) => threads(db, ids, page, max, options))),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
