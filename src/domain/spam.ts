import type { Akismet, AkismetComment } from './akismet.js';
import { fold } from './guest-input.js';

/*
 * The spam pipeline ("This site uses Akismet to reduce spam"): cheap local checks first (the
 * honeypot, SPAM_BLOCKLIST and the senders moderators blocked, links, the moderation mode), then
 * Akismet when it is configured. Its verdict decides the new comment's status; the poster of a
 * spam comment is told "pending", like every held comment. A guest's edit goes through it again
 * with the new text. (Duplicates and floods are refused before this runs: see domain/comments.ts.)
 */

export type Verdict = { status: 'approved' | 'pending' | 'spam'; reason: string | null };

export interface SpamSettings {
  moderation: 'auto' | 'manual';
  /** Lower-case words, IP addresses or emails; a match anywhere in the comment marks it spam. */
  blocklist: readonly string[];
}

export interface Submission extends AkismetComment {
  /** The hidden form field humans leave empty. */
  honeypot: string | null;
  /** The rendered HTML, where links are counted. */
  html: string;
  /** The entry of the blocklist moderators keep (blockSender) that names this sender, if any. */
  blockedSender: BlockedSender | null;
}

/** How a sender is blocked: by email (lower case) or by address group (see clientGroup). */
export interface BlockedSender {
  kind: 'email' | 'ip';
  value: string;
}

/** Two or more links hold a comment for moderation, as WordPress does by default. */
const MAX_LINKS = 1;

export function localVerdict(submission: Submission, settings: SpamSettings): Verdict {
  if (submission.honeypot) return { status: 'spam', reason: 'honeypot' };
  // Folded (see guest-input.ts), so that "ｃａｓｉｎｏ" or "cas\u200Bino" still match "casino".
  const haystack = fold(
    [
      submission.content,
      submission.authorName,
      submission.authorEmail,
      submission.authorUrl,
      submission.ip,
      submission.userAgent,
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const blocked = settings.blocklist.find((entry) => haystack.includes(fold(entry)));
  if (blocked) return { status: 'spam', reason: `blocklist: ${blocked}` };
  const sender = submission.blockedSender;
  if (sender) return { status: 'spam', reason: `blocked ${sender.kind}: ${sender.value}` };
  const links = submission.html.match(/<a\s/g)?.length ?? 0;
  if (links > MAX_LINKS) return { status: 'pending', reason: `${links} links` };
  if (settings.moderation === 'manual') return { status: 'pending', reason: 'manual moderation' };
  return { status: 'approved', reason: null };
}

export async function verdict(submission: Submission, settings: SpamSettings, akismet: Akismet | null): Promise<Verdict> {
  const local = localVerdict(submission, settings);
  if (local.status === 'spam' || !akismet) return local;
  switch (await akismet.check(submission)) {
    case 'spam':
    case 'discard':
      return { status: 'spam', reason: 'akismet' };
    case 'unavailable':
      return { status: 'pending', reason: local.reason ?? 'akismet unavailable' };
    case 'ham':
      return local;
  }
}
