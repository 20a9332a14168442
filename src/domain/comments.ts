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
  saveLocked,
  setHeldReason,
  updateCommentBody,
  type LockedComment,
} from '../db/queries/comment-writes.js';
import { reserveCommentIds } from '../db/queries/import.js';
import { postForComment } from '../db/queries/post-writes.js';
import type { CommentRow } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Akismet, AkismetComment } from './akismet.js';
import type { ClientInfo } from './client.js';
import {
  DuplicateError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from './errors.js';
import { renderCommentMarkdown } from './markdown.js';
import type { Viewer } from './roles.js';
import { localVerdict, verdict, type Submission } from './spam.js';
import { setPublic, type CounterNode } from './thread.js';
import { hashSecret, newSecret, secretMatches } from './tokens.js';

/*
 * Writing comments: readers' "Leave a Reply" (with the spam pipeline, duplicate and flood
 * control), guests editing their own comment for a while, and moderation. Every status change
 * goes through `transition`, which keeps the thread counters exact (see setPublic).
 */

export interface CommentServices {
  db: Db;
  changes: Changes;
  settings: Config['comments'];
  akismet: Akismet | null;
  logger: Logger;
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

function validateGuest(input: AddCommentInput) {
  const name = input.name?.trim() ?? '';
  const email = input.email?.trim() ?? '';
  const url = input.url?.trim() || null;
  if (!name) throw new ValidationError('name', 'Your name is required.');
  if (length(name) > LIMITS.name) throw new ValidationError('name', `The name is too long: at most ${LIMITS.name} characters.`);
  if (!email) throw new ValidationError('email', 'Your email address is required (it is never shown).');
  if (email.length > LIMITS.email) {
    throw new ValidationError('email', `The email address is too long: at most ${LIMITS.email} characters.`);
  }
  if (!EMAIL.test(email)) throw new ValidationError('email', 'This is not a valid email address.');
  if (url !== null) {
    if (url.length > LIMITS.url) throw new ValidationError('url', `The URL is too long: at most ${LIMITS.url} characters.`);
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // reported below
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      throw new ValidationError('url', 'The website must be an http:// or https:// URL.');
    }
  }
  return { name, email, url };
}

/** Same post, same parent, same author and same words (ignoring case and spacing): a duplicate. */
function dedupeKey(postId: number, parentId: number | null, identity: string, body: string): string {
  const normalized = body.trim().replace(/\s+/g, ' ').toLowerCase();
  return createHash('sha256').update(JSON.stringify([postId, parentId, identity, normalized])).digest('hex');
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
  const duplicate = () => new DuplicateError('You already said that.');
  const flood = (seconds: number) =>
    new RateLimitedError(`You are commenting too quickly: wait ${seconds} seconds.`, seconds);

  // Registered writers are trusted; guests go through the spam pipeline. The cheap refusals run
  // first, so floods and duplicates never cost an Akismet call; they run again under a lock below.
  let decided: { status: CommentRow['status']; reason: string | null } = { status: 'approved', reason: null };
  if (guest) {
    if (await dedupeKeyExists(db, key)) throw duplicate();
    const wait = await floodWait(db, client.ip, guest.email, settings.floodMs);
    // A twin committed between the two checks is a duplicate, not a flood: say so.
    if (wait > 0) throw (await dedupeKeyExists(db, key)) ? duplicate() : flood(wait);
    const submission: Submission = {
      ...client,
      permalink: null,
      isReply: input.parentId !== null,
      authorName: guest.name,
      authorEmail: guest.email,
      authorUrl: guest.url,
      content: body,
      createdAt: new Date(),
      honeypot: input.honeypot ?? null,
      html,
    };
    decided = await verdict(submission, settings, services.akismet);
  }
  const guestToken = guest ? newSecret('guest') : null;

  const comment = await db.transaction(async (tx) => {
    if (guest) {
      const keys = [`comment-flood:email:${guest.email.toLowerCase()}`];
      if (client.ip) keys.push(`comment-flood:ip:${client.ip}`);
      await lockKeys(tx, keys);
      if (await dedupeKeyExists(tx, key)) throw duplicate();
      const wait = await floodWait(tx, client.ip, guest.email, settings.floodMs);
      if (wait > 0) throw flood(wait);
    }
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
    return row;
  });
  if (comment.status === 'approved') await services.changes.comments(post.id, [...chainIds(comment), comment.id]);

  return {
    comment,
    status: submissionStatus(comment.status),
    guestToken,
    editableUntil: guestToken ? new Date(comment.createdAt.getTime() + settings.editWindowMs) : null,
  };
}

export type ModerationAction = 'approve' | 'hold' | 'spam' | 'trash' | 'delete';

const STATUS_OF: Record<Exclude<ModerationAction, 'delete'>, CommentRow['status']> = {
  approve: 'approved',
  hold: 'pending',
  spam: 'spam',
  trash: 'trash',
};

/**
 * Changes comments' status (or deletes them: a deleted comment with visible replies stays as a
 * placeholder), keeping every counter exact, in one transaction. `change(row)` says what becomes
 * of each locked comment.
 */
/** The ids of a comment's ancestors, read off its path. */
const chainIds = (comment: Pick<CommentRow, 'parentId'> & { path?: number[] }) =>
  (comment.path ?? []).filter((_, i) => i % 2 === 1).slice(0, -1);

async function transition(
  services: CommentServices,
  ids: readonly number[],
  change: (row: LockedComment) => { status?: CommentRow['status']; deleted?: boolean },
  alsoInTransaction: (tx: Db) => Promise<void> = async () => {},
) {
  const changedByPost = new Map<number, number[]>();
  const before = await services.db.transaction(async (tx) => {
    const nodes = await lockChains(tx, ids);
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
    await alsoInTransaction(tx);
    for (const node of changed.values()) changedByPost.set(node.postId, [...(changedByPost.get(node.postId) ?? []), node.id]);
    return before;
  });
  for (const [postId, ids] of changedByPost) await services.changes.comments(postId, ids);
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

/** The guest's own comment, if the token is theirs; otherwise it does not exist (to them). */
async function ownComment(db: Db, id: number, guestToken: string): Promise<CommentRow> {
  const row = await commentById(db, id);
  if (!row || !secretMatches(guestToken, row.guestTokenHash)) throw new NotFoundError('There is no such comment.');
  return row;
}

function checkWindow(row: CommentRow, settings: Config['comments']): void {
  if (Date.now() > row.createdAt.getTime() + settings.editWindowMs) {
    throw new ForbiddenError(`Comments can be changed for ${Math.round(settings.editWindowMs / 60_000)} minutes after posting.`);
  }
}

export async function readOwnComment(services: CommentServices, id: number, guestToken: string) {
  const row = await ownComment(services.db, id, guestToken);
  return {
    comment: row,
    status: submissionStatus(row.status),
    editableUntil: new Date(row.createdAt.getTime() + services.settings.editWindowMs),
  };
}

/** A guest edits their comment within the window; new words go through the local spam checks. */
export async function editOwnComment(
  services: CommentServices,
  client: ClientInfo,
  id: number,
  guestToken: string,
  body: string,
): Promise<CommentRow> {
  const { db, settings } = services;
  const row = await ownComment(db, id, guestToken);
  checkWindow(row, settings);
  if (row.deleted) throw new NotFoundError('There is no such comment.');
  validateBody(body);
  const html = renderCommentMarkdown(body);
  const key = dedupeKey(row.postId, row.parentId, `email:${(row.authorEmail ?? '').toLowerCase()}`, body);
  const local = localVerdict(
    { ...toAkismet(row, null), ...client, content: body, html, honeypot: null },
    { ...settings, moderation: 'auto' },
  );
  // An approved comment whose new words would have been held is held now.
  const hold = row.status === 'approved' && local.status !== 'approved';
  const update = async (tx: Db) => {
    const values = { bodyMarkdown: body, bodyHtml: html, dedupeKey: key, ...(hold ? { heldReason: local.reason } : {}) };
    if (!(await updateCommentBody(tx, id, values))) throw new DuplicateError('You already said that.');
  };
  if (hold) await transition(services, [id], () => ({ status: local.status }), update);
  else {
    await update(db);
    await services.changes.comments(row.postId, [id]);
  }
  return (await commentById(db, id))!;
}

export async function deleteOwnComment(services: CommentServices, id: number, guestToken: string): Promise<CommentRow> {
  const row = await ownComment(services.db, id, guestToken);
  checkWindow(row, services.settings);
  await transition(services, [id], () => ({ deleted: true }));
  return (await commentById(services.db, id))!;
}
