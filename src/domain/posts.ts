import { isUniqueViolation, type Db } from '../db/client.js';
import { postById, setPostTags, slugsLike, updatePost, insertPost, type PostPatch } from '../db/queries/post-writes.js';
import type { PostRecord } from '../db/queries/posts.js';
import { recordThreadEvents, type ThreadNotices } from '../db/queries/thread-events.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { renderPostBody, type BodyFormat } from './markdown.js';
import type { Viewer } from './roles.js';
import { freeSlug, freeSlugs, SLUG, slugify } from './slug.js';

/*
 * Editors' writes to posts. Who may do what is declared on the GraphQL fields (scope-auth, with
 * the rules in roles.ts); this module validates, keeps slugs unique and versions honest.
 * Publication is a status and a time: a post scheduled for later becomes public when that time
 * comes, with no job to run (see `publicPost`).
 */

export interface PostInput {
  title?: string | null;
  slug?: string | null;
  bodyMarkdown?: string | null;
  /** The body in the post's format (Markdown or HTML). */
  body?: string | null;
  excerpt?: string | null;
  tags?: readonly string[] | null;
  commentsOpen?: boolean | null;
}

const LIMITS = { title: 300, slug: 100, excerpt: 1000, body: 1_000_000, tags: 20, tag: 60 };

function validate(
  input: PostInput,
  creating: boolean,
  format: BodyFormat = 'markdown',
): PostPatch & { tags?: { slug: string; name: string }[] } {
  const patch: PostPatch & { tags?: { slug: string; name: string }[] } = {};
  if (input.title != null || creating) {
    const title = input.title?.trim() ?? '';
    if (!title) throw new ValidationError('title', 'A post needs a title.');
    if (title.length > LIMITS.title) throw new ValidationError('title', `The title is too long: at most ${LIMITS.title} characters.`);
    patch.title = title;
  }
  if (input.slug != null) {
    if (!SLUG.test(input.slug) || input.slug.length > LIMITS.slug) {
      throw new ValidationError('slug', `A slug is lower-case letters and digits joined by hyphens, at most ${LIMITS.slug} characters.`);
    }
    patch.slug = input.slug;
  }
  if (input.body != null && input.bodyMarkdown != null) {
    throw new ValidationError('body', 'Give the body once: as `body`, or as `bodyMarkdown` for a Markdown post.');
  }
  if (input.bodyMarkdown != null && format !== 'markdown') {
    throw new ValidationError('bodyMarkdown', "This post's body is HTML (bodyFormat HTML): send it as `body`.");
  }
  if (input.body != null || input.bodyMarkdown != null || creating) {
    const field = input.body != null ? 'body' : 'bodyMarkdown';
    const body = input.body ?? input.bodyMarkdown ?? '';
    if (body.length > LIMITS.body) throw new ValidationError(field, 'The body is too long: at most 1,000,000 characters.');
    patch.bodyMarkdown = body;
    patch.bodyHtml = renderPostBody(format, body);
  }
  if (input.excerpt != null) {
    if (input.excerpt.length > LIMITS.excerpt) {
      throw new ValidationError('excerpt', `The excerpt is too long: at most ${LIMITS.excerpt} characters.`);
    }
    patch.excerpt = input.excerpt.trim();
  }
  if (input.commentsOpen != null) patch.commentsOpen = input.commentsOpen;
  if (input.tags != null) {
    if (input.tags.length > LIMITS.tags) throw new ValidationError('tags', `At most ${LIMITS.tags} tags.`);
    const tags = new Map<string, string>();
    for (const raw of input.tags) {
      const name = raw.trim();
      const slug = slugify(name, LIMITS.tag);
      if (!slug || name.length > LIMITS.tag) {
        throw new ValidationError('tags', `Tag ${JSON.stringify(raw)} must have letters or digits, at most ${LIMITS.tag} characters.`);
      }
      if (!tags.has(slug)) tags.set(slug, name);
    }
    patch.tags = [...tags].map(([slug, name]) => ({ slug, name }));
  }
  return patch;
}

const slugTaken = (slug: string) => new ConflictError(`The slug "${slug}" is taken by another post.`, 'slug');

/** A free post slug from a title (or a WordPress post name): see `freeSlug`. */
export const freePostSlug = (db: Db, text: string) => freeSlug(text, 'post', (bases) => slugsLike(db, bases));
/** Free post slugs for several titles at once, none twice (an import's batch). */
export const freePostSlugs = (db: Db, texts: readonly string[]) => freeSlugs(texts, 'post', (bases) => slugsLike(db, bases));

export async function createPost(db: Db, viewer: Viewer, input: PostInput): Promise<PostRecord> {
  const { tags, ...patch } = validate(input, true);
  const explicit = patch.slug !== undefined;
  // A generated slug that a concurrent writer takes first is simply generated again.
  for (let attempt = 0; ; attempt++) {
    const slug = patch.slug ?? (await freePostSlug(db, patch.title!));
    try {
      return await db.transaction(async (tx) => {
        const post = await insertPost(tx, {
          slug,
          title: patch.title!,
          excerpt: patch.excerpt ?? '',
          bodyMarkdown: patch.bodyMarkdown!,
          bodyHtml: patch.bodyHtml!,
          authorId: viewer.author.id,
          commentsOpen: patch.commentsOpen ?? true,
        });
        if (tags) await setPostTags(tx, post.id, tags);
        return post;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (explicit || attempt >= 3) throw slugTaken(slug);
    }
  }
}

/** Applies a patch if the post is still at `version`; otherwise CONFLICT and nothing changes. */
async function write(
  db: Db,
  id: number,
  version: number | null,
  patch: PostPatch,
  tags?: { slug: string; name: string }[],
  announce?: (notices: ThreadNotices) => void,
) {
  try {
    const { post, notices } = await db.transaction(async (tx) => {
      const post = await updatePost(tx, id, version, patch);
      if (!post) {
        const current = await postById(tx, id);
        if (!current) throw new NotFoundError('There is no such post.');
        throw new ConflictError(
          `The post changed since you opened it (you have version ${version}, it is at ${current.version}): reload it and apply your change again.`,
          'version',
          current.version,
        );
      }
      if (tags) await setPostTags(tx, id, tags);
      // A change of publication may hide the thread from its subscribers: they re-check the post
      // when they read this event (src/subscriptions/stream.ts).
      return { post, notices: announce ? await recordThreadEvents(tx, [{ postId: id, kind: 'post' }]) : null };
    });
    if (notices) announce!(notices);
    return post;
  } catch (error) {
    if (isUniqueViolation(error) && patch.slug) throw slugTaken(patch.slug);
    throw error;
  }
}

export async function editPost(db: Db, id: number, version: number, input: PostInput): Promise<PostRecord> {
  // A body is read in the post's own format (a missing post is NOT_FOUND in `write`).
  const format = input.body != null || input.bodyMarkdown != null ? ((await postById(db, id))?.bodyFormat ?? 'markdown') : 'markdown';
  const { tags, ...patch } = validate(input, false, format);
  return write(db, id, version, patch, tags);
}

export type Publication =
  | { action: 'publish' }
  | { action: 'schedule'; at: Date }
  | { action: 'unpublish' }
  | { action: 'archive' };

export async function setPublication(
  db: Db,
  id: number,
  version: number | null,
  publication: Publication,
  announce: (notices: ThreadNotices) => void,
): Promise<PostRecord> {
  switch (publication.action) {
    case 'publish': {
      const current = await postById(db, id);
      if (!current) throw new NotFoundError('There is no such post.');
      // Publishing keeps the first publication date of a post that already went out.
      const already = current.status === 'published' && current.publishedAt !== null;
      return write(db, id, version, { status: 'published', publishedAt: already ? current.publishedAt : new Date() }, undefined, announce);
    }
    case 'schedule':
      if (publication.at.getTime() <= Date.now()) {
        throw new ValidationError('publishAt', 'Schedule for a time in the future, or publish now.');
      }
      return write(db, id, version, { status: 'scheduled', publishedAt: publication.at }, undefined, announce);
    case 'unpublish':
      return write(db, id, version, { status: 'draft', publishedAt: null }, undefined, announce);
    case 'archive':
      return write(db, id, version, { status: 'archived' }, undefined, announce);
  }
}
