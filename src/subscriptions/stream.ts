import type { Context } from '../context.js';
import type { Db } from '../db/client.js';
import { canReadComment, type CommentRecord } from '../db/queries/comments.js';
import { readThreadEvents, threadStart, type CommentState, type StoredThreadEvent, type ThreadBatch } from '../db/queries/thread-events.js';
import { clientGroup } from '../domain/client.js';
import { guestTokenUnlocks } from '../domain/comments.js';
import { clientError } from '../errors.js';
import { createLoaders, type Loaders } from '../loaders.js';
import { encodeCursor } from '../schema/pagination.js';

/*
 * One `threadEvents` subscription: the post's rows of the thread outbox (queries/thread-events.ts),
 * read after the subscriber's own last id and mapped to what THIS subscriber may see now.
 *
 * - It listens for notices before it reads where the thread stands, so no event falls between.
 *   With `after`, it first reads the backlog from the table, a chunk at a time as the client takes
 *   them (a backlog never sits in memory), then goes on live; each read starts after the last id
 *   read, so nothing is sent twice and nothing is skipped.
 * - Live, each notice reads what is new at once, into a bounded queue: a subscriber more than
 *   SUBSCRIPTION_BUFFER events behind is ended with SUBSCRIPTION_OVERFLOW and the cursor to resume
 *   from (reading again from the table costs the server nothing it keeps).
 * - Each event is mapped by whether the subscriber saw the comment before the change and sees it
 *   after (the states the event recorded, and the rules of queries/comments.ts): added, edited,
 *   removed (or turned into a placeholder), or nothing. An event it may not see advances its read
 *   position and sends nothing: not an event, not a count, not a cursor.
 * - Every batch re-checks the token (revoked: UNAUTHENTICATED) and the post (no longer visible:
 *   a ThreadHidden event, then the stream ends), in the batch's one statement.
 * - A notice wakes every subscriber of the post at once, each to read from where it stands: those
 *   that would send the same statement (same post, position and access: all the anonymous ones
 *   that are up to date) share one, in flight (Subscriptions.read). 2,000 subscribers cost one
 *   statement per comment, not 2,000 (bench/README.md, "Subscriptions").
 * - Those that share a batch and see with the same eyes (the public; one token; never a guest
 *   token, whose own comments only it sees) also share what the batch shows them: the same event
 *   objects (Subscriptions.view), which execute.ts then executes once for all of them.
 */

export type ThreadEventPayload =
  | { type: 'CommentAdded' | 'CommentEdited'; id: number; comment: CommentRecord; isPublic: boolean }
  | { type: 'CommentRemoved'; id: number; commentId: number; placeholder: boolean; comment: CommentRecord | null }
  | { type: 'ThreadCounts'; id: number; postId: number; commentCount: number }
  | { type: 'ThreadHidden'; id: number; postId: number };
/** What the stream yields: an event, or the error that ends it (the field's resolver throws it). */
export type StreamItem = ThreadEventPayload | { type: 'error'; error: Error };

export interface SubscriptionSettings {
  perClient: number;
  max: number;
  /** Events a live subscriber may have waiting before it is ended (SUBSCRIPTION_OVERFLOW). */
  buffer: number;
  heartbeatMs: number;
  retentionDays: number;
}

/** Rows read per statement. */
const CHUNK = 100;

/** What one batch shows a subscriber: its events, and the counts that follow them if they changed. */
interface BatchView {
  events: ThreadEventPayload[];
  counts: Extract<ThreadEventPayload, { type: 'ThreadCounts' }> | null;
}

export const eventCursor = (id: number) => encodeCursor('ThreadEvent', id);

/**
 * The open subscriptions of this process: caps per client (its address group: clientGroup, an
 * IPv6 /64 as one) and in all, and the way to end them all (SIGTERM).
 */
export class Subscriptions {
  private byClient = new Map<string, number>();
  private streams = new Set<ThreadStream>();
  private drained: (() => void)[] = [];
  private reads = new Map<string, Promise<ThreadBatch>>();
  private views = new WeakMap<ThreadBatch, Map<string, BatchView>>();
  /** Events handed to subscribers since start (the metrics read it). */
  sent = 0;
  /** Events executed since start: those shared by many subscribers count once (execute.ts). */
  executed = 0;

  constructor(readonly settings: SubscriptionSettings) {}

  /**
   * readThreadEvents, shared by the streams that ask for the same read while it is in flight: the
   * same arguments make the same statement, whose rows at that moment are the same for each.
   */
  read(db: Db, args: Parameters<typeof readThreadEvents>[1]): Promise<ThreadBatch> {
    const key = JSON.stringify([args.postId, args.afterId, args.limit, args.access, args.tokenId]);
    let read = this.reads.get(key);
    if (!read) {
      read = readThreadEvents(db, args).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  /**
   * What `batch` shows the subscribers who see it as `viewer` does (`map` makes it for the first):
   * the same objects for each, so that their execution is shared (execute.ts). `viewer` null: the
   * subscriber's view is its own (a guest token's), mapped for it alone.
   */
  view(batch: ThreadBatch, viewer: string | null, map: () => BatchView): BatchView {
    if (viewer === null) return map();
    let byViewer = this.views.get(batch);
    if (!byViewer) this.views.set(batch, (byViewer = new Map()));
    let view = byViewer.get(viewer);
    if (!view) byViewer.set(viewer, (view = map()));
    return view;
  }

  get open() {
    return this.streams.size;
  }

  /** @internal `client`: the client's group (clientGroup). */
  add(stream: ThreadStream, client: string) {
    const mine = this.byClient.get(client) ?? 0;
    if (this.streams.size >= this.settings.max) {
      throw clientError('LIMIT_EXCEEDED', 'This server has all the subscriptions it can hold: try again later.', { limit: 'subscriptions', max: this.settings.max });
    }
    if (mine >= this.settings.perClient) {
      throw clientError('LIMIT_EXCEEDED', `At most ${this.settings.perClient} subscriptions may be open from one address (an IPv6 /64 counts as one).`, {
        limit: 'subscriptionsPerClient',
        max: this.settings.perClient,
      });
    }
    this.byClient.set(client, mine + 1);
    this.streams.add(stream);
    return () => {
      if (!this.streams.delete(stream)) return;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left === 0) this.byClient.delete(client);
      else this.byClient.set(client, left);
      if (this.streams.size === 0) for (const resolve of this.drained.splice(0)) resolve();
    };
  }

  /** Ends every stream (each sends `complete`); resolves once all have let go. */
  async endAll(): Promise<void> {
    if (this.streams.size === 0) return;
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    for (const stream of this.streams) stream.end();
    await done;
  }
}

/** Who is subscribing, as each batch needs it. */
interface Subscriber {
  context: Context;
  postId: number;
  guestToken: string | null;
}

type View = 'full' | 'placeholder' | 'none';

/**
 * How a subscriber sees a comment in `state`: in the tree (listed) it is whole if it may read it
 * (canReadComment) and a placeholder otherwise; out of the tree, moderators still see it unless it
 * is deleted (held comments), and so does the guest whose token unlocks it; nobody else does.
 */
function viewOf(state: CommentState | null, id: number, { access, unlockedComments }: Context): View {
  if (!state) return 'none';
  const readable = canReadComment({ id, status: state.status, deleted: state.deleted }, access, unlockedComments);
  if (state.listed) return readable ? 'full' : 'placeholder';
  return readable && !state.deleted ? 'full' : 'none';
}

/** What one event is to this subscriber, or null (it may not see it). */
export function mapEvent(event: StoredThreadEvent, context: Context): ThreadEventPayload | null {
  if (event.commentId === null || event.comment === null || event.after === null) return null;
  const before = event.kind === 'added' ? 'none' : viewOf(event.before, event.commentId, context);
  const after = viewOf(event.after, event.commentId, context);
  const comment = event.comment;
  const isPublic = event.after.status === 'approved' && !event.after.deleted;
  if (after === 'none') {
    return before === 'none' ? null : { type: 'CommentRemoved', id: event.id, commentId: event.commentId, placeholder: false, comment: null };
  }
  if (before === 'none') return { type: 'CommentAdded', id: event.id, comment, isPublic };
  if (before === 'full' && after === 'placeholder') {
    return { type: 'CommentRemoved', id: event.id, commentId: event.commentId, placeholder: true, comment };
  }
  if (after === 'placeholder') return null; // a placeholder it was, a placeholder it stays
  const changed = event.before!.status !== event.after.status || event.before!.deleted !== event.after.deleted;
  return before === 'placeholder' || event.kind === 'edited' || changed ? { type: 'CommentEdited', id: event.id, comment, isPublic } : null;
}

/**
 * Opens a subscription: checks the caps, listens, reads where the thread stands and checks
 * `after` against it (errors here answer the subscription request itself). Returns the stream.
 */
export async function openThreadStream(
  context: Context,
  { postId, afterId, guestToken }: { postId: number; afterId: number | null; guestToken: string | null },
): Promise<AsyncIterableIterator<StreamItem>> {
  const stream = new ThreadStream({ context, postId, guestToken });
  const { subscriptions } = context.services;
  const release = subscriptions.add(stream, clientGroup(context.client.ip) ?? 'unknown');
  stream.onEnd(release);
  try {
    stream.onEnd(context.services.threadEvents.listen(postId, (upTo) => stream.notice(upTo)));
    const start = await threadStart(context.db, postId, afterId, context.access);
    if (!start.visible) throw clientError('NOT_FOUND', 'There is no such post.');
    if (afterId !== null && start.afterPostId === null) {
      throw clientError(
        'RESUME_EXPIRED',
        `This cursor is older than the events kept (${subscriptions.settings.retentionDays} days), or unknown: reload the thread, then subscribe without \`after\`.`,
        { argument: 'after' },
      );
    }
    if (afterId !== null && start.afterPostId !== postId) {
      throw clientError('BAD_USER_INPUT', '`after` is the cursor of another thread.', { argument: 'after' });
    }
    stream.begin(afterId ?? start.latestId, afterId !== null, afterId === null ? start.commentCount : null);
    return stream;
  } catch (error) {
    stream.end();
    throw error;
  }
}

/**
 * Whom a subscriber's view may be shared with: the public, or the streams of the same token; with
 * a guest token, nobody (null). The batch it reads is keyed by access and token already
 * (Subscriptions.read): this says it again where the sharing of what it shows is decided.
 */
function viewerOf({ context, guestToken }: Subscriber): string | null {
  if (guestToken !== null) return null;
  return context.viewer ? `token:${context.viewer.tokenId}` : 'public';
}

class ThreadStream implements AsyncIterableIterator<StreamItem> {
  private queue: StreamItem[] = [];
  private waiting: ((result: IteratorResult<StreamItem>) => void) | null = null;
  private cleanups: (() => void)[] = [];
  private started = false;
  private finished = false;
  private reading = false;
  private backlog = false;
  private lastReadId = 0;
  private announcedUpTo = 0;
  private lastCount: number | null = null;
  /** The last event handed to the client, for the overflow error's resume cursor. */
  private lastSentId: number | null = null;

  /** This batch's loaders, made when a resolver first asks (see `freshLoadersOnUse`). */
  private loaders: Loaders | null = null;

  constructor(private readonly subscriber: Subscriber) {
    this.freshLoadersOnUse();
  }

  /**
   * A loader's cache must not outlive a moment: each batch gets fresh loaders. Made on first use
   * only: a subscriber whose events another stream executes (execute.ts) never uses them, and an
   * idle stream holds none (the 16 DataLoaders its request began with go). Through a proxy, not an
   * accessor on the context: redefining a property as an accessor turns the context into a
   * dictionary (≈0.7 KB more per stream in a heap snapshot of 1,000 idle subscribers).
   */
  private freshLoadersOnUse() {
    this.subscriber.context.loaders = new Proxy({} as Loaders, { get: (_target, name) => this.batchLoaders()[name as keyof Loaders] });
  }

  private batchLoaders(): Loaders {
    const { context } = this.subscriber;
    return (this.loaders ??= createLoaders(context.db, context.access, () => context.budget));
  }

  onEnd(cleanup: () => void) {
    this.cleanups.push(cleanup);
  }

  begin(fromId: number, backlog: boolean, commentCount: number | null) {
    this.lastReadId = fromId;
    this.lastSentId = fromId > 0 ? fromId : null;
    this.backlog = backlog;
    this.lastCount = commentCount;
    this.started = true;
    this.read();
  }

  notice(upTo: number) {
    this.announcedUpTo = Math.max(this.announcedUpTo, upTo);
    if (this.started) this.read();
  }

  /** Ends the stream: what is queued is still sent, then `complete`. */
  end() {
    if (this.finished) return;
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.flush();
  }

  private fail(error: Error) {
    this.queue.push({ type: 'error', error });
    this.end();
  }

  private flush() {
    if (!this.waiting) return;
    const item = this.queue.shift();
    if (item) {
      if (item.type !== 'error') {
        this.lastSentId = item.id;
        this.subscriber.context.services.subscriptions.sent++;
      }
    } else if (!this.finished) return;
    const resolve = this.waiting;
    this.waiting = null;
    resolve(item ? { done: false, value: item } : { done: true, value: undefined });
  }

  private read() {
    if (this.reading || this.finished) return;
    if (this.backlog ? this.queue.length > 0 : this.announcedUpTo <= this.lastReadId) return;
    this.reading = true;
    void this.readBatch()
      .catch((error: unknown) => {
        // The stream's last event: masked as "Unexpected error." and logged there, once, with its
        // stack and the request's id (src/errors.ts).
        this.fail(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => {
        this.reading = false;
        this.read();
      });
  }

  private async readBatch() {
    const { context, postId } = this.subscriber;
    const { db, services } = context;
    // A backlog chunk is read because the client took everything before it: it never overflows.
    const live = !this.backlog;
    const batch = await services.subscriptions.read(db, {
      postId,
      afterId: this.lastReadId,
      limit: CHUNK,
      access: context.access,
      tokenId: context.viewer?.tokenId ?? null,
    });
    if (this.finished) return;
    if (!batch.tokenValid) {
      return this.fail(clientError('UNAUTHENTICATED', 'This token was revoked: the subscription ends.'));
    }
    const lastId = batch.events.at(-1)?.id ?? this.lastReadId;
    if (!batch.postVisible) {
      this.queue.push({ type: 'ThreadHidden', id: lastId, postId });
      return this.end();
    }
    // Fresh loaders for this batch's comments, made if a resolver asks (freshLoadersOnUse).
    this.loaders = null;
    const view = services.subscriptions.view(batch, viewerOf(this.subscriber), () => this.viewOf(batch));
    this.queue.push(...view.events);
    this.lastReadId = lastId;
    if (view.counts && view.counts.commentCount !== this.lastCount) {
      this.queue.push(view.counts);
      this.lastCount = view.counts.commentCount;
    }
    if (batch.events.length < CHUNK) this.backlog = false;
    if (live && view.events.length > 0 && this.pending() > services.subscriptions.settings.buffer) {
      // Drop what waits: the client resumes from the last event it was handed.
      this.queue = [];
      const resumeAfter = this.lastSentId === null ? null : eventCursor(this.lastSentId);
      return this.fail(
        clientError('SUBSCRIPTION_OVERFLOW', 'This subscription fell too far behind: subscribe again with `after` set to the last cursor you received.', {
          resumeAfter,
        }),
      );
    }
    this.flush();
  }

  /** What `batch` shows this subscriber (as it may see each event now). */
  private viewOf(batch: ThreadBatch): BatchView {
    const { context, postId } = this.subscriber;
    this.unlock(batch);
    const events: ThreadEventPayload[] = [];
    for (const event of batch.events) {
      const payload = mapEvent(event, context);
      if (payload) events.push(payload);
    }
    const lastVisible = events.at(-1)?.id ?? null;
    // The counts of what it was just shown, under that event's cursor: no other cursor.
    const counts = lastVisible === null ? null : { type: 'ThreadCounts' as const, id: lastVisible, postId, commentCount: batch.commentCount };
    return { events, counts };
  }

  /** Events waiting to be sent (the counts that follow them are not events of their own). */
  private pending() {
    return this.queue.filter((item) => item.type !== 'ThreadCounts').length;
  }

  /** The comments this batch's guest token unlocks (the subscriber's own, within its window). */
  private unlock(batch: ThreadBatch) {
    const { context, guestToken } = this.subscriber;
    context.unlockedComments.clear();
    if (guestToken === null) return;
    for (const event of batch.events) {
      if (event.comment && guestTokenUnlocks(event.comment, guestToken, context.services.config.comments)) {
        context.unlockedComments.add(event.comment.id);
      }
    }
  }

  next(): Promise<IteratorResult<StreamItem>> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
      // A backlog is read as the client takes it.
      this.read();
    });
  }

  return(): Promise<IteratorResult<StreamItem>> {
    this.queue = [];
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
