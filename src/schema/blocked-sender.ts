import { builder } from '../builder.js';
import { countBlocks, listBlocks } from '../db/queries/blocked-senders.js';
import type { BlockedSenderRow } from '../db/schema.js';
import { blockSender, unblockSender } from '../domain/blocklist.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { resolversOnly } from '../engine/declare.js';
import { maxItems, maxLength } from '../limits.js';
import { AuthorRef } from './author.js';
import { CommentRef } from './comment.js';
import { inputKey } from './ids.js';
import { pageFromArgs, toConnection } from './pagination.js';

/**
 * An entry of the blocklist moderators keep (blockSender): guest comments from it are spam.
 * Not a Node: `node(id)` must not become a way around the moderators-only rule; an entry is
 * named by its kind and value, as the spam pipeline matches it.
 */
const BlockedSenderRef = builder.objectRef<BlockedSenderRow>('BlockedSender');

const SenderKind = builder.enumType('SenderKind', {
  values: {
    EMAIL: { value: 'email', description: 'The email address (compared in lower case).' },
    IP: { value: 'ip', description: 'The address it came from: an IPv4 address, or an IPv6 address’s /64 (one customer’s network).' },
  } as const,
});

BlockedSenderRef.implement({
  description: 'A blocked email or address (moderators only): guest comments and edits from it are marked spam.',
  authScopes: { role: 'editor' },
  fields: (t) => ({
    kind: t.field({ type: SenderKind, resolve: (block) => block.kind }),
    value: t.exposeString('value', { description: 'The email in lower case, or the address (`2001:db8:0:1::/64` for IPv6).' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, in the words of the moderator who blocked it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    createdBy: t.field({
      type: AuthorRef,
      nullable: true,
      description: 'The moderator who blocked it.',
      resolve: (block, _args, { loaders }) => (block.createdBy === null ? null : loaders.author.load(block.createdBy)),
    }),
    comment: t.field({
      type: CommentRef,
      nullable: true,
      description: 'The comment it was blocked from (null once that comment is gone).',
      resolve: (block, _args, { loaders }) => (block.commentId === null ? null : loaders.comment.load(block.commentId)),
    }),
  }),
});

const BlockedSenderConnection = builder.connectionObject({ type: BlockedSenderRef, name: 'BlockedSenderConnection' });

builder.queryField('blockedSenders', (t) =>
  t.connection(
    {
      type: BlockedSenderRef,
      description: 'Moderators: the blocklist kept with `blockSender`, newest first (SPAM_BLOCKLIST applies as well).',
      authScopes: { role: 'editor' },
      extensions: resolversOnly('moderators only: their own working list'),
      resolve: async (_root, args, { db }) => {
        const page = pageFromArgs(args, 'BlockedSender', true);
        return toConnection(await listBlocks(db, page), page, 'BlockedSender', () => countBlocks(db));
      },
    },
    BlockedSenderConnection,
  ),
);

const BlockSenderPayload = builder.objectRef<{ blocked: BlockedSenderRow[] }>('BlockSenderPayload');
BlockSenderPayload.implement({
  fields: (t) => ({
    blocked: t.field({
      type: [BlockedSenderRef],
      description: 'The entries, one per kind asked (already blocked ones as they were).',
      // One per kind: EMAIL, IP.
      extensions: maxLength(2),
      resolve: ({ blocked }) => blocked,
    }),
  }),
});

builder.mutationFields((t) => ({
  blockSender: t.field({
    type: BlockSenderPayload,
    description:
      "Moderators: block the email and/or the address a comment came from. From then on, guests' comments and edits from " +
      'it are marked spam (held reason `blocked email: …` / `blocked ip: …`). Comments already there do not change: ' +
      'mark them with `moderateComments`.',
    args: {
      commentId: t.arg.id({ required: true }),
      what: t.arg({ type: [SenderKind], required: true, description: 'EMAIL, IP or both.', extensions: maxItems(2) }),
      reason: t.arg.string({ description: 'Up to 500 characters, for the other moderators.' }),
    },
    errors: { types: [ValidationError, NotFoundError], directResult: true },
    authScopes: { role: 'editor' },
    resolve: async (_root, args, context) => ({
      blocked: await blockSender(context.db, context.viewer!, inputKey(args.commentId, 'Comment', 'commentId'), args.what, args.reason),
    }),
  }),
  unblockSender: t.field({
    type: BlockedSenderRef,
    description: 'Moderators: remove an entry of the blocklist (as `blockedSenders` shows it); returns the entry removed.',
    args: { kind: t.arg({ type: SenderKind, required: true }), value: t.arg.string({ required: true }) },
    errors: { types: [NotFoundError], directResult: true },
    authScopes: { role: 'editor' },
    resolve: (_root, args, { db }) => unblockSender(db, args.kind, args.value),
  }),
}));
