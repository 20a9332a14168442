import type { Db } from '../src/db/client.js';
import { analyze, insertAuthors, insertPosts, insertPostTags, insertTags } from '../src/db/queries/import.js';
import { renderPostMarkdown } from '../src/domain/markdown.js';
import { importThread, type CommentDraft, type CommentStatus } from '../src/domain/thread.js';

/*
 * A deterministic generator of synthetic content for tests and benchmarks: the same options and
 * seed always produce the same rows. Regular posts get short threads; an optional "deep" post gets
 * a long one whose replies attach to recent comments with a bias toward shallow ones, the way
 * long discussions grow.
 */

export interface ThreadShape {
  comments: number;
  /** Expected number of top-level comments (the first comment is always one). */
  topLevel: number;
  maxDepth: number;
  /** Some comments pending, spam or deleted, as on a real site; false means all approved. */
  moderation: boolean;
}

export interface GenerateOptions {
  seed: number;
  authors: number;
  posts: number;
  /** Shape of each regular post's thread. */
  thread: ThreadShape;
  publishedRatio: number;
  /** One more post with a long thread, e.g. { slug: 'deep', comments: 10000, topLevel: 200, maxDepth: 12 }. */
  deep?: (ThreadShape & { slug: string }) | undefined;
  /** Publication dates lie before this time (scheduled posts after it); default: today, 00:00 UTC. */
  now?: Date;
}

export const defaultOptions: GenerateOptions = {
  seed: 1,
  authors: 10,
  posts: 100,
  thread: { comments: 20, topLevel: 8, maxDepth: 3, moderation: true },
  publishedRatio: 0.9,
};

export type Progress = (phase: string, done: number, total: number) => void;

/** mulberry32: tiny, fast and good enough for synthetic data. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Random = ReturnType<typeof random>;

const WORDS = (
  'thread reply argument senate primary caucus delegate ballot campaign policy reform budget ' +
  'election district county voter turnout debate moderate progressive coalition majority minority ' +
  'history evidence report briefing analysis question answer point record vote party candidate ' +
  'convention nominee platform strategy message region economy healthcare climate security ' +
  'trade sanctions alliance treaty press interview statement opinion column reader editor'
).split(' ');
const NAMES = 'Ada Ben Cleo Dev Eli Fay Gus Hana Ivo Jun Kai Lia Max Noa Oto Pia Quin Rae Sol Tove'.split(' ');

function sentence(rng: Random, min = 6, max = 16): string {
  const words = Array.from({ length: rng.int(min, max) }, () => rng.pick(WORDS));
  const text = words.join(' ');
  return text[0]!.toUpperCase() + text.slice(1) + '.';
}

function paragraphs(rng: Random, count: number, sentences: [number, number]): string {
  return Array.from({ length: count }, () =>
    Array.from({ length: rng.int(...sentences) }, () => sentence(rng)).join(' '),
  ).join('\n\n');
}

/**
 * Comments in creation order. Each reply's parent is drawn among the 40 most recent comments
 * below the depth limit, weighted 1/depth², so threads grow both wide and deep.
 */
export function threadDrafts(
  rng: Random,
  shape: ThreadShape,
  start: Date,
  authors: readonly { id: number; name: string }[],
): CommentDraft[] {
  const drafts: CommentDraft[] = [];
  const depths: number[] = [];
  let time = start.getTime();
  const topLevelChance = shape.comments > 1 ? (shape.topLevel - 1) / (shape.comments - 1) : 1;
  for (let i = 0; i < shape.comments; i++) {
    time += rng.int(1, 600) * 1000;
    let parent: number | null = null;
    if (i > 0 && rng.next() >= topLevelChance) {
      const candidates: number[] = [];
      let total = 0;
      for (let j = Math.max(0, i - 40); j < i; j++) {
        if (depths[j]! < shape.maxDepth) {
          candidates.push(j);
          total += 1 / depths[j]! ** 2;
        }
      }
      let target = rng.next() * total;
      for (const j of candidates) {
        target -= 1 / depths[j]! ** 2;
        if (target <= 0) {
          parent = j;
          break;
        }
      }
      parent ??= candidates.at(-1) ?? null;
    }
    depths.push(parent === null ? 1 : depths[parent]! + 1);

    let status: CommentStatus = 'approved';
    let deleted = false;
    if (shape.moderation) {
      const roll = rng.next();
      if (roll < 0.03) status = 'pending';
      else if (roll < 0.04) status = 'spam';
      else if (roll < 0.05) deleted = true;
    }
    const registered = authors.length > 0 && rng.next() < 0.2 ? rng.pick(authors) : null;
    const guest = `${rng.pick(NAMES)} ${rng.int(1, 999)}`;
    drafts.push({
      parent,
      createdAt: new Date(time),
      status,
      deleted,
      authorId: registered?.id ?? null,
      authorName: registered?.name ?? guest,
      authorEmail: registered ? null : `${guest.replace(' ', '.').toLowerCase()}@example.com`,
      authorUrl: !registered && rng.next() < 0.1 ? `https://example.com/${guest.replace(' ', '-')}` : null,
      // About 200 characters on average, like the replies of a lively blog thread.
      bodyMarkdown: paragraphs(rng, rng.int(1, 2), [1, 3]),
    });
  }
  return drafts;
}

/** Writes a synthetic dataset into `db`; returns what it wrote. */
export async function generate(db: Db, options: GenerateOptions, progress: Progress = () => {}) {
  const rng = random(options.seed);
  const now = (options.now ?? new Date(new Date().toISOString().slice(0, 10))).getTime();

  const authorRows = await insertAuthors(
    db,
    Array.from({ length: options.authors }, (_, i) => ({
      slug: `gen-author-${i + 1}`,
      name: `${rng.pick(NAMES)} ${rng.pick(WORDS)[0]!.toUpperCase()}. Writer ${i + 1}`,
      bio: sentence(rng),
      role: 'author' as const,
    })),
  );
  const authorIds = authorRows.map((row) => row.id);
  const tagRows = await insertTags(
    db,
    WORDS.slice(0, 20).map((word, i) => ({ slug: `gen-${word}`, name: `${word[0]!.toUpperCase()}${word.slice(1)} ${i + 1}` })),
  );

  type PostPlan = { slug: string; thread: ThreadShape; publishedAt: Date };
  const plans: PostPlan[] = Array.from({ length: options.posts }, (_, i) => ({
    slug: `gen-post-${i + 1}`,
    thread: options.thread,
    // One post every 6 hours going back from now; a few scheduled ones lie ahead.
    publishedAt: new Date(now - (options.posts - i) * 6 * 3_600_000),
  }));
  if (options.deep) {
    plans.push({ slug: options.deep.slug, thread: options.deep, publishedAt: new Date(now - 3_600_000) });
  }

  progress('posts', 0, plans.length);
  const postRows = await insertPosts(
    db,
    plans.map((plan, i) => {
      // Posts that are not published are half drafts, half scheduled; the deep post is published.
      const roll = rng.next();
      const unpublished = (roll - options.publishedRatio) / (1 - options.publishedRatio);
      const status = i >= options.posts || unpublished < 0 ? 'published' : unpublished < 0.5 ? 'draft' : 'scheduled';
      const bodyMarkdown = `## ${sentence(rng, 3, 6)}\n\n${paragraphs(rng, rng.int(3, 8), [3, 7])}`;
      return {
        slug: plan.slug,
        title: sentence(rng, 4, 9).slice(0, -1),
        excerpt: sentence(rng, 12, 24),
        bodyMarkdown,
        bodyHtml: renderPostMarkdown(bodyMarkdown),
        authorId: rng.pick(authorIds),
        status,
        publishedAt:
          status === 'draft' ? null : status === 'scheduled' ? new Date(now + rng.int(1, 30) * 86_400_000) : plan.publishedAt,
        createdAt: plan.publishedAt,
        updatedAt: plan.publishedAt,
      };
    }),
  );
  progress('posts', plans.length, plans.length);
  await insertPostTags(
    db,
    postRows.flatMap((post) => {
      const chosen = new Set(Array.from({ length: rng.int(0, 3) }, () => rng.pick(tagRows).id));
      return [...chosen].map((tagId) => ({ postId: post.id, tagId }));
    }),
  );

  const total = plans.reduce((sum, plan) => sum + plan.thread.comments, 0);
  let written = 0;
  progress('comments', 0, total);
  for (const [i, post] of postRows.entries()) {
    const plan = plans[i]!;
    const drafts = threadDrafts(rng, plan.thread, new Date(plan.publishedAt.getTime() + 60_000), authorRows);
    await importThread(db, post.id, drafts, (done) => progress('comments', written + done, total));
    written += drafts.length;
  }
  progress('comments', total, total);
  await analyze(db);
  return { authors: authorIds.length, posts: postRows.length, comments: total, postIds: postRows.map((p) => p.id) };
}
