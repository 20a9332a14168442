import type { Db } from '../db/client.js';
import { isPublicComment } from '../db/queries/comments.js';
import { insertComments, reserveCommentIds, setCommentCounts } from '../db/queries/import.js';
import type { comments } from '../db/schema.js';
import { renderCommentMarkdown } from './markdown.js';

/*
 * Turns a whole thread held in memory (the demo seed, the generator, later importers) into
 * comment rows with their thread-model columns filled in: depth, materialized path, and the
 * counters. It is the bulk counterpart of inserting comments one by one, and computes the same
 * values, so tests can compare the two.
 */

export type CommentStatus = (typeof comments.$inferInsert)['status'] & string;

export interface CommentDraft {
  /** Index of the parent in the drafts array; parents may come after their replies. */
  parent: number | null;
  createdAt: Date;
  status: CommentStatus;
  deleted?: boolean;
  authorId?: number | null;
  authorName: string;
  authorEmail?: string | null;
  authorUrl?: string | null;
  bodyMarkdown: string;
}

export type CommentInsert = typeof comments.$inferInsert & { id: number; path: number[]; depth: number };

export interface PlannedThread {
  rows: CommentInsert[];
  /** Public comments (approved, not deleted): the post's `comment_count`. */
  publicCount: number;
}

/** Microseconds since the epoch: the sort key of a comment among its siblings. */
export const pathStamp = (date: Date) => date.getTime() * 1000;

export function isPublicDraft(draft: Pick<CommentDraft, 'status' | 'deleted'>): boolean {
  return isPublicComment({ status: draft.status, deleted: draft.deleted ?? false });
}

/** What the thread model derives for one comment from its place in the tree. */
export interface ThreadShape {
  path: number[];
  depth: number;
  replyCount: number;
  descendantCount: number;
}

/** A comment as `shapeThread` sees it: its parent (an index), sort stamp, id, and whether it is public. */
export interface ShapeNode {
  /** Index of the parent in the nodes array; parents may come after their replies. */
  parent: number | null;
  /** The sort key among siblings (`pathStamp` of its creation time). */
  stamp: number;
  id: number;
  isPublic: boolean;
}

/**
 * Paths, depths and counters of a whole thread, from its tree alone. Also throws when a parent
 * is out of range or the parents form a cycle.
 */
export function shapeThread(nodes: readonly ShapeNode[]): { shapes: ThreadShape[]; publicCount: number } {
  const children = nodes.map((): number[] => []);
  const roots: number[] = [];
  nodes.forEach((node, i) => {
    if (node.parent === null) roots.push(i);
    else if (node.parent < 0 || node.parent >= nodes.length || node.parent === i) {
      throw new Error(`comment ${i} has no parent ${node.parent}`);
    } else children[node.parent]!.push(i);
  });

  const shapes: ThreadShape[] = new Array(nodes.length);
  let publicCount = 0;
  let visited = 0;
  // Depth-first with an explicit stack (threads can be deeper than the call stack likes):
  // paths go down, counters come back up once all of a comment's children are done.
  const visit = (root: number) => {
    const stack: { index: number; path: number[]; entered: boolean }[] = [{ index: root, path: [], entered: false }];
    while (stack.length) {
      const frame = stack[stack.length - 1]!;
      const node = nodes[frame.index]!;
      if (!frame.entered) {
        frame.entered = true;
        visited++;
        const path = [...frame.path, node.stamp, node.id];
        shapes[frame.index] = { path, depth: path.length / 2, replyCount: 0, descendantCount: 0 };
        for (const child of children[frame.index]!) stack.push({ index: child, path, entered: false });
        continue;
      }
      stack.pop();
      const shape = shapes[frame.index]!;
      if (node.isPublic) publicCount++;
      if (node.parent !== null) {
        const parent = shapes[node.parent]!;
        parent.descendantCount += shape.descendantCount + (node.isPublic ? 1 : 0);
        if (node.isPublic || shape.descendantCount > 0) parent.replyCount += 1;
      }
    }
  };
  for (const root of roots) visit(root);
  if (visited !== nodes.length) throw new Error('comment parents form a cycle');
  return { shapes, publicCount };
}

/** `ids[i]` is the id reserved for `drafts[i]`. */
export function planThread(postId: number, drafts: readonly CommentDraft[], ids: readonly number[]): PlannedThread {
  const { shapes, publicCount } = shapeThread(
    drafts.map((draft, i) => ({ parent: draft.parent, stamp: pathStamp(draft.createdAt), id: ids[i]!, isPublic: isPublicDraft(draft) })),
  );
  // Fields written out rather than `...shapes[i]`: far faster in V8 for rows this wide (see import/threads.ts).
  const rows = drafts.map(
    (draft, i): CommentInsert => ({
      path: shapes[i]!.path,
      depth: shapes[i]!.depth,
      replyCount: shapes[i]!.replyCount,
      descendantCount: shapes[i]!.descendantCount,
      id: ids[i]!,
      postId,
      parentId: draft.parent === null ? null : ids[draft.parent]!,
      authorId: draft.authorId ?? null,
      authorName: draft.authorName,
      authorEmail: draft.authorEmail ?? null,
      authorUrl: draft.authorUrl ?? null,
      bodyMarkdown: draft.bodyMarkdown,
      bodyHtml: renderCommentMarkdown(draft.bodyMarkdown),
      status: draft.status,
      deleted: draft.deleted ?? false,
      createdAt: draft.createdAt,
      updatedAt: draft.createdAt,
    }),
  );
  return { rows, publicCount };
}

/** Writes a whole thread under a post; returns the comment ids in draft order. */
export async function importThread(
  db: Db,
  postId: number,
  drafts: readonly CommentDraft[],
  onProgress?: (done: number) => void,
): Promise<number[]> {
  const ids = await reserveCommentIds(db, drafts.length);
  const plan = planThread(postId, drafts, ids);
  await insertComments(db, plan.rows, onProgress);
  await setCommentCounts(db, new Map([[postId, plan.publicCount]]));
  return ids;
}

/*
 * Keeping the counters exact when one comment changes. A comment is public when approved and not
 * deleted, listed when public or when it has public descendants (a placeholder). When a comment's
 * public state flips, every ancestor's descendant_count moves by one; wherever that makes an
 * ancestor (or the comment itself) appear or disappear from the tree, its parent's reply_count
 * follows. The caller locks the chain of rows (root to comment) first, so concurrent writers in
 * the same thread take turns and the counters never drift.
 */
export interface CounterNode {
  id: number;
  parentId: number | null;
  isPublic: boolean;
  replyCount: number;
  descendantCount: number;
}

const listed = (node: CounterNode) => node.isPublic || node.descendantCount > 0;

/**
 * Sets `id`'s public state and updates its ancestors, all of which must be in `nodes`.
 * `wasListed` is false for a comment being inserted. Returns the nodes it changed and how the
 * post's count of public comments moved.
 */
export function setPublic(
  nodes: Map<number, CounterNode>,
  id: number,
  isPublic: boolean,
  wasListed = listed(nodes.get(id)!),
): { changed: CounterNode[]; publicDelta: number } {
  const node = nodes.get(id)!;
  const publicDelta = (isPublic ? 1 : 0) - (node.isPublic ? 1 : 0);
  node.isPublic = isPublic;
  const changed = [node];
  let child = node;
  let childWasListed = wasListed;
  while (child.parentId !== null) {
    const parent = nodes.get(child.parentId);
    if (!parent) throw new Error(`comment ${child.parentId} is not locked`);
    const parentWasListed = listed(parent);
    const replyDelta = (listed(child) ? 1 : 0) - (childWasListed ? 1 : 0);
    if (publicDelta === 0 && replyDelta === 0) break;
    parent.descendantCount += publicDelta;
    parent.replyCount += replyDelta;
    changed.push(parent);
    child = parent;
    childWasListed = parentWasListed;
  }
  return { changed, publicDelta };
}
