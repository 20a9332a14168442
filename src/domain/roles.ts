import type { PostAccess } from '../db/queries/posts.js';
import type { AuthorRow, Role } from '../db/schema.js';

/*
 * Roles follow Ghost's model, each including the ones before it:
 * contributor writes its own drafts; author also publishes its own posts; editor works on every
 * post and moderates comments; admin also manages authors and tokens.
 */
export const ROLES = ['contributor', 'author', 'editor', 'admin'] as const satisfies readonly Role[];

export const atLeast = (role: Role, minimum: Role) => ROLES.indexOf(role) >= ROLES.indexOf(minimum);

/** Who is calling: the holder of an API token, acting as its author with the token's role. */
export interface Viewer {
  tokenId: number;
  role: Role;
  author: AuthorRow;
}

/** What a request may read: editors see every post and comment, writers also their own posts. */
export interface Access {
  posts: PostAccess;
  moderator: boolean;
}

export function accessOf(viewer: Viewer | null): Access {
  if (!viewer) return { posts: { kind: 'public' }, moderator: false };
  if (atLeast(viewer.role, 'editor')) return { posts: { kind: 'all' }, moderator: true };
  return { posts: { kind: 'own', authorId: viewer.author.id }, moderator: false };
}

interface PostOwnership {
  authorId: number;
  status: 'draft' | 'scheduled' | 'published' | 'archived';
}

/** Editing content and metadata: editors any post, authors their own, contributors their own drafts. */
export function canEditPost(viewer: Viewer | null, post: PostOwnership): boolean {
  if (!viewer) return false;
  if (atLeast(viewer.role, 'editor')) return true;
  if (post.authorId !== viewer.author.id) return false;
  return atLeast(viewer.role, 'author') || post.status === 'draft';
}

/** Publishing, scheduling, unpublishing, archiving: editors any post, authors their own. */
export function canPublishPost(viewer: Viewer | null, post: PostOwnership): boolean {
  if (!viewer) return false;
  if (atLeast(viewer.role, 'editor')) return true;
  return atLeast(viewer.role, 'author') && post.authorId === viewer.author.id;
}
