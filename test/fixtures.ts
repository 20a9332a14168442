import type { Db } from '../src/db/client.js';
import { analyze, insertAuthors, insertPosts, insertPostTags, insertTags } from '../src/db/queries/import.js';
import type { posts } from '../src/db/schema.js';
import { renderPostMarkdown } from '../src/domain/markdown.js';
import { importThread, type CommentDraft } from '../src/domain/thread.js';

// Test data goes in through the same write paths as the seeds and the generator.

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

export async function addAuthor(db: Db, fields: { slug?: string; name?: string } = {}) {
  const slug = fields.slug ?? unique('author');
  const [row] = await insertAuthors(db, [{ slug, name: fields.name ?? `Author ${slug}` }]);
  return row!.id;
}

export async function addTag(db: Db, slug: string) {
  const [row] = await insertTags(db, [{ slug, name: slug.toUpperCase() }]);
  return row!.id;
}

export async function addPost(
  db: Db,
  fields: Partial<typeof posts.$inferInsert> & { authorId: number; tagIds?: number[] },
) {
  const body = fields.bodyMarkdown ?? 'Some *body*.';
  const [row] = await insertPosts(db, [
    {
      slug: unique('post'),
      title: 'A post',
      status: 'published',
      publishedAt: new Date('2024-01-01T00:00:00Z'),
      ...fields,
      bodyMarkdown: body,
      bodyHtml: renderPostMarkdown(body),
    },
  ]);
  if (fields.tagIds?.length) await insertPostTags(db, fields.tagIds.map((tagId) => ({ postId: row!.id, tagId })));
  return row!.id;
}

/** Writes a thread and refreshes statistics, as every bulk load does; returns the comment ids. */
export async function addThread(db: Db, postId: number, drafts: CommentDraft[]): Promise<number[]> {
  const ids = await importThread(db, postId, drafts);
  await analyze(db);
  return ids;
}

/** A guest comment draft; `minute` orders it in time. */
export function draft(parent: number | null, minute: number, fields: Partial<CommentDraft> = {}): CommentDraft {
  return {
    parent,
    createdAt: new Date(Date.UTC(2024, 0, 2, 0, minute)),
    status: 'approved',
    authorName: `Guest ${minute}`,
    authorEmail: `guest${minute}@example.com`,
    bodyMarkdown: `Comment at minute ${minute}`,
    ...fields,
  };
}
