import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  timestamp,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

// Column names are snake_case in SQL via `casing: 'snake_case'` (see client.ts and drizzle.config.ts).

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

export const authorRole = pgEnum('author_role', ['contributor', 'author', 'editor', 'admin']);
export const postStatus = pgEnum('post_status', ['draft', 'scheduled', 'published', 'archived']);
export const commentStatus = pgEnum('comment_status', ['pending', 'approved', 'spam', 'trash']);
// What `body_markdown` holds: Markdown (written through the API), or HTML (imported from WordPress
// or Disqus, whose content is HTML); `body_html` is rendered from it either way (domain/markdown.ts).
export const bodyFormat = pgEnum('body_format', ['markdown', 'html']);

export const authors = pgTable('authors', {
  id: integer().primaryKey().generatedByDefaultAsIdentity(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  bio: text(),
  avatarUrl: text(),
  website: text(),
  role: authorRole().notNull().default('author'),
  // Private (never exposed): the email an imported author had on the old site.
  email: text(),
    // Where an imported row came from (importers, src/domain/import/): the site and its own id,
    // e.g. `https://blog.example/#post-42`, so that importing again updates instead of duplicating.
    sourceKey: text().unique(),
  ...timestamps,
});

export const posts = pgTable(
  'posts',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull().unique(),
    title: text().notNull(),
    excerpt: text().notNull().default(''),
    bodyMarkdown: text().notNull(),
    bodyHtml: text().notNull(),
    bodyFormat: bodyFormat().notNull().default('markdown'),
    authorId: integer()
      .notNull()
      .references(() => authors.id),
    status: postStatus().notNull().default('draft'),
    // A post is public once its status is published or scheduled and this time has passed,
    // so scheduling needs no background job (see `publicPost` in queries/posts.ts).
    publishedAt: timestamp({ withTimezone: true }),
    commentsOpen: boolean().notNull().default(true),
    // Number of public comments (approved, not deleted); maintained with the comment counters.
    commentCount: integer().notNull().default(0),
    // Optimistic concurrency: every update names the version it started from and bumps it.
    version: integer().notNull().default(1),
    // Where an imported row came from (importers, src/domain/import/): the site and its own id,
    // e.g. `https://blog.example/#post-42`, so that importing again updates instead of duplicating.
    sourceKey: text().unique(),
    searchVector: tsvector().generatedAlwaysAs(
      sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body_markdown), 'B')`,
    ),
    ...timestamps,
  },
  (t) => [
    // Posts sort by publication time, drafts (not yet published) by creation time.
    index('posts_public_idx')
      .on(sql`coalesce(published_at, created_at)`, t.id)
      .where(sql`status in ('published', 'scheduled')`),
    index('posts_author_idx').on(t.authorId, sql`coalesce(published_at, created_at)`, t.id),
    index('posts_search_idx').using('gin', t.searchVector),
  ],
);

/** A post's old addresses (an imported post's WordPress `link` and `guid`), for redirects: `post(legacyUrl:)`. */
export const postLegacyUrls = pgTable(
  'post_legacy_urls',
  {
    url: text().primaryKey(),
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
  },
  (t) => [index('post_legacy_urls_post_idx').on(t.postId)],
);

export const tags = pgTable(
  'tags',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    slug: text().notNull().unique(),
    name: text().notNull(),
    description: text(),
    ...timestamps,
  },
  // The `tags` list walks tags in name order, checking each for a visible post, and stops at the
  // page: without this index it would check every tag, then sort.
  (t) => [index('tags_name_idx').on(t.name, t.id)],
);

export const postTags = pgTable(
  'post_tags',
  {
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    tagId: integer()
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.postId, t.tagId] }), index('post_tags_tag_idx').on(t.tagId, t.postId)],
);

/*
 * Comments form a tree per post. Thread model (see DESIGN.md):
 * - `path` is the materialized path from the root to this comment as pairs
 *   [created_at in µs since epoch, id, created_at, id, ...]. Postgres compares arrays element by
 *   element and a prefix sorts first, so `order by path` is the depth-first reading order with
 *   siblings oldest first (created_at, then id), whatever order the rows were inserted in.
 * - A comment is public when approved and not deleted. `descendant_count` counts public
 *   descendants; a comment that is not public but has public descendants stays in the tree as a
 *   placeholder. `listed` (generated) is exactly "shown in the tree", and every read filters on it.
 * - `reply_count` counts listed direct children: it equals the size of the `replies` connection.
 * The counters are maintained by the code that writes comments (domain/thread.ts).
 */
export const comments = pgTable(
  'comments',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    parentId: integer().references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    depth: integer().notNull(),
    path: bigint({ mode: 'number' }).array().notNull(),
    // A registered author, or none for a guest. The name, email and url are kept on the comment
    // either way (a registered author's as they were), so a comment outlives its author account.
    authorId: integer().references(() => authors.id, { onDelete: 'set null' }),
    authorName: text().notNull(),
    authorEmail: text(),
    authorUrl: text(),
    bodyMarkdown: text().notNull(),
    bodyHtml: text().notNull(),
    bodyFormat: bodyFormat().notNull().default('markdown'),
    status: commentStatus().notNull().default('pending'),
    deleted: boolean().notNull().default(false),
    replyCount: integer().notNull().default(0),
    descendantCount: integer().notNull().default(0),
    // Why the spam pipeline held the comment (pending or spam), for the moderation queue.
    heldReason: text(),
    // Where a guest's comment came from: flood control and Akismet need them.
    ip: text(),
    // The address as flood control counts it (domain/client.ts clientGroup): an IPv4 address,
    // or an IPv6 address's /64. (Comments written before this column have none: flood control
    // forgets them, which matters for one COMMENT_FLOOD_SECONDS after the upgrade.)
    ipGroup: text(),
    userAgent: text(),
    referrer: text(),
    // sha256 of the guest token returned to the poster; lets them see and edit it for a while.
    guestTokenHash: text(),
    // When its guest last edited it (the texts it had before are in comment_revisions).
    editedAt: timestamp({ withTimezone: true }),
    // sha256 of (post, parent, author identity, normalized body): a unique index turns
    // duplicate submissions, even simultaneous ones, into one comment.
    dedupeKey: text(),
    // Where an imported row came from (importers, src/domain/import/): the site and its own id,
    // e.g. `https://blog.example/#post-42`, so that importing again updates instead of duplicating.
    sourceKey: text().unique(),
    listed: boolean()
      .notNull()
      .generatedAlwaysAs(sql`(status = 'approved' and not deleted) or descendant_count > 0`),
    ...timestamps,
  },
  (t) => [
    index('comments_thread_idx').on(t.postId, t.path).where(sql`listed`),
    index('comments_top_level_idx').on(t.postId, t.path).where(sql`listed and parent_id is null`),
    index('comments_replies_idx').on(t.parentId, t.path),
    index('comments_post_idx').on(t.postId, t.createdAt),
    // The listed comments of a post by time: `thread(order: NEWEST_FIRST)` reads a page of it, and
    // `thread(since:)` and `commentCountSince` the range since a time (see queries/comments.ts).
    index('comments_recent_idx').on(t.postId, t.createdAt, t.id).where(sql`listed`),
    index('comments_author_idx').on(t.authorId).where(sql`author_id is not null`),
    index('comments_moderation_idx')
      .on(t.createdAt, t.id)
      .where(sql`status in ('pending', 'spam')`),
    index('comments_ip_idx').on(t.ipGroup, t.createdAt).where(sql`ip_group is not null`),
    index('comments_email_idx').on(sql`lower(author_email)`, t.createdAt).where(sql`author_email is not null`),
    uniqueIndex('comments_dedupe_idx').on(t.dedupeKey),
    check('comments_depth_check', sql`depth >= 1 and cardinality(path) = depth * 2`),
  ],
);

/**
 * What a comment said before each edit, for moderators, and who sent the edit: its guest (whose
 * edit counts as activity for flood control, like a new comment, by its address), or a moderator
 * (`edited_by`; such an edit is nobody's activity, and its address is not kept).
 */
export const commentRevisions = pgTable(
  'comment_revisions',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    commentId: integer()
      .notNull()
      .references(() => comments.id, { onDelete: 'cascade' }),
    // The text the edit replaced.
    bodyMarkdown: text().notNull(),
    bodyHtml: text().notNull(),
    // When the edit replaced it.
    editedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ip: text(),
    ipGroup: text(),
    userAgent: text(),
    // The moderator who edited it (editComment); null for its guest's own edits.
    editedBy: integer().references(() => authors.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('comment_revisions_comment_idx').on(t.commentId, t.editedAt),
    index('comment_revisions_edited_idx').on(t.editedAt),
  ],
);

/**
 * Guests' writes (new comments and edits) that flood control let through but that then failed, so
 * that their transaction left no comment or revision to count: each counts as activity all the
 * same (queries/comment-writes.ts floodWait), so that a failing write cannot be repeated at will.
 * Kept only for COMMENT_FLOOD_SECONDS: each new row deletes the older ones.
 */
export const commentAttempts = pgTable(
  'comment_attempts',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    // As flood control groups them: an address (domain/guest-input.ts floodGroup), an email in lower case.
    ipGroup: text(),
    email: text(),
    attemptedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('comment_attempts_ip_idx').on(t.ipGroup, t.attemptedAt).where(sql`ip_group is not null`),
    index('comment_attempts_email_idx').on(t.email, t.attemptedAt).where(sql`email is not null`),
    index('comment_attempts_attempted_idx').on(t.attemptedAt),
  ],
);

/*
 * Senders moderators blocked from the queue (blockSender), on top of SPAM_BLOCKLIST: a guest comment
 * (or edit) from a blocked email or address group is spam. `value` is stored as it is matched: an
 * email in lower case, an address as flood control groups it (domain/client.ts clientGroup: an
 * IPv4 address, an IPv6 /64), since a host picks any address in its /64 at will.
 */
export const senderKind = pgEnum('sender_kind', ['email', 'ip']);
export const blockedSenders = pgTable(
  'blocked_senders',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    kind: senderKind().notNull(),
    value: text().notNull(),
    reason: text(),
    // The moderator who blocked it, and the comment they blocked it from.
    createdBy: integer().references(() => authors.id, { onDelete: 'set null' }),
    commentId: integer().references(() => comments.id, { onDelete: 'set null' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // The spam pipeline looks a sender up by both keys in one statement; the list pages newest first.
  (t) => [uniqueIndex('blocked_senders_value_idx').on(t.kind, t.value), index('blocked_senders_created_idx').on(t.createdAt, t.id)],
);

/** API tokens: only a hash is stored; the token itself is shown once, when it is created. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: integer().primaryKey().generatedByDefaultAsIdentity(),
    authorId: integer()
      .notNull()
      .references(() => authors.id, { onDelete: 'cascade' }),
    role: authorRole().notNull(),
    name: text().notNull(),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_idx').on(t.tokenHash), index('api_tokens_author_idx').on(t.authorId)],
);

/*
 * The thread outbox: one row per change to a post's thread, written in the transaction that makes
 * the change (so a rolled-back write leaves none), read by `threadEvents` subscribers after the
 * writer announces "post P has events up to id N" (src/subscriptions/). Each comment row records
 * the comment's state before and after the change (status, deleted, listed), so that each
 * subscriber can tell, by its own visibility, whether it saw the comment before and sees it now:
 * what it is sent follows from that alone, the same live and on resume. Writers take a per-post
 * lock before inserting (queries/thread-events.ts), so a post's ids commit in order.
 */
export const threadEventKind = pgEnum('thread_event_kind', ['added', 'edited', 'moderated', 'deleted', 'post']);
export const threadEvents = pgTable(
  'thread_events',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    postId: integer()
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    commentId: integer().references(() => comments.id, { onDelete: 'cascade' }),
    kind: threadEventKind().notNull(),
    // The comment before the change (null for `added`, and for `post` events) and after it.
    statusBefore: commentStatus(),
    deletedBefore: boolean(),
    listedBefore: boolean(),
    status: commentStatus(),
    deleted: boolean(),
    listed: boolean(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('thread_events_post_idx').on(t.postId, t.id), index('thread_events_created_idx').on(t.createdAt)],
);

export type AuthorRow = typeof authors.$inferSelect;
export type PostRow = typeof posts.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type CommentRevisionRow = typeof commentRevisions.$inferSelect;
export type BlockedSenderRow = typeof blockedSenders.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type ThreadEventRow = typeof threadEvents.$inferSelect;
export type Role = AuthorRow['role'];
