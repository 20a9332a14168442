import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { sql } from 'drizzle-orm';
import {
  canReadComment,
  commentLists,
  countByStatus,
  findableAncestorsSql,
  findableCommentSql,
  isPublicComment,
  publicCommentSql,
  readableCommentSql,
  type CommentRecord,
} from '../db/queries/comments.js';
import { visiblePost } from '../db/queries/posts.js';
import { comments as commentsTable, type CommentRow } from '../db/schema.js';
import { resolversOnly, sqlConnection, sqlRows, sqlSource, sqlValue } from '../engine/declare.js';
import {
  addComment,
  deleteOwnComment,
  editComment,
  editOwnComment,
  moderate,
  readOwnComment,
  type CommentServices,
  type OwnComment as OwnCommentResult,
} from '../domain/comments.js';
import {
  DuplicateError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../domain/errors.js';
import { descends, maxItems, maxLength } from '../limits.js';
import { BodyFormat } from './body-format.js';
import { commentAuthorRow, CommentAuthorRef } from './comment-author.js';
import { CommentRevisionRef } from './comment-revision.js';
import { CommentSenderRef, commentSenderRow } from './comment-sender.js';
import { encodeGlobalId, inputKey, keyOf, loadNodes, parseKey } from './ids.js';
import { cursorSql, encodeCursor, pageFromArgs, toConnection } from './pagination.js';
import { PostRef } from './post.js';
import { isDescending, SortOrder } from './sort-order.js';

export const CommentRef = builder.objectRef<CommentRecord>('Comment');

/** The most revisions `Comment.revisions` shows (the newest): a moderator may edit without end. */
export const MAX_REVISIONS_SHOWN = 100;

/** Moderators read every comment, and a guest their own (unlocked by its guest token). */
const canRead = (comment: CommentRecord, { access, unlockedComments }: Context) => canReadComment(comment, access, unlockedComments);

/** A field shown only to those who may read the comment (see canReadComment). */
const whenReadable = (column: string) =>
  sqlValue((c, { access }) => sql`case when ${readableCommentSql(c, access)} then ${c}.${sql.raw(column)} end`);


export const CommentStatus = builder.enumType('CommentStatus', {
  values: {
    PENDING: { value: 'pending', description: 'Held for a moderator.' },
    APPROVED: { value: 'approved', description: 'Public.' },
    SPAM: { value: 'spam' },
    TRASH: { value: 'trash' },
  } as const,
});

const SubmissionStatus = builder.enumType('SubmissionStatus', {
  description: 'What became of a comment, as its poster sees it (spam shows as PENDING).',
  values: ['APPROVED', 'PENDING'] as const,
});

const ModerationAction = builder.enumType('ModerationAction', {
  values: {
    APPROVE: { value: 'approve', description: 'Make public (tells Akismet when it said spam).' },
    HOLD: { value: 'hold', description: 'Back to pending.' },
    SPAM: { value: 'spam', description: 'Mark as spam (tells Akismet when it said otherwise).' },
    TRASH: { value: 'trash' },
    DELETE: { value: 'delete', description: 'Delete; a comment with visible replies stays as a placeholder.' },
  } as const,
});

const services = ({ db, services: s }: Context): CommentServices => ({
  db,
  changes: s.changes,
  settings: s.config.comments,
  akismet: s.akismet,
  logger: s.logger,
  announce: s.threadEvents.announce,
});

builder.node(CommentRef, {
  description:
    'A reply to a post or to another comment. A comment that was deleted (or is no longer approved) ' +
    'but still has visible replies stays in the tree as a placeholder: `isPlaceholder` is true and ' +
    '`author` and the body are null.',
  id: { resolve: (comment) => comment.id, parse: parseKey },
  extensions: sqlSource({ table: commentsTable, alias: 'c', visible: (c, { access }) => findableCommentSql(c, access) }),
  loadManyWithoutCache: (ids, { loaders }) => loadNodes(loaders.comment, ids),
  fields: (t) => ({
    post: t.field({
      type: PostRef,
      extensions: sqlRows({ where: (p, c, { access }) => sql`${p}.id = ${c}.post_id and ${visiblePost(access.posts, p)}`, unique: true }),
      resolve: async (comment, _args, { loaders }) => (await loaders.post.load(comment.postId))!,
    }),
    parent: t.field({
      type: CommentRef,
      nullable: true,
      description: 'The comment this one replies to; null at the top level.',
      extensions: sqlRows({
        where: (parent, c, { access }) => sql`${parent}.id = ${c}.parent_id and ${findableCommentSql(parent, access)}`,
        unique: true,
      }),
      resolve: (comment, _args, { loaders }) =>
        comment.parentId === null ? null : loaders.comment.load(comment.parentId),
    }),
    threadCursor: t.string({
      description:
        "This comment's cursor in its lists (`Post.thread`, `comments`, `replies`): page on from it with `after`, " +
        'e.g. from a comment a `threadEvents` event brought.',
      extensions: sqlValue((c) => cursorSql('Comment', sql`${c}.id`)),
      resolve: (comment) => encodeCursor('Comment', comment.id),
    }),
    depth: t.exposeInt('depth', { description: '1 for a top-level comment, 2 for a reply to it, and so on.' }),
    ancestors: t.field({
      type: [CommentRef],
      description:
        'The comments above this one, from its top-level comment down to its parent (empty at the top level): ' +
        'a deep comment in its context in one request. Ancestors that are not public show as placeholders, as in `thread`.',
      // The ancestors' ids are in the path: one primary-key probe per level (ancestorsByIds says
      // why the chain of a listed comment is whole). Replies nest at most MAX_COMMENT_DEPTH deep,
      // and the list is cut there for a comment imported deeper, so that its length is a bound.
      extensions: {
        ...sqlRows({
          where: (a, c, { access }) => findableAncestorsSql(a, c!, access),
          orderBy: (a) => sql`${a}.depth`,
        }),
        ...maxLength((limits) => limits.commentDepth - 1),
      },
      resolve: (comment, _args, { loaders }) => loaders.ancestorsOfComment.load(comment.id),
    }),
    isPlaceholder: t.boolean({
      description: 'Not public (deleted, or no longer approved) but kept in the tree for its visible replies.',
      extensions: sqlValue((c) => sql`not ${publicCommentSql(c)}`),
      resolve: (comment) => !isPublicComment(comment),
    }),
    author: t.field({
      type: CommentAuthorRef,
      nullable: true,
      extensions: sqlRows({ from: commentAuthorRow, where: (_author, c, { access }) => readableCommentSql(c!, access), unique: true }),
      resolve: (comment, _args, context) => (canRead(comment, context) ? comment : null),
    }),
    bodyHtml: t.string({
      nullable: true,
      description: 'The comment rendered (from Markdown, or as HTML) and sanitized: what to display.',
      extensions: whenReadable('body_html'),
      resolve: (comment, _args, context) => (canRead(comment, context) ? comment.bodyHtml : null),
    }),
    bodyMarkdown: t.string({
      nullable: true,
      description: 'The comment as written, in `bodyFormat`: Markdown, or for an imported comment its HTML.',
      extensions: whenReadable('body_markdown'),
      resolve: (comment, _args, context) => (canRead(comment, context) ? comment.bodyMarkdown : null),
    }),
    bodyFormat: t.expose('bodyFormat', { type: BodyFormat }),
    status: t.field({
      type: CommentStatus,
      nullable: true,
      description: 'Moderators only.',
      authScopes: { role: 'editor' },
      extensions: sqlValue((c) => sql`${c}.status`),
      resolve: (comment) => comment.status,
    }),
    isDeleted: t.boolean({
      nullable: true,
      description: 'Moderators only.',
      authScopes: { role: 'editor' },
      extensions: sqlValue((c) => sql`${c}.deleted`),
      resolve: (comment) => comment.deleted,
    }),
    heldReason: t.string({
      nullable: true,
      description: 'Moderators only: why the spam pipeline or a moderator held the comment.',
      authScopes: { role: 'editor' },
      extensions: sqlValue((c) => sql`${c}.held_reason`),
      resolve: (comment) => comment.heldReason,
    }),
    sender: t.field({
      type: CommentSenderRef,
      nullable: true,
      description: 'Moderators only: where the comment came from (email, IP, user agent, referrer).',
      authScopes: { role: 'editor' },
      extensions: sqlRows({ from: commentSenderRow, where: () => sql`true`, unique: true }),
      resolve: (comment, _args, { loaders }) => loaders.senderOfComment.load(comment.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    editedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When its text was last edited, by its guest or a moderator; null if never (and, like the body, while it is not public).',
      extensions: whenReadable('edited_at'),
      resolve: (comment, _args, context) => (canRead(comment, context) ? comment.editedAt : null),
    }),
    revisions: t.field({
      type: [CommentRevisionRef],
      nullable: true,
      description: `Moderators only: the texts it had before each edit (and who edited), newest first, the last ${MAX_REVISIONS_SHOWN} (empty if never edited).`,
      authScopes: { role: 'editor' },
      extensions: {
        ...sqlRows({ where: (r, c) => sql`${r}.comment_id = ${c}.id`, orderBy: (r) => sql`${r}.edited_at desc, ${r}.id desc` }),
        ...maxLength(MAX_REVISIONS_SHOWN),
      },
      resolve: (comment, _args, { loaders }) => loaders.revisionsOfComment.load(comment.id),
    }),
    replyCount: t.exposeInt('replyCount', { description: 'Visible direct replies (the size of `replies`).' }),
    descendantCount: t.exposeInt('descendantCount', { description: 'Visible comments anywhere below this one.' }),
    replies: t.connection(
      {
        type: CommentRef,
        args: { order: t.arg({ type: SortOrder, required: true, defaultValue: 'OLDEST_FIRST' }) },
        // comments_replies_idx: the listed replies in path order; replyCount counts them.
        extensions: {
          ...sqlConnection({
            where: (reply, c) => commentLists.replies(sql`${c}.id`, reply),
            key: (reply) => [sql`${reply}.path`],
            descending: (args) => isDescending(args.order as 'OLDEST_FIRST' | 'NEWEST_FIRST'),
            count: (c) => sql`${c}.reply_count`,
          }),
          ...descends(),
        },
        resolve: async (comment, args, { loaders }) => {
          const page = pageFromArgs(args, 'Comment', isDescending(args.order));
          const result = await loaders.repliesOfComment.load({ id: comment.id, page });
          return toConnection(result, page, 'Comment', () => comment.replyCount);
        },
      },
      CommentConnection,
    ),
  }),
});

export const CommentConnection = builder.connectionObject({ type: CommentRef, name: 'CommentConnection' });

builder.queryField('comment', (t) =>
  t.field({
    type: CommentRef,
    nullable: true,
    description: 'A visible comment by ID; null when there is none.',
    args: { id: t.arg.id({ required: true }) },
    extensions: sqlRows({ where: (c, _row, { access }, { id }) => sql`${c}.id = ${keyOf(id as string, 'Comment')} and ${findableCommentSql(c, access)}` }),
    resolve: (_root, { id }, { loaders }) => loaders.comment.load(keyOf(id, 'Comment')),
  }),
);

/** A guest's view of their own comment, through the token they were given when posting it. */
const OwnComment = builder.objectRef<OwnCommentResult>('OwnComment');
OwnComment.implement({
  fields: (t) => ({
    comment: t.field({ type: CommentRef, resolve: ({ comment }) => comment }),
    status: t.field({ type: SubmissionStatus, resolve: ({ status }) => status }),
    editableUntil: t.expose('editableUntil', {
      type: 'DateTime',
      description: 'Until when the guest token may read, edit or delete it (then ownComment is NOT_FOUND, edits FORBIDDEN).',
    }),
  }),
});

const DeleteOwnCommentPayload = builder.objectRef<{ id: number }>('DeleteOwnCommentPayload');
DeleteOwnCommentPayload.implement({
  fields: (t) => ({
    deletedId: t.id({ description: 'The deleted comment.', resolve: ({ id }) => encodeGlobalId('Comment', id) }),
  }),
});

const AddCommentPayload = builder.objectRef<Awaited<ReturnType<typeof addComment>>>('AddCommentPayload');
AddCommentPayload.implement({
  fields: (t) => ({
    comment: t.field({ type: CommentRef, resolve: ({ comment }) => comment }),
    status: t.field({ type: SubmissionStatus, resolve: ({ status }) => status }),
    guestToken: t.exposeString('guestToken', {
      nullable: true,
      description:
        'Guests only, shown once: lets the poster read their comment and edit or delete it for COMMENT_EDIT_MINUTES ' +
        '(null when that is 0).',
    }),
    editableUntil: t.expose('editableUntil', { type: 'DateTime', nullable: true }),
  }),
});

const ModerateCommentsPayload = builder.objectRef<{ comments: CommentRow[] }>('ModerateCommentsPayload');
ModerateCommentsPayload.implement({
  // One per ID of moderateComments (at most 100).
  fields: (t) => ({ comments: t.field({ type: [CommentRef], extensions: maxLength(100), resolve: ({ comments }) => comments }) }),
});

const AddCommentInput = builder.inputType('AddCommentInput', {
  fields: (t) => ({
    postId: t.id({ required: true }),
    parentId: t.id({ description: 'The comment this one replies to; none for a top-level comment.' }),
    body: t.string({ required: true, description: 'Markdown, 1–65,525 characters. No HTML.' }),
    name: t.string({ description: 'Guests: required, up to 245 characters.' }),
    email: t.string({ description: 'Guests: required, up to 100 characters. Never shown.' }),
    url: t.string({ description: 'Guests: optional http(s) website, up to 200 characters.' }),
    honeypot: t.string({ description: 'Leave empty: render it as a hidden form field that only bots fill in.' }),
  }),
});

// Remember that this request showed the comment's guest token: its poster may read it.
const unlock = <T extends { comment: CommentRow }>(context: Context, result: T): T => {
  context.unlockedComments.add(result.comment.id);
  return result;
};

builder.queryFields((t) => ({
  ownComment: t.field({
    type: OwnComment,
    description:
      "A guest's own comment, whatever its status, with the guest token returned by addComment, until `editableUntil`. " +
      'After that, and once deleted, it is NOT_FOUND, as for any unknown comment.',
    args: { id: t.arg.id({ required: true }), guestToken: t.arg.string({ required: true }) },
    errors: { types: [NotFoundError], directResult: true },
    extensions: resolversOnly('the guest token is checked against its hash, in TypeScript, and unlocks the comment for the request'),
    resolve: async (_root, args, context) =>
      unlock(context, await readOwnComment(services(context), inputKey(args.id, 'Comment', 'id'), args.guestToken)),
  }),
  moderationQueue: t.connection(
    {
      type: CommentRef,
      description: 'Comments waiting for a moderator (pending and spam by default), on every post, newest first.',
      authScopes: { role: 'editor' },
      extensions: resolversOnly('moderators only: their own working list'),
      args: { statuses: t.arg({ type: [CommentStatus], required: true, defaultValue: ['pending', 'spam'], extensions: maxItems(10) }) },
      resolve: async (_root, args, { db, loaders }) => {
        const page = pageFromArgs(args, 'Comment', true);
        const result = await loaders.moderationQueue(args.statuses, page);
        return toConnection(result, page, 'Comment', () => countByStatus(db, args.statuses));
      },
    },
    CommentConnection,
  ),
}));

const readerErrors = [ValidationError, NotFoundError, ForbiddenError, DuplicateError, RateLimitedError, LimitExceededError];

builder.mutationFields((t) => ({
  addComment: t.field({
    type: AddCommentPayload,
    description:
      '"Leave a Reply": open to anyone (guests give a name and email), and to token holders as themselves. ' +
      "Guests' comments go through the spam pipeline; the result says whether the comment is public now.",
    args: { input: t.arg({ type: AddCommentInput, required: true }) },
    errors: { types: readerErrors, directResult: true },
    resolve: async (_root, { input }, context) => {
      const result = await addComment(services(context), context.viewer, context.client, {
        ...input,
        postId: inputKey(input.postId, 'Post', 'postId'),
        parentId: input.parentId == null ? null : inputKey(input.parentId, 'Comment', 'parentId'),
      });
      return unlock(context, result);
    },
  }),
  editOwnComment: t.field({
    type: OwnComment,
    description:
      'A guest changes their comment, within the edit window, with its guest token. The new words go through the ' +
      'checks of a new comment (duplicates, flood control, spam, the moderation mode): `status` says whether it is ' +
      'still public. The same text again changes nothing.',
    args: { id: t.arg.id({ required: true }), guestToken: t.arg.string({ required: true }), body: t.arg.string({ required: true }) },
    errors: { types: readerErrors, directResult: true },
    resolve: async (_root, args, context) =>
      unlock(context, await editOwnComment(services(context), context.client, inputKey(args.id, 'Comment', 'id'), args.guestToken, args.body)),
  }),
  deleteOwnComment: t.field({
    type: DeleteOwnCommentPayload,
    description:
      'A guest deletes their comment, within the edit window, with its guest token. A deleted comment with visible ' +
      'replies stays as a placeholder; to its token it is gone (NOT_FOUND).',
    args: { id: t.arg.id({ required: true }), guestToken: t.arg.string({ required: true }) },
    errors: { types: readerErrors, directResult: true },
    resolve: async (_root, args, context) => ({
      id: await deleteOwnComment(services(context), inputKey(args.id, 'Comment', 'id'), args.guestToken),
    }),
  }),
  editComment: t.field({
    type: CommentRef,
    description:
      "Moderators: replace a comment's text (in its `bodyFormat`), e.g. to remove an insult or a phone number. The text " +
      'it replaces stays in `revisions`, with who replaced it and when; the comment shows as edited (`editedAt`); its ' +
      'status does not change. The same text again changes nothing.',
    args: { id: t.arg.id({ required: true }), body: t.arg.string({ required: true }) },
    errors: { types: [ValidationError, NotFoundError], directResult: true },
    authScopes: { role: 'editor' },
    resolve: (_root, args, context) => editComment(services(context), context.viewer!, inputKey(args.id, 'Comment', 'id'), args.body),
  }),
  moderateComments: t.field({
    type: ModerateCommentsPayload,
    description: 'Approve, hold, mark as spam, trash or delete up to 100 comments at once. Counts stay exact.',
    args: { ids: t.arg.idList({ required: true, extensions: maxItems(100) }), action: t.arg({ type: ModerationAction, required: true }) },
    errors: { types: [ValidationError, NotFoundError], directResult: true },
    authScopes: { role: 'editor' },
    resolve: async (_root, args, context) => ({
      comments: await moderate(services(context), args.ids.map((id) => inputKey(id, 'Comment', 'ids')), args.action),
    }),
  }),
}));

