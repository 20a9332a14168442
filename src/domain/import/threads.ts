import type { Db } from '../../db/client.js';
import { isPublicComment } from '../../db/queries/comments.js';
import {
  commentsOfPostForImport,
  insertComments,
  reserveCommentIds,
  setCommentCounts,
  updateImportedComments,
  type ImportedCommentUpdate,
} from '../../db/queries/import.js';
import type { CommentRow } from '../../db/schema.js';
import { renderCommentBody } from '../markdown.js';
import { pathStamp, shapeThread, type CommentInsert, type CommentStatus, type ShapeNode } from '../thread.js';

/*
 * Merging an imported thread into a post. The thread in the file (in any order, parents after
 * their replies or missing) is matched to the post's comments by `source_key`: new ones are added,
 * changed ones rewritten, unchanged ones left alone, and comments the file does not mention (written
 * in Palaver, or gone from a newer export) are kept. Then the whole thread's paths, depths and
 * counters are derived again from the tree (shapeThread, the rule the seeds use), and only the rows
 * whose values moved are written: importing the same file twice writes nothing the second time.
 * Imported comments never meet the spam pipeline or flood control: they were moderated already.
 */

/** A comment as an importer read it. The body is HTML (WordPress's and Disqus's format). */
export interface ImportedComment {
  sourceKey: string;
  /** The parent's source key; null for a top-level comment. */
  parentSourceKey: string | null;
  createdAt: Date;
  status: CommentStatus;
  deleted: boolean;
  authorId: number | null;
  authorName: string;
  authorEmail: string | null;
  authorUrl: string | null;
  ip: string | null;
  bodyHtmlSource: string;
  /** `renderCommentBody('html', bodyHtmlSource)` when the importer rendered it ahead (WordPress, on its thread); else rendered here if written. */
  bodyHtml?: string;
}

export interface ThreadMerge {
  imported: number;
  updated: number;
  unchanged: number;
  /** Replies whose parent is not in the file nor the post: made top-level. */
  orphans: number;
}

interface Node {
  stored: CommentRow | null;
  incoming: ImportedComment | null;
  id: number;
  parent: number | null;
}

/** Whether an incoming comment says something other than the stored row (its tree position aside). */
function contentChanged(row: CommentRow, c: ImportedComment): boolean {
  return (
    row.status !== c.status || row.deleted !== c.deleted || row.createdAt.getTime() !== c.createdAt.getTime() ||
    row.authorId !== c.authorId || row.authorName !== c.authorName || row.authorEmail !== c.authorEmail ||
    row.authorUrl !== c.authorUrl || row.ip !== c.ip || row.bodyMarkdown !== c.bodyHtmlSource || row.bodyFormat !== 'html'
  );
}

const bodyHtmlOf = (c: ImportedComment) => c.bodyHtml ?? renderCommentBody('html', c.bodyHtmlSource);

const samePath = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Cuts cycles (a comment that is its own ancestor in a broken file): such a comment becomes top-level. */
function breakCycles(nodes: Node[]): number {
  let cut = 0;
  for (let i = 0; i < nodes.length; i++) {
    const seen = new Set<number>([i]);
    for (let at = nodes[i]!.parent; at !== null; at = nodes[at]!.parent) {
      if (seen.has(at)) {
        nodes[i]!.parent = null;
        cut++;
        break;
      }
      seen.add(at);
    }
  }
  return cut;
}

/**
 * Where merged threads are written. A new post's comments wait here and go in with other posts'
 * comments, 2,000 rows a statement, and comment ids are reserved 2,000 at a time: on
 * `npm run bench:import` (1,000 posts of 100 comments) that is 50 inserts and 50 reservations
 * instead of 1,000 of each. A post already here (imported again) is merged at once, after the
 * waiting rows are written, since it reads its comments and may move them under new ones.
 * `flush` must end the import.
 */
export class ThreadWriter {
  static readonly batch = 2000;
  private inserts: CommentInsert[] = [];
  private counts = new Map<number, number>();
  private ids: number[] = [];

  constructor(readonly db: Db) {}

  /** `count` fresh comment ids, from the reserved block. */
  async reserveIds(count: number): Promise<number[]> {
    // concat, not push(...): a thread of a few hundred thousand comments would overflow the stack.
    if (this.ids.length < count) this.ids = this.ids.concat(await reserveCommentIds(this.db, Math.max(count - this.ids.length, ThreadWriter.batch)));
    return this.ids.splice(0, count);
  }

  /** Writes a new post's whole thread (parents first) and its count, with the next batch. */
  async add(postId: number, publicCount: number, inserts: readonly CommentInsert[]) {
    for (const row of inserts) this.inserts.push(row);
    this.counts.set(postId, publicCount);
    if (this.inserts.length >= ThreadWriter.batch) await this.flush();
  }

  /** The public comment count waiting to be written for a post, if any (it is newer than the row's). */
  pendingCount(postId: number): number | undefined {
    return this.counts.get(postId);
  }

  async flush() {
    const [inserts, counts] = [this.inserts, this.counts];
    [this.inserts, this.counts] = [[], new Map()];
    await insertComments(this.db, inserts);
    await setCommentCounts(this.db, counts);
  }
}

export async function mergeThread(
  writer: ThreadWriter,
  post: { id: number; commentCount: number; isNew: boolean },
  incoming: readonly ImportedComment[],
): Promise<ThreadMerge> {
  const db = writer.db;
  // A post imported earlier in this very run may have its thread and count still waiting.
  const commentCount = writer.pendingCount(post.id) ?? post.commentCount;
  if (!post.isNew) await writer.flush();
  const stored = post.isNew ? [] : await commentsOfPostForImport(db, post.id);
  if (incoming.length === 0 && stored.length === 0) return { imported: 0, updated: 0, unchanged: 0, orphans: 0 };
  const nodes: Node[] = stored.map((row) => ({ stored: row, incoming: null, id: row.id, parent: null }));
  const byId = new Map(stored.map((row, i) => [row.id, i]));
  const bySource = new Map<string, number>();
  stored.forEach((row, i) => row.sourceKey && bySource.set(row.sourceKey, i));
  for (const comment of incoming) {
    const known = bySource.get(comment.sourceKey);
    if (known !== undefined) nodes[known]!.incoming = comment;
    else bySource.set(comment.sourceKey, nodes.push({ stored: null, incoming: comment, id: 0, parent: null }) - 1);
  }

  let orphans = 0;
  for (const node of nodes) {
    if (node.incoming) {
      const parentKey = node.incoming.parentSourceKey;
      node.parent = parentKey === null ? null : (bySource.get(parentKey) ?? null);
      if (parentKey !== null && node.parent === null) orphans++;
    } else {
      node.parent = node.stored!.parentId === null ? null : (byId.get(node.stored!.parentId) ?? null);
    }
  }
  orphans += breakCycles(nodes);

  const fresh = nodes.filter((node) => !node.stored);
  const ids = await writer.reserveIds(fresh.length);
  fresh.forEach((node, i) => (node.id = ids[i]!));

  const shapeNodes: ShapeNode[] = nodes.map((node) => {
    const c = node.incoming;
    return {
      parent: node.parent,
      // A comment keeps its own sort stamp (microseconds, for comments written here) unless the
      // import gives it another time.
      stamp: c && (!node.stored || node.stored.createdAt.getTime() !== c.createdAt.getTime()) ? pathStamp(c.createdAt) : node.stored!.path.at(-2)!,
      id: node.id,
      isPublic: c ? isPublicComment(c) : isPublicComment(node.stored!),
    };
  });
  const { shapes, publicCount } = shapeThread(shapeNodes);

  const inserts: CommentInsert[] = [];
  const updates: ImportedCommentUpdate[] = [];
  const result: ThreadMerge = { imported: 0, updated: 0, unchanged: 0, orphans };
  // The shape's fields are written out, not spread (`...shape`): V8 built these twenty-field rows
  // from a spread in 30 to 40 µs each, 3.1 s of the 100,000 comments of `npm run bench:import`,
  // and in well under 1 µs written out (the same holds for planThread in domain/thread.ts).
  nodes.forEach((node, i) => {
    const shape = shapes[i]!;
    const parentId = node.parent === null ? null : nodes[node.parent]!.id;
    const c = node.incoming;
    if (!node.stored) {
      result.imported++;
      inserts.push({
        path: shape.path, depth: shape.depth, replyCount: shape.replyCount, descendantCount: shape.descendantCount, id: node.id, postId: post.id, parentId, status: c!.status, deleted: c!.deleted, authorId: c!.authorId,
        authorName: c!.authorName, authorEmail: c!.authorEmail, authorUrl: c!.authorUrl, ip: c!.ip, bodyFormat: 'html',
        bodyMarkdown: c!.bodyHtmlSource, bodyHtml: bodyHtmlOf(c!), sourceKey: c!.sourceKey,
        createdAt: c!.createdAt, updatedAt: c!.createdAt,
      });
      return;
    }
    const row = node.stored;
    const changed = c !== null && contentChanged(row, c);
    if (c) result[changed ? 'updated' : 'unchanged']++;
    const moved =
      row.parentId !== parentId || row.depth !== shape.depth || !samePath(row.path, shape.path) ||
      row.replyCount !== shape.replyCount || row.descendantCount !== shape.descendantCount;
    if (!changed && !moved) return;
    const content = changed
      ? { status: c.status, deleted: c.deleted, authorId: c.authorId, authorName: c.authorName, authorEmail: c.authorEmail,
          authorUrl: c.authorUrl, ip: c.ip, bodyFormat: 'html' as const, bodyMarkdown: c.bodyHtmlSource,
          bodyHtml: bodyHtmlOf(c),
          createdAt: c.createdAt }
      : row;
    updates.push({
      id: row.id, parentId, path: shape.path, depth: shape.depth, replyCount: shape.replyCount, descendantCount: shape.descendantCount, status: content.status, deleted: content.deleted, authorId: content.authorId,
      authorName: content.authorName, authorEmail: content.authorEmail, authorUrl: content.authorUrl, ip: content.ip,
      bodyFormat: content.bodyFormat, bodyMarkdown: content.bodyMarkdown, bodyHtml: content.bodyHtml, createdAt: content.createdAt,
    });
  });

  // Parents before replies: an insert's parent must exist (the rows reference each other).
  inserts.sort((a, b) => a.depth - b.depth);
  if (post.isNew) await writer.add(post.id, publicCount, inserts);
  else {
    await insertComments(db, inserts);
    await updateImportedComments(db, updates);
    if (publicCount !== commentCount) await setCommentCounts(db, new Map([[post.id, publicCount]]));
  }
  return result;
}
