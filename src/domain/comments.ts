import { createHash } from 'node:crypto';
import type { Changes } from '../cache.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import {
  adjustCommentCounts,
  commentById,
  commentRowsByIds,
  dedupeKeyExists,
  floodWait,
  insertComment,
  lockChains,
  lockKeys,
  recordFailedAttempt,
  reviseComment,
  saveLocked,
  setHeldReason,
  type LockedComment,
} from '../db/queries/comment-writes.js';
import { blockOf } from '../db/queries/blocked-senders.js';
import { reserveCommentIds } from '../db/queries/import.js';
import { postForComment } from '../db/queries/post-writes.js';
import { isListedComment } from '../db/queries/comments.js';
import { recordThreadEvents, type CommentState, type NewThreadEvent, type ThreadEventKind, type ThreadNotices } from '../db/queries/thread-events.js';
import type { CommentRow } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Akismet, AkismetComment } from './akismet.js';
import { clientGroup, type ClientInfo } from './client.js';
import {
  DuplicateError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from './errors.js';
import { fold, normalizeEmail, normalizeName, normalizeUrl, senderEmail } from './guest-input.js';
import { renderCommentBody, renderCommentMarkdown } from './markdown.js';
import type { Viewer } from './roles.js';
import { verdict, type Submission, type Verdict } from './spam.js';
import { setPublic, type CounterNode } from './thread.js';
import { hashSecret, newSecret, secretMatches } from './tokens.js';

/*
 * Writing comments: readers' "Leave a Reply" and guests editing their own comment for a while
 * both go through one pipeline (`screen`: duplicate and flood control, the spam checks, the
 * moderation mode), and moderation (moderators' verdicts and edits). Every status change goes
 * through `transition`, which keeps the thread counters exact (see setPublic).
 */

export interface CommentServices {
  db: Db;
  changes: Changes;
  settings: Config['comments'];
  akismet: Akismet | null;
  logger: Logger;
  /** Tells `threadEvents` subscribers (src/subscriptions/) what a committed write recorded. */
  announce: (notices: ThreadNotices) => void;
}

// WordPress's limits (wp_get_comment_fields_max_lengths), at least as strict.
const LIMITS = { name: 245, email: 100, url: 200, body: 65_525 };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface AddCommentInput {
  postId: number;
  parentId: number | null;
  body: string;
  name?: string | null;
  email?: string | null;
  url?: string | null;
  honeypot?: string | null;
}

/** What the poster learns: spam is reported as pending, like every held comment. */
export type SubmissionStatus = 'APPROVED' | 'PENDING';
export const submissionStatus = (status: CommentRow['status']): SubmissionStatus =>
  status === 'approved' ? 'APPROVED' : 'PENDING';

export interface AddedComment {
  comment: CommentRow;
  status: SubmissionStatus;
  guestToken: string | null;
  editableUntil: Date | null;
}

const length = (value: string) => [...value].length;

function validateBody(body: string): string {
  if (body.trim() === '') throw new ValidationError('body', 'Write something first: the comment is empty.');
  if (length(body) > LIMITS.body) {
    throw new ValidationError('body', `The comment is too long: at most ${LIMITS.body} characters.`);
  }
  return body;
}

/** A guest's name, email and website, validated and normalized as they will be stored. */
function validateGuest(input: AddCommentInput) {
  const name = normalizeName(input.name ?? '');
  const email = normalizeEmail(input.email ?? '');
  if (!name) throw new ValidationError('name', 'Your name is required.');
  if (length(name) > LIMITS.name) throw new ValidationError('name', `The name is too long: at most ${LIMITS.name} characters.`);
  if (email === '') throw new ValidationError('email', 'Your email address is required (it is never shown).');
  if (email !== null && email.length > LIMITS.email) {
    throw new ValidationError('email', `The email address is too long: at most ${LIMITS.email} characters.`);
  }
  if (email === null || !EMAIL.test(email)) throw new ValidationError('email', 'This is not a valid email address.');
  let url: string | null = null;
  if (input.url?.trim()) {
    const result = normalizeUrl(input.url, LIMITS.url);
    if (!result.ok) throw new ValidationError('url', result.message);
    url = result.url;
  }
  return { name, email, url };
}

/**
 * Same post, same parent, same author and same words (ignoring case, spacing, compatibility forms
 * and invisible characters: see `fold`): a duplicate.
 */
function dedupeKey(postId: number, parentId: number | null, identity: string, body: string): string {
  return createHash('sha256').update(JSON.stringify([postId, parentId, identity, fold(body)])).digest('hex');
}

const duplicate = () => new DuplicateError('You already said that.');
const flood = (seconds: number) => new RateLimitedError(`You are commenting too quickly: wait ${seconds} seconds.`, seconds);

/** What flood control and duplicate detection look at for one guest write. */
interface Activity {
  /** The dedupe key of the new text. */
  key: string;
  /** The comment being edited, which is no duplicate of itself. */
  commentId: number | null;
  ipGroup: string | null;
  email: string;
}

/** Refuses a duplicate, then a flood (a twin committed between the two checks is a duplicate). */
async function refuseDuplicateOrFlood(db: Db, activity: Activity, floodMs: number): Promise<void> {
  if (await dedupeKeyExists(db, activity.key, activity.commentId)) throw duplicate();
  const wait = await floodWait(db, activity.ipGroup, activity.email, floodMs);
  if (wait > 0) throw (await dedupeKeyExists(db, activity.key, activity.commentId)) ? duplicate() : flood(wait);
}

/**
 * The same checks again inside the writing transaction, after taking the advisory locks of the
 * address group and the email, so that simultaneous writes from one guest take turns.
 */
async function lockAndRefuse(tx: Db, activity: Activity, floodMs: number): Promise<void> {
  const keys = [`comment-flood:email:${activity.email.toLowerCase()}`];
  if (activity.ipGroup) keys.push(`comment-flood:ip:${activity.ipGroup}`);
  await lockKeys(tx, keys);
  await refuseDuplicateOrFlood(tx, activity, floodMs);
}

/**
 * A guest's write, in a transaction: under the locks of `lockAndRefuse` and its checks, `write`
 * runs in a savepoint. A write that fails there (its statement refused, a race lost, the database
 * failing) still counts as the guest's activity: the savepoint is rolled back, the attempt is
 * recorded (recordFailedAttempt) and committed, and the failure is thrown. Otherwise rolling back
 * the comment or revision that flood control counts would let a failing write repeat without
 * limit. What is refused before the flood check (invalid input, a closed post, a flood or a
 * duplicate itself) does not count: nothing was attempted.
 */
async function writeAsGuest<T>(db: Db, activity: Activity, floodMs: number, write: (tx: Db) => Promise<T>): Promise<T> {
  const outcome = await db.transaction(async (tx): Promise<{ done: T } | { failed: unknown }> => {
    await lockAndRefuse(tx, activity, floodMs);
    try {
      return { done: await tx.transaction(write) };
    } catch (error) {
      try {
        await recordFailedAttempt(tx, activity.ipGroup, activity.email, floodMs);
      } catch {
        throw error; // The transaction fails (and rolls back); the client hears of the first failure.
      }
      return { failed: error };
    }
  });
  if ('failed' in outcome) throw outcome.failed;
  return outcome.done;
}

/**
 * The pipeline every guest text goes through, new or edited, cheapest first: duplicates and
 * floods are refused (so they never cost an Akismet call), then the local checks, Akismet and the
 * moderation mode give the verdict. The caller writes under `lockAndRefuse`.
 */
async function screen(services: CommentServices, activity: Activity, submission: Omit<Submission, 'blockedSender'>): Promise<Verdict> {
  await refuseDuplicateOrFlood(services.db, activity, services.settings.floodMs);
  const blockedSender = await blockOf(services.db, senderEmail(activity.email), activity.ipGroup);
  return verdict({ ...submission, blockedSender }, services.settings, services.akismet);
}

function toAkismet(comment: CommentRow, permalink: string | null): AkismetComment {
  return {
    ip: comment.ip,
    userAgent: comment.userAgent,
    referrer: comment.referrer,
    permalink,
    isReply: comment.parentId !== null,
    authorName: comment.authorName,
    authorEmail: comment.authorEmail,
    authorUrl: comment.authorUrl,
    content: comment.bodyMarkdown,
    createdAt: comment.createdAt,
  };
}

export async function addComment(
  services: CommentServices,
  viewer: Viewer | null,
  client: ClientInfo,
  input: AddCommentInput,
): Promise<AddedComment> {
  const { db, settings } = services;
  const body = validateBody(input.body);
  const guest = viewer ? null : validateGuest(input);

  const post = await postForComment(db, input.postId);
  if (!post || !post.isPublic) throw new NotFoundError('There is no such post.');
  if (!post.commentsOpen) throw new ForbiddenError('Comments are closed on this post.');
  let depth = 1;
  if (input.parentId !== null) {
    const parent = await commentById(db, input.parentId);
    if (!parent || parent.postId !== post.id || parent.status !== 'approved' || parent.deleted) {
      throw new ValidationError('parentId', 'The comment you reply to is not on this post, or not visible.');
    }
    depth = parent.depth + 1;
    if (depth > settings.maxDepth) {
      throw new LimitExceededError(
        `Replies nest at most ${settings.maxDepth} levels deep: reply to an earlier comment in this conversation.`,
        settings.maxDepth,
      );
    }
  }

  const html = renderCommentMarkdown(body);
  const key = dedupeKey(post.id, input.parentId, viewer ? `author:${viewer.author.id}` : `email:${guest!.email.toLowerCase()}`, body);
  const activity: Activity | null = guest
    ? { key, commentId: null, ipGroup: clientGroup(client.ip), email: guest.email }
    : null;

  // Registered writers are trusted; guests go through the pipeline.
  let decided: Verdict = { status: 'approved', reason: null };
  if (activity) {
    decided = await screen(services, activity, {
      ...client,
      permalink: null,
      isReply: input.parentId !== null,
      authorName: guest!.name,
      authorEmail: guest!.email,
      authorUrl: guest!.url,
      content: body,
      createdAt: new Date(),
      honeypot: input.honeypot ?? null,
      html,
    });
  }
  // With no edit window there is nothing a guest token could do.
  const guestToken = guest && settings.editWindowMs > 0 ? newSecret('guest') : null;

  const insert = async (tx: Db) => {
    const [id] = await reserveCommentIds(tx, 1);
    const chain = input.parentId === null ? new Map<number, LockedComment>() : await lockChains(tx, [input.parentId]);
    const parent = input.parentId === null ? null : chain.get(input.parentId);
    if (parent && !parent.isPublic) {
      throw new ValidationError('parentId', 'The comment you reply to is no longer visible.');
    }
    const row = await insertComment(tx, {
      id: id!,
      postId: post.id,
      parentId: input.parentId,
      depth,
      authorId: viewer?.author.id ?? null,
      authorName: viewer?.author.name ?? guest!.name,
      authorEmail: guest?.email ?? null,
      authorUrl: viewer ? null : guest!.url,
      bodyMarkdown: body,
      bodyHtml: html,
      status: decided.status,
      heldReason: decided.reason,
      ip: client.ip,
      ipGroup: clientGroup(client.ip),
      userAgent: client.userAgent,
      referrer: client.referrer,
      guestTokenHash: guestToken ? hashSecret(guestToken) : null,
      dedupeKey: key,
    });
    if (!row) throw duplicate();
    if (row.status === 'approved') {
      const nodes = new Map<number, CounterNode>(chain);
      nodes.set(row.id, { id: row.id, parentId: row.parentId, isPublic: false, replyCount: 0, descendantCount: 0 });
      const { changed, publicDelta } = setPublic(nodes, row.id, true, false);
      await saveLocked(tx, changed.filter((node) => node.id !== row.id) as LockedComment[]);
      await adjustCommentCounts(tx, new Map([[post.id, publicDelta]]));
    }
    // Held ones too: the event exists, and each subscriber's visibility decides who hears of it.
    const after: CommentState = { status: row.status, deleted: false, listed: isListedComment(row) };
    const notices = await recordThreadEvents(tx, [{ postId: post.id, kind: 'added', commentId: row.id, after }]);
    return { comment: row, notices };
  };
  const { comment, notices } = await (activity ? writeAsGuest(db, activity, settings.floodMs, insert) : db.transaction(insert));
  services.announce(notices);
  if (comment.status === 'approved') await services.changes.comments(post.id, [...chainIds(comment), comment.id]);

  return {
    comment,
    status: submissionStatus(comment.status),
    guestToken,
    editableUntil: guestToken ? editableUntil(comment, settings) : null,
  };
}

export type ModerationAction = 'approve' | 'hold' | 'spam' | 'trash' | 'delete';

const STATUS_OF: Record<Exclude<ModerationAction, 'delete'>, CommentRow['status']> = {
  approve: 'approved',
  hold: 'pending',
  spam: 'spam',
  trash: 'trash',
};

/** The ids of a comment's ancestors, read off its path. */
const chainIds = (comment: Pick<CommentRow, 'parentId'> & { path?: number[] }) =>
  (comment.path ?? []).filter((_, i) => i % 2 === 1).slice(0, -1);

type Change = (row: LockedComment) => { status?: CommentRow['status']; deleted?: boolean };

const stateOf = (node: LockedComment): CommentState => ({ status: node.status, deleted: node.deleted, listed: isListedComment(node) });

interface Transitioned {
  /** Each comment as it was before. */
  before: Map<number, LockedComment>;
  /** The comments whose row changed (the comments themselves and ancestors whose counters moved), by post. */
  changed: Map<number, number[]>;
  /**
   * The thread events of the transition: each comment acted on (when its state changed, and always
   * for an edit), and each ancestor that entered or left the tree as a placeholder (entering ones
   * before the comments, from the top; leaving ones after them, from the bottom), so that a client
   * always has a comment's parent before the comment.
   */
  events: NewThreadEvent[];
}

/**
 * Inside a transaction: changes comments' status (or deletes them: a deleted comment with visible
 * replies stays as a placeholder), keeping every counter exact. `change(row)` says what becomes
 * of each locked comment; it may throw to refuse.
 */
async function applyTransition(tx: Db, ids: readonly number[], change: Change, kind: ThreadEventKind): Promise<Transitioned> {
  const nodes = await lockChains(tx, ids);
  const initial = new Map([...nodes].map(([id, node]) => [id, stateOf(node)]));
  const changed = new Map<number, LockedComment>();
  const deltas = new Map<number, number>();
  const before = new Map<number, LockedComment>();
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const node = nodes.get(id);
    if (!node) throw new NotFoundError(`There is no comment ${id}.`);
    before.set(id, { ...node });
    const next = change(node);
    node.status = next.status ?? node.status;
    node.deleted = next.deleted ?? node.deleted;
    const result = setPublic(nodes, id, node.status === 'approved' && !node.deleted);
    changed.set(id, node);
    for (const n of result.changed) changed.set(n.id, n as LockedComment);
    deltas.set(node.postId, (deltas.get(node.postId) ?? 0) + result.publicDelta);
  }
  await saveLocked(tx, [...changed.values()]);
  await adjustCommentCounts(tx, deltas);
  const byPost = new Map<number, number[]>();
  for (const node of changed.values()) byPost.set(node.postId, [...(byPost.get(node.postId) ?? []), node.id]);
  return { before, changed: byPost, events: transitionEvents(nodes, initial, new Set(before.keys()), kind) };
}

function transitionEvents(nodes: Map<number, LockedComment>, initial: Map<number, CommentState>, targets: Set<number>, kind: ThreadEventKind) {
  const event = (node: LockedComment, eventKind: ThreadEventKind): NewThreadEvent => ({
    postId: node.postId,
    kind: eventKind,
    commentId: node.id,
    before: initial.get(node.id)!,
    after: stateOf(node),
  });
  const same = (a: CommentState, b: CommentState) => a.status === b.status && a.deleted === b.deleted && a.listed === b.listed;
  const acted = [...targets].map((id) => nodes.get(id)!).filter((node) => kind === 'edited' || !same(initial.get(node.id)!, stateOf(node)));
  const flipped = [...nodes.values()].filter((node) => !targets.has(node.id) && initial.get(node.id)!.listed !== stateOf(node).listed);
  const entering = flipped.filter((node) => stateOf(node).listed).sort((a, b) => a.depth - b.depth);
  const leaving = flipped.filter((node) => !stateOf(node).listed).sort((a, b) => b.depth - a.depth);
  return [...entering.map((n) => event(n, 'moderated')), ...acted.map((n) => event(n, kind)), ...leaving.map((n) => event(n, 'moderated'))];
}

/** `applyTransition` in a transaction of its own; then the response cache hears of it. */
async function transition(
  services: CommentServices,
  ids: readonly number[],
  change: Change,
  kind: ThreadEventKind,
  alsoInTransaction: (tx: Db) => Promise<void> = async () => {},
) {
  const { before, changed, notices } = await services.db.transaction(async (tx) => {
    const result = await applyTransition(tx, ids, change, kind);
    await alsoInTransaction(tx);
    // Last: the per-post event lock is the last lock a writer takes (queries/thread-events.ts).
    return { ...result, notices: await recordThreadEvents(tx, result.events) };
  });
  services.announce(notices);
  for (const [postId, ids] of changed) await services.changes.comments(postId, ids);
  return before;
}

/** A moderator acts on comments; Akismet hears about every verdict it is overruled on. */
export async function moderate(
  services: CommentServices,
  ids: readonly number[],
  action: ModerationAction,
): Promise<CommentRow[]> {
  if (ids.length === 0) throw new ValidationError('ids', 'Name at least one comment.');
  if (ids.length > 100) throw new ValidationError('ids', 'Moderate at most 100 comments at once.');
  const before = await transition(
    services,
    ids,
    () => (action === 'delete' ? { deleted: true } : { status: STATUS_OF[action] }),
    action === 'delete' ? 'deleted' : 'moderated',
    (tx) => (action === 'delete' ? Promise.resolve() : setHeldReason(tx, ids, action === 'approve' ? null : `moderator: ${action}`)),
  );
  const rows = await commentRowsByIds(services.db, ids);
  if (services.akismet) {
    for (const row of rows) {
      const was = before.get(row.id)!.status;
      const kind = action === 'spam' && was !== 'spam' ? 'spam' : action === 'approve' && was === 'spam' ? 'ham' : null;
      if (kind && row.authorId === null) await services.akismet.submit(kind, toAkismet(row, null));
    }
  }
  return rows;
}

/**
 * A moderator replaces a comment's text (editComment), in the comment's format (Markdown, or an
 * imported comment's HTML) and rendered like every comment body. The text it replaces is kept, with
 * who replaced it (comment_revisions.edited_by); the comment shows as edited. Nothing else changes:
 * not its status (the moderator has read the words), nor its dedupe key (duplicate detection
 * compares what its guest sent), nor anyone's flood control. The same text again changes nothing.
 */
export async function editComment(services: CommentServices, moderator: Viewer, id: number, body: string): Promise<CommentRow> {
  validateBody(body);
  const row = await commentById(services.db, id);
  if (!row) throw notFound();
  if (body === row.bodyMarkdown) return row;
  const html = renderCommentBody(row.bodyFormat, body);
  await transition(services, [id], () => ({}), 'edited', async (tx) => {
    await reviseComment(tx, id, { bodyMarkdown: body, bodyHtml: html, ip: null, ipGroup: null, userAgent: null, editedBy: moderator.author.id });
  });
  return (await commentById(services.db, id))!;
}

/*
 * A guest's own comment, through the guest token addComment returned: readable, editable and
 * deletable for COMMENT_EDIT_MINUTES after posting. To anyone else, and to the token once the
 * window has closed or the comment is deleted, it is a comment that does not exist (so a leaked
 * token is worthless after the window); edits and deletions after the window are refused with
 * FORBIDDEN, which tells the poster why.
 */

const notFound = () => new NotFoundError('There is no such comment.');

/** The token is this comment's and the comment is not deleted. */
const tokenMatches = (row: Pick<CommentRow, 'guestTokenHash' | 'deleted'>, guestToken: string) =>
  secretMatches(guestToken, row.guestTokenHash) && !row.deleted;

/** The guest's own comment, if the token is theirs and it is not deleted; otherwise it does not exist. */
async function ownComment(db: Db, id: number, guestToken: string): Promise<CommentRow> {
  const row = await commentById(db, id);
  if (!row || !tokenMatches(row, guestToken)) throw notFound();
  return row;
}

export const editableUntil = (comment: Pick<CommentRow, 'createdAt'>, settings: Config['comments']) =>
  new Date(comment.createdAt.getTime() + settings.editWindowMs);

const windowOpen = (row: Pick<CommentRow, 'createdAt'>, settings: Config['comments']) => Date.now() <= editableUntil(row, settings).getTime();

function checkWindow(row: CommentRow, settings: Config['comments']): void {
  if (!windowOpen(row, settings)) {
    throw new ForbiddenError(`Comments can be changed for ${Math.round(settings.editWindowMs / 60_000)} minutes after posting.`);
  }
}

export interface OwnComment {
  comment: CommentRow;
  status: SubmissionStatus;
  editableUntil: Date;
}

const own = (comment: CommentRow, settings: Config['comments']): OwnComment => ({
  comment,
  status: submissionStatus(comment.status),
  editableUntil: editableUntil(comment, settings),
});

/**
 * What a guest token unlocks: its own comment, not deleted, until the edit window closes (for
 * `ownComment`, and for a `threadEvents` subscriber who passes it).
 */
export const guestTokenUnlocks = (
  row: Pick<CommentRow, 'guestTokenHash' | 'deleted' | 'createdAt'>,
  guestToken: string,
  settings: Config['comments'],
) => tokenMatches(row, guestToken) && windowOpen(row, settings);

export async function readOwnComment(services: CommentServices, id: number, guestToken: string): Promise<OwnComment> {
  const row = await commentById(services.db, id);
  if (!row || !guestTokenUnlocks(row, guestToken, services.settings)) throw notFound();
  return own(row, services.settings);
}

const SEVERITY: Record<Verdict['status'], number> = { approved: 0, pending: 1, spam: 2 };

/**
 * What an edit's verdict makes of the comment's status: never better than it was (an edit does
 * not release a held comment, nor a trashed one), worse when the new words are held.
 */
function statusAfterEdit(current: CommentRow['status'], verdict: Verdict): CommentRow['status'] {
  if (current === 'trash') return current;
  return SEVERITY[verdict.status] > SEVERITY[current] ? verdict.status : current;
}

/**
 * A guest edits their comment within the window. The new words go through the pipeline of a new
 * comment (duplicates, flood control — an edit counts as activity —, the local checks, Akismet,
 * the moderation mode); a public comment whose new words are held leaves the public tree, and
 * with COMMENT_MODERATION=manual every edit of a public comment is held, since no moderator has
 * seen the new words. The text it replaces is kept for moderators (comment_revisions).
 */
export async function editOwnComment(
  services: CommentServices,
  client: ClientInfo,
  id: number,
  guestToken: string,
  body: string,
): Promise<OwnComment> {
  const { db, settings } = services;
  const row = await ownComment(db, id, guestToken);
  checkWindow(row, settings);
  validateBody(body);
  if (body === row.bodyMarkdown) return own(row, settings);
  const post = await postForComment(db, row.postId);
  if (!post || !post.isPublic) throw notFound();
  if (!post.commentsOpen) throw new ForbiddenError('Comments are closed on this post.');

  const html = renderCommentMarkdown(body);
  const email = row.authorEmail ?? '';
  const activity: Activity = {
    key: dedupeKey(row.postId, row.parentId, `email:${email.toLowerCase()}`, body),
    commentId: id,
    ipGroup: clientGroup(client.ip),
    email,
  };
  const decided = await screen(services, activity, {
    ...toAkismet(row, null),
    ...client,
    content: body,
    recheckReason: 'edit',
    honeypot: null,
    html,
  });

  let status: CommentRow['status'] = row.status;
  const { before, changed, notices } = await writeAsGuest(db, activity, settings.floodMs, async (tx) => {
    const result = await applyTransition(
      tx,
      [id],
      (locked) => {
        if (locked.deleted) throw notFound(); // deleted since it was read
        status = statusAfterEdit(locked.status, decided);
        return { status };
      },
      'edited',
    );
    const was = result.before.get(id)!;
    const revised = await reviseComment(tx, id, {
      bodyMarkdown: body,
      bodyHtml: html,
      dedupeKey: activity.key,
      ...(status !== was.status ? { heldReason: decided.reason } : {}),
      ip: client.ip,
      ipGroup: activity.ipGroup,
      userAgent: client.userAgent,
      editedBy: null,
    });
    if (!revised) throw duplicate();
    return { ...result, notices: await recordThreadEvents(tx, result.events) };
  });
  services.announce(notices);
  // Only a public comment's words (or its leaving the tree) are news to the public and its cache:
  // an edit never makes a hidden comment public.
  if (before.get(id)!.isPublic) {
    for (const [postId, ids] of changed) await services.changes.comments(postId, ids);
  }
  return own((await commentById(db, id))!, settings);
}

/** A guest deletes their comment within the window; after that, it is gone to them too. */
export async function deleteOwnComment(services: CommentServices, id: number, guestToken: string): Promise<number> {
  const row = await ownComment(services.db, id, guestToken);
  checkWindow(row, services.settings);
  await transition(
    services,
    [id],
    (locked) => {
      if (locked.deleted) throw notFound(); // deleted since it was read
      return { deleted: true };
    },
    'deleted',
  );
  return id;
}
