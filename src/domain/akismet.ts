import type { Logger } from '../logger.js';

/*
 * Akismet (https://akismet.com/developers/) over its REST protocol: form-encoded POSTs to
 * /1.1/comment-check, /1.1/submit-spam and /1.1/submit-ham. A check that fails or takes longer
 * than the timeout is "unavailable": the caller holds the comment for a moderator, it is never
 * lost and never approved on Akismet's behalf.
 */

export interface AkismetComment {
  ip: string | null;
  userAgent: string | null;
  referrer: string | null;
  permalink: string | null;
  isReply: boolean;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  content: string;
  createdAt: Date;
  /** Why content already checked once is checked again: `edit` when its author changed it. */
  recheckReason?: 'edit';
}

export type AkismetVerdict = 'ham' | 'spam' | 'discard' | 'unavailable';

export interface AkismetOptions {
  apiKey: string;
  siteUrl: string;
  url: string;
  timeoutMs: number;
}

export interface Akismet {
  check(comment: AkismetComment): Promise<AkismetVerdict>;
  /** Tells Akismet a moderator overrode its verdict; failures are logged, never thrown. */
  submit(kind: 'spam' | 'ham', comment: AkismetComment): Promise<void>;
}

export function createAkismet(options: AkismetOptions, logger: Logger): Akismet {
  const post = async (method: string, comment: AkismetComment) => {
    const body = new URLSearchParams({
      api_key: options.apiKey,
      blog: options.siteUrl,
      user_ip: comment.ip ?? '',
      user_agent: comment.userAgent ?? '',
      referrer: comment.referrer ?? '',
      permalink: comment.permalink ?? '',
      comment_type: comment.isReply ? 'reply' : 'comment',
      comment_author: comment.authorName,
      comment_author_email: comment.authorEmail ?? '',
      comment_author_url: comment.authorUrl ?? '',
      comment_content: comment.content,
      comment_date_gmt: comment.createdAt.toISOString(),
      blog_charset: 'UTF-8',
      ...(comment.recheckReason ? { recheck_reason: comment.recheckReason } : {}),
    });
    return fetch(`${options.url}/1.1/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Palaver/0.1 | Akismet' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  };

  return {
    async check(comment) {
      try {
        const response = await post('comment-check', comment);
        const text = (await response.text()).trim();
        if (response.ok && text === 'true') {
          return response.headers.get('x-akismet-pro-tip') === 'discard' ? 'discard' : 'spam';
        }
        if (response.ok && text === 'false') return 'ham';
        logger.warn(
          `Akismet comment-check answered ${response.status} ${JSON.stringify(text.slice(0, 100))}`,
          response.headers.get('x-akismet-debug-help') ?? '',
        );
      } catch (error) {
        logger.warn(`Akismet comment-check failed: ${(error as Error).message}`);
      }
      return 'unavailable';
    },
    async submit(kind, comment) {
      try {
        const response = await post(kind === 'spam' ? 'submit-spam' : 'submit-ham', comment);
        if (!response.ok) logger.warn(`Akismet submit-${kind} answered ${response.status}`);
        await response.body?.cancel();
      } catch (error) {
        logger.warn(`Akismet submit-${kind} failed: ${(error as Error).message}`);
      }
    },
  };
}
