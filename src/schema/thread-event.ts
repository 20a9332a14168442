import { builder } from '../builder.js';
import type { CommentRecord } from '../db/queries/comments.js';
import { resolversOnly } from '../engine/declare.js';
import { eventCursor, openThreadStream, type StreamItem, type ThreadEventPayload } from '../subscriptions/stream.js';
import { CommentRef } from './comment.js';
import { encodeGlobalId, keyOf } from './ids.js';
import { decodeCursor } from './pagination.js';
import { PostRef } from './post.js';

/*
 * `threadEvents`, the one subscription, and its events: a union and its members live together
 * here because none of them means anything apart from the stream (src/subscriptions/stream.ts
 * decides which event each subscriber gets).
 */

type Payload<T extends ThreadEventPayload['type']> = Extract<ThreadEventPayload, { type: T }>;

const cursorField = 'Opaque: pass it as `after` to resume the stream after this event.';

const commentEvent = (name: 'CommentAdded' | 'CommentEdited', description: string) =>
  builder.objectRef<Payload<typeof name>>(name).implement({
    description,
    fields: (t) => ({
      cursor: t.string({ description: cursorField, resolve: ({ id }) => eventCursor(id) }),
      comment: t.field({ type: CommentRef, resolve: ({ comment }) => comment }),
      isPublic: t.boolean({
        description: 'Whether everyone sees it now; false: only moderators, and the guest who wrote it (with its guest token), do.',
        resolve: ({ isPublic }) => isPublic,
      }),
    }),
  });

const CommentAdded = commentEvent(
  'CommentAdded',
  'A comment entered your view of the thread: posted, approved, or (moderators) held for moderation.',
);
const CommentEdited = commentEvent(
  'CommentEdited',
  'A comment in your view changed: its words, or its status (moderators; and a guest whose own comment was approved).',
);

const CommentRemoved = builder.objectRef<Payload<'CommentRemoved'>>('CommentRemoved').implement({
  description:
    'A comment left your view (deleted, or moderated away), or, with `placeholder`, stays in the tree only as a ' +
    'placeholder for its visible replies.',
  fields: (t) => ({
    cursor: t.string({ description: cursorField, resolve: ({ id }) => eventCursor(id) }),
    commentId: t.id({ resolve: ({ commentId }) => encodeGlobalId('Comment', commentId) }),
    placeholder: t.boolean({ description: 'It stays in the tree as a placeholder (no author, no body).', resolve: (e) => e.placeholder }),
    // Not `comment`: in the union that name is a non-null Comment.
    placeholderComment: t.field({
      type: CommentRef,
      nullable: true,
      description: 'The placeholder as the thread now shows it, when `placeholder` is true.',
      resolve: ({ comment }) => comment as CommentRecord | null,
    }),
  }),
});

const ThreadCounts = builder.objectRef<Payload<'ThreadCounts'>>('ThreadCounts').implement({
  description: "The post's counters changed: sent after the events that changed them, with the last one's cursor.",
  fields: (t) => ({
    cursor: t.string({ description: cursorField, resolve: ({ id }) => eventCursor(id) }),
    commentCount: t.int({ description: 'As `Post.commentCount`: public comments.', resolve: (e) => e.commentCount }),
    post: t.field({ type: PostRef, nullable: true, resolve: ({ postId }, _args, { loaders }) => loaders.post.load(postId) }),
  }),
});

const ThreadHidden = builder.objectRef<Payload<'ThreadHidden'>>('ThreadHidden').implement({
  description: 'The post is no longer visible to you (unpublished, archived): empty the thread; the stream ends.',
  fields: (t) => ({
    cursor: t.string({ description: cursorField, resolve: ({ id }) => eventCursor(id) }),
    postId: t.id({ resolve: ({ postId }) => encodeGlobalId('Post', postId) }),
  }),
});

const ThreadEvent = builder.unionType('ThreadEvent', {
  types: [CommentAdded, CommentEdited, CommentRemoved, ThreadCounts, ThreadHidden],
  resolveType: (event) => event.type,
});

builder.subscriptionField('threadEvents', (t) =>
  t.field({
    type: ThreadEvent,
    description:
      "Every change to a post's thread that you may see, as it happens (GraphQL over SSE: see the README). " +
      'Without `after`, from now on; with `after` (a cursor of an event), first everything since that event, ' +
      'then live, with no gap and nothing twice. A guest passes the guest token of their comment to hear of it ' +
      'while it is held, and when it is approved.',
    args: {
      postId: t.arg.id({ required: true }),
      after: t.arg.string({ description: 'The cursor of the last event you received.' }),
      guestToken: t.arg.string({ description: 'The guest token addComment returned.' }),
    },
    extensions: resolversOnly('a stream of events, read by src/subscriptions/stream.ts'),
    subscribe: (_root, args, context) =>
      openThreadStream(context, {
        postId: keyOf(args.postId, 'Post', 'postId'),
        afterId: decodeCursor('ThreadEvent', args.after, 'after'),
        guestToken: args.guestToken ?? null,
      }),
    resolve: (item: StreamItem) => {
      // The error that ends the stream (see stream.ts) is its last item.
      if (item.type === 'error') throw item.error;
      return item;
    },
  }),
);
