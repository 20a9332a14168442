import type { Db } from '../db/client.js';
import { deleteBlock, insertBlocks, type SenderKind } from '../db/queries/blocked-senders.js';
import { commentById } from '../db/queries/comment-writes.js';
import type { BlockedSenderRow } from '../db/schema.js';
import { clientGroup } from './client.js';
import { NotFoundError, ValidationError } from './errors.js';
import { senderEmail } from './guest-input.js';
import type { Viewer } from './roles.js';

/*
 * The blocklist moderators keep (blockSender), on top of SPAM_BLOCKLIST: a guest comment or edit
 * from a blocked email or address group is spam, with the entry as its held reason (spam.ts).
 * Blocking changes no comment that exists: moderators mark those with moderateComments.
 */

const MAX_REASON = 500;

/** What a sender is blocked by, of each kind: as the spam pipeline will look it up. */
const senderValue = (kind: SenderKind, value: string | null) => (kind === 'email' ? senderEmail(value) : clientGroup(value));

function validReason(reason: string | null | undefined): string | null {
  const text = reason?.trim() || null;
  if (text !== null && text.length > MAX_REASON) throw new ValidationError('reason', `The reason is too long: at most ${MAX_REASON} characters.`);
  return text;
}

/** Blocks the email and/or the address a comment was sent from; blocking again keeps the first entry. */
export async function blockSender(
  db: Db,
  moderator: Viewer,
  commentId: number,
  kinds: readonly SenderKind[],
  reason: string | null | undefined,
): Promise<BlockedSenderRow[]> {
  const wanted = [...new Set(kinds)];
  if (wanted.length === 0) throw new ValidationError('what', 'Say what to block: EMAIL, IP or both.');
  const note = validReason(reason);
  const comment = await commentById(db, commentId);
  if (!comment) throw new NotFoundError('There is no such comment.');
  const blocks = wanted.map((kind) => {
    const value = senderValue(kind, kind === 'email' ? comment.authorEmail : comment.ip);
    if (value === null) {
      throw new ValidationError(
        'what',
        kind === 'email' ? 'This comment has no email address (a registered author wrote it).' : 'No address was recorded for this comment.',
      );
    }
    return { kind, value, reason: note, createdBy: moderator.author.id, commentId };
  });
  return insertBlocks(db, blocks);
}

/** Unblocks a sender, named as it is shown in the blocklist (an address is unblocked with its group). */
export async function unblockSender(db: Db, kind: SenderKind, value: string): Promise<BlockedSenderRow> {
  const removed = await deleteBlock(db, kind, senderValue(kind, value.trim()) ?? value);
  if (!removed) throw new NotFoundError(`That ${kind === 'email' ? 'email' : 'address'} is not blocked.`);
  return removed;
}
