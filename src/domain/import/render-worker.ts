import { parentPort } from 'node:worker_threads';
import { renderCommentBody } from '../markdown.js';

/* The thread of `CommentRenderer` (comment-renderer.ts): imported comment bodies in, sanitized HTML out. */
parentPort!.on('message', ({ id, sources }: { id: number; sources: string[] }) => {
  try {
    parentPort!.postMessage({ id, html: sources.map((source) => renderCommentBody('html', source)) });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
