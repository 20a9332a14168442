import type { Db } from '../db/client.js';
import { analyze, insertAuthors, insertPosts, insertPostTags, insertTags } from '../db/queries/import.js';
import { postsBySlugs } from '../db/queries/posts.js';
import { demoAuthors, demoGuests, demoPost, demoTags, demoThread, type DemoComment } from '../../seeds/demo.js';
import { renderPostMarkdown } from './markdown.js';
import { importThread, type CommentDraft } from './thread.js';

/** The demo post's id if anyone may read it (it was seeded, and is still there and published), else null. */
export async function findDemoPost(db: Db): Promise<number | null> {
  const [post] = await postsBySlugs(db, [demoPost.slug], { kind: 'public' });
  return post?.post.id ?? null;
}

/** Writes the demo content (seeds/demo.ts) into an empty database, in one transaction. */
export async function seedDemo(db: Db): Promise<{ postId: number; comments: number; adminId: number }> {
  const seeded = await db.transaction(async (tx) => {
    const authorIds = new Map(
      (await insertAuthors(tx, demoAuthors.map((author) => ({ ...author })))).map((a) => [a.slug, a.id]),
    );
    const tagIds = new Map((await insertTags(tx, demoTags)).map((tag) => [tag.slug, tag.id]));
    const [post] = await insertPosts(tx, [
      {
        slug: demoPost.slug,
        title: demoPost.title,
        excerpt: demoPost.excerpt,
        bodyMarkdown: demoPost.bodyMarkdown,
        bodyHtml: renderPostMarkdown(demoPost.bodyMarkdown),
        authorId: authorIds.get(demoPost.authorSlug)!,
        status: 'published',
        publishedAt: new Date(demoPost.publishedAt),
        createdAt: new Date(demoPost.publishedAt),
        updatedAt: new Date(demoPost.publishedAt),
      },
    ]);
    await insertPostTags(
      tx,
      demoPost.tags.map((slug) => ({ postId: post!.id, tagId: tagIds.get(slug)! })),
    );

    const drafts: CommentDraft[] = [];
    const flatten = (comment: DemoComment, parent: number | null) => {
      const index = drafts.length;
      const registered = demoAuthors.find((author) => `@${author.slug}` === comment.by);
      const guest = demoGuests[comment.by];
      if (!registered && !guest) throw new Error(`demo comment by unknown ${comment.by}`);
      drafts.push({
        parent,
        createdAt: new Date(comment.at),
        status: 'approved',
        deleted: comment.deleted ?? false,
        authorId: registered ? authorIds.get(registered.slug)! : null,
        authorName: registered?.name ?? guest!.name,
        authorEmail: guest?.email ?? null,
        authorUrl: guest?.url ?? null,
        bodyMarkdown: comment.body,
      });
      for (const reply of comment.replies ?? []) flatten(reply, index);
    };
    for (const comment of demoThread) flatten(comment, null);

    await importThread(tx, post!.id, drafts);
    const adminId = authorIds.get(demoAuthors.find((author) => author.role === 'admin')!.slug)!;
    return { postId: post!.id, comments: drafts.length, adminId };
  });
  await analyze(db);
  return seeded;
}
