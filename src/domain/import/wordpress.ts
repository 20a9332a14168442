import { TransactionRollbackError } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  addLegacyUrls,
  authorBySourceKey,
  authorSlugsLike,
  insertAuthors,
  insertPosts,
  postsBySourceKeys,
  setAuthorNameAndEmail,
} from '../../db/queries/import.js';
import { addPostTags, setPostTags, updatePost, type PostPatch } from '../../db/queries/post-writes.js';
import type { PostRecord } from '../../db/queries/posts.js';
import type { posts } from '../../db/schema.js';
import { tagsByPostIds } from '../../db/queries/tags.js';
import { normalizeEmail, normalizeName, normalizeUrl } from '../guest-input.js';
import { htmlToText, renderPostBody } from '../markdown.js';
import { freePostSlugs } from '../posts.js';
import { freeSlug, slugify } from '../slug.js';
import type { CommentStatus } from '../thread.js';
import { CommentRenderer } from './comment-renderer.js';
import { ImportReport } from './report.js';
import { mergeThread, ThreadWriter, type ImportedComment } from './threads.js';
import { WriteQueue } from './write-queue.js';
import { readWxr, type WxrAuthor, type WxrComment, type WxrItem, type WxrSite } from './wxr.js';

/*
 * `npm run import:wordpress`: a WXR file into Palaver, in one transaction (a malformed file, or
 * any failure, leaves the database as it was; a dry run rolls back at the end and reports what it
 * would have done). Posts are gathered in batches (50 posts or 1,000 comments) and each batch is
 * written while the next ones are read and their comments rendered on a worker thread, so memory
 * holds a few batches at a time whatever the file's size. Every imported row remembers where it came from (`source_key`: the
 * site's URL and the WordPress id), so importing again updates instead of duplicating.
 * What maps to what is in the README ("Importing from WordPress").
 */

export interface ImportOptions {
  dryRun?: boolean;
  progress?: (bytes: number, total: number) => void;
}

/** The WordPress post statuses Palaver keeps, and what they become. */
const postStatuses: Record<string, PostRecord['status']> = {
  publish: 'published',
  future: 'scheduled',
  draft: 'draft',
  pending: 'draft',
  private: 'draft',
};

/*
 * A password-protected post (a `post_password` that is not empty: WordPress protects a post
 * whenever it is, and to PHP even a space is not empty) is imported as a DRAFT whatever its status,
 * until Palaver has protected posts: published, its body would be public. A draft is what
 * WordPress's `private` and `pending` posts already become: hidden from readers, listed among the
 * posts editors review, public only once an editor publishes it on purpose (ARCHIVED would say it
 * had been withdrawn). Importing again keeps it a draft, and so does an export (a draft is written
 * as `draft`). The password is not kept; the report names each such post.
 */
const PROTECTED_AS_DRAFT = 'password-protected post imported as a draft, not public (Palaver has no protected posts yet)';
const isPasswordProtected = (item: WxrItem) => item.password !== '';

/** `comment_approved` values, and what they become. */
const commentStatuses: Record<string, CommentStatus> = { '1': 'approved', '0': 'pending', spam: 'spam', trash: 'trash', 'post-trashed': 'trash' };

/** WordPress's "2024-01-31 12:00:00" (UTC for the _gmt fields); null for "0000-00-00 00:00:00" or nothing. */
export function wordpressDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text.trim());
  if (!m || Number(m[1]) === 0) return null;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The GMT date, or (a draft's, whose GMT date is zero) the local one read as UTC. */
const dateOf = (gmt: string, local: string) => wordpressDate(gmt) ?? wordpressDate(local);

/** A percent-encoded post name (WordPress stores non-ASCII slugs so) decoded; as it is when it is not valid. */
function decodePostName(name: string): string {
  try {
    return decodeURIComponent(name.trim());
  } catch {
    return name.trim();
  }
}

// A shortcode: `[name attr="…"]`, `[name /]`, or `[name]…[/name]` (a bare `[word]` is just text).
const SHORTCODE = /\[([a-z][\w-]*)(\s[^\]]*=[^\]]*|\s*\/)?\]/gi;

/**
 * A WordPress body as Palaver keeps it (still HTML, sanitized on rendering): block-editor comment
 * delimiters removed, `[caption]` turned into a figure; other shortcodes stay as text, and each is
 * reported by name (`onShortcode`).
 */
export function cleanWordPressHtml(html: string, onShortcode: (name: string) => void = () => {}): string {
  let out = html.replace(/<!--\s*\/?wp:[\s\S]*?-->[ \t]*\n?/g, '');
  out = out.replace(/\[caption([^\]]*)\]([\s\S]*?)\[\/caption\]/gi, (_all, attributes: string, inner: string) => {
    const media = /^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?)([\s\S]*)$/i.exec(inner);
    const caption = (media?.[2] ?? '').trim() || /\bcaption="([^"]*)"/i.exec(attributes)?.[1] || '';
    return `<figure>${(media?.[1] ?? inner).trim()}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
  });
  for (const m of out.matchAll(SHORTCODE)) {
    const name = m[1]!;
    if (m[2] !== undefined || out.includes(`[/${name}]`)) onShortcode(name);
  }
  return out;
}

/** The site's key in `source_key`s: its blog URL without a trailing slash. */
const siteKey = (site: WxrSite) => site.baseBlogUrl.replace(/\/+$/, '') || 'wordpress';

/** Runs one import; `dryRun` rolls it all back and only reports. */
export async function importWordPress(db: Db, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const report = new ImportReport();
  report.dryRun = options.dryRun ?? false;
  try {
    await db.transaction(async (tx) => {
      const run = new WordPressImport(tx, report);
      try {
        const site = await readWxr(file, (record, site) => (record.kind === 'author' ? run.author(record.author, site) : run.item(record.item, site)), options.progress);
        await run.finish(site);
      } catch (error) {
        // A malformed file stops the reading while writes are queued: they end before the rollback.
        await run.writes.settle();
        throw error;
      } finally {
        await run.renderer.close();
      }
      if (report.dryRun) tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  return report;
}

/** A post as read and rendered, waiting for its turn to be written. */
interface PreparedPost {
  key: string;
  creator: string;
  values: Omit<typeof posts.$inferInsert, 'authorId' | 'slug' | 'sourceKey'>;
  slugSource: string;
  tags: { slug: string; name: string }[];
  legacyUrls: string[];
  comments: ImportedComment[];
}

class WordPressImport {
  /** Imported authors by login, and by WordPress user id (for registered commenters). */
  private byLogin = new Map<string, number>();
  private byUserId = new Map<string, number>();
  /** Posts read and rendered, gathered to be written together (a few statements per batch). */
  private batch: PreparedPost[] = [];
  private batchComments = 0;
  /** Batches are written here while the next ones are read (two ahead at most: a few MB). */
  readonly writes = new WriteQueue(2);
  readonly threads: ThreadWriter;
  readonly renderer = new CommentRenderer();

  constructor(
    private db: Db,
    private report: ImportReport,
  ) {
    this.threads = new ThreadWriter(db);
  }

  async author(author: WxrAuthor, site: WxrSite) {
    // Items read later map their commenters' user ids to authors: every author is written first.
    await this.endBatch(site);
    await this.writes.drain();
    const id = await this.upsertAuthor(site, author.login, author.displayName || author.login, author.email);
    if (author.id) this.byUserId.set(author.id.trim(), id);
  }

  private async upsertAuthor(site: WxrSite, login: string, displayName: string, email: string): Promise<number> {
    const key = `${siteKey(site)}#author-${login}`;
    const name = normalizeName(htmlToText(displayName)) || login;
    const mail = normalizeEmail(email) || null;
    const existing = await authorBySourceKey(this.db, key);
    if (existing) {
      const changed = existing.name !== name || existing.email !== mail;
      if (changed) await setAuthorNameAndEmail(this.db, existing.id, name, mail);
      this.report.count('authors', changed ? 'updated' : 'unchanged');
      this.byLogin.set(login, existing.id);
      return existing.id;
    }
    const slug = await freeSlug(login, 'author', (bases) => authorSlugsLike(this.db, bases));
    const [row] = await insertAuthors(this.db, [{ slug, name, email: mail, sourceKey: key, role: 'author' }]);
    this.report.count('authors', 'imported');
    this.byLogin.set(login, row!.id);
    return row!.id;
  }

  /** The author of a post by its `dc:creator` login; one not among the authors becomes one (reported). */
  private async creator(login: string, site: WxrSite): Promise<number> {
    const known = this.byLogin.get(login);
    if (known !== undefined) return known;
    this.report.note('post creator not among the authors: made an author');
    return this.upsertAuthor(site, login || 'wordpress', login || 'WordPress', '');
  }

  async item(item: WxrItem, site: WxrSite) {
    const type = item.postType.trim() || 'post';
    const status = item.status.trim();
    const skip = type !== 'post' ? `${type} (only posts are imported)` : !postStatuses[status] ? `status "${status}"` : null;
    if (skip) {
      this.report.skip('posts', skip);
      this.report.skip('comments', 'on a skipped post or page', item.comments.length);
      return;
    }
    const prepared = this.prepare(item, site);
    // The same post twice in a file: the second is an update of the first, written after it.
    if (this.batch.some((post) => post.key === prepared.key)) await this.endBatch(site);
    this.batch.push(prepared);
    this.batchComments += prepared.comments.length;
    if (this.batch.length >= 50 || this.batchComments >= 1000) await this.endBatch(site);
  }

  /** Queues the gathered posts' writing; `finish` must follow the last. */
  async endBatch(site: WxrSite) {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    [this.batch, this.batchComments] = [[], 0];
    // The bodies are rendered on the renderer's thread while this one reads on.
    const rendered = this.renderer.render(batch.flatMap((post) => post.comments.map((comment) => comment.bodyHtmlSource)));
    // Awaited by the write; handled now too, for a write that never runs (an earlier one failed).
    rendered.catch(() => {});
    await this.writes.push(async () => {
      const html = await rendered;
      let i = 0;
      for (const post of batch) for (const comment of post.comments) comment.bodyHtml = html[i++];
      await this.write(batch, site);
    });
  }

  /** Writes what is still gathered or queued (before the transaction commits). */
  async finish(site: WxrSite) {
    await this.endBatch(site);
    await this.writes.drain();
    await this.threads.flush();
    if (!this.renderer.threaded) this.report.note('comment bodies sanitized on the main thread: the rendering thread stopped or could not start (slower, same result)');
  }

  /** Everything about a post that needs no database: its fields, rendered body, tags and comments. */
  private prepare(item: WxrItem, site: WxrSite): PreparedPost {
    const date = dateOf(item.postDateGmt, item.postDate);
    const title = htmlToText(item.title) || '(untitled)';
    const locked = isPasswordProtected(item);
    if (locked) this.report.list(PROTECTED_AS_DRAFT, `${title} (${item.link.trim() || `WordPress post ${item.postId.trim()}`})`);
    const status = locked ? 'draft' : postStatuses[item.status.trim()]!;
    const source = cleanWordPressHtml(item.content, (name) => this.report.note(`shortcode [${name}] left as text`));
    return {
      key: `${siteKey(site)}#post-${item.postId.trim()}`,
      creator: item.creator.trim(),
      values: {
        title,
        excerpt: htmlToText(item.excerpt).slice(0, 1000),
        bodyFormat: 'html',
        bodyMarkdown: source,
        bodyHtml: renderPostBody('html', source),
        status,
        publishedAt: status === 'draft' ? null : (date ?? new Date()),
        commentsOpen: item.commentStatus.trim() !== 'closed',
        createdAt: date ?? new Date(),
        updatedAt: date ?? new Date(),
      },
      slugSource: decodePostName(item.postName) || title,
      tags: this.tags(item),
      legacyUrls: [item.link.trim(), item.guid.trim()].filter((url) => /^https?:\/\//.test(url)),
      comments: this.comments(item.comments, site),
    };
  }

  /** A batch of posts (no key twice): the new ones inserted together, the known ones updated one by one. */
  private async write(batch: PreparedPost[], site: WxrSite) {
    const known = await postsBySourceKeys(this.db, batch.map((post) => post.key));
    const added = await this.insertNew(batch.filter((post) => !known.has(post.key)), site);
    // Old addresses in file order: the first post to claim one keeps it.
    const idOf = (post: PreparedPost) => known.get(post.key)?.id ?? added.get(post.key)!;
    await addLegacyUrls(this.db, batch.flatMap((post) => post.legacyUrls.map((url) => ({ postId: idOf(post), url }))));
    for (const prepared of batch) {
      const existing = known.get(prepared.key);
      const post = existing ? await this.update(existing, prepared, site) : { id: added.get(prepared.key)!, commentCount: 0, isNew: true };
      const merge = await mergeThread(this.threads, post, prepared.comments);
      this.report.count('comments', 'imported', merge.imported);
      this.report.count('comments', 'updated', merge.updated);
      this.report.count('comments', 'unchanged', merge.unchanged);
      this.report.note('reply whose parent is missing: made top-level', merge.orphans);
    }
  }

  /** Inserts new posts with their tags; their ids by source key. */
  private async insertNew(fresh: PreparedPost[], site: WxrSite): Promise<Map<string, number>> {
    if (fresh.length === 0) return new Map();
    const slugs = await freePostSlugs(this.db, fresh.map((post) => post.slugSource));
    const rows = [];
    for (const [i, post] of fresh.entries()) {
      rows.push({ ...post.values, authorId: await this.creator(post.creator, site), slug: slugs[i]!, sourceKey: post.key });
    }
    const idBySlug = new Map((await insertPosts(this.db, rows)).map((row) => [row.slug, row.id]));
    const ids = slugs.map((slug) => idBySlug.get(slug)!);
    await addPostTags(this.db, fresh.flatMap((post, i) => post.tags.map((tag) => ({ postId: ids[i]!, ...tag }))));
    this.report.count('posts', 'imported', fresh.length);
    return new Map(fresh.map((post, i) => [post.key, ids[i]!]));
  }

  /** The fields an import keeps up to date on a post it imported before. */
  private static readonly updatable = ['title', 'excerpt', 'bodyFormat', 'bodyMarkdown', 'authorId', 'status', 'publishedAt', 'commentsOpen'] as const;

  private async update(existing: PostRecord, prepared: PreparedPost, site: WxrSite) {
    const values = { ...prepared.values, authorId: await this.creator(prepared.creator, site) };
    const patch: PostPatch = {};
    for (const field of WordPressImport.updatable) {
      const [old, value] = [existing[field], values[field]];
      const same = old instanceof Date && value instanceof Date ? old.getTime() === value.getTime() : old === value;
      if (!same) (patch as Record<string, unknown>)[field] = value;
    }
    if (patch.bodyMarkdown !== undefined || patch.bodyFormat !== undefined) patch.bodyHtml = values.bodyHtml;
    const changed = Object.keys(patch).length > 0;
    if (changed) await updatePost(this.db, existing.id, null, patch);
    const current = (await tagsByPostIds(this.db, [existing.id])).get(existing.id) ?? [];
    const tagsChanged = current.map((t) => t.slug).sort().join() !== prepared.tags.map((t) => t.slug).sort().join();
    if (tagsChanged) await setPostTags(this.db, existing.id, prepared.tags);
    this.report.count('posts', changed || tagsChanged ? 'updated' : 'unchanged');
    return { id: existing.id, commentCount: existing.commentCount, isNew: false };
  }

  /** Categories and tags, both Palaver tags (WordPress's default "Uncategorized" left out). */
  private tags(item: WxrItem): { slug: string; name: string }[] {
    const tags = new Map<string, string>();
    for (const category of item.categories) {
      const name = htmlToText(category.name);
      const slug = slugify(decodePostName(category.nicename) || name, 60) || slugify(name, 60);
      if (!slug || (category.domain === 'category' && slug === 'uncategorized')) continue;
      if (!tags.has(slug)) tags.set(slug, name.slice(0, 60));
    }
    return [...tags].map(([slug, name]) => ({ slug, name }));
  }

  private comments(comments: readonly WxrComment[], site: WxrSite): ImportedComment[] {
    const out: ImportedComment[] = [];
    const key = (id: string) => `${siteKey(site)}#comment-${id.trim()}`;
    for (const c of comments) {
      const type = c.type.trim() || 'comment';
      const status = commentStatuses[c.approved.trim()];
      if (type !== 'comment') {
        this.report.skip('comments', `${type} (pingbacks and trackbacks are not conversation)`);
        continue;
      }
      if (!status) {
        this.report.skip('comments', `status "${c.approved.trim()}"`);
        continue;
      }
      const url = c.authorUrl.trim() ? normalizeUrl(c.authorUrl.trim(), 200) : null;
      if (url && !url.ok) this.report.note('commenter website that is no http(s) URL: dropped');
      const parent = c.parent.trim();
      const registered = c.userId.trim() !== '' && c.userId.trim() !== '0' ? this.byUserId.get(c.userId.trim()) : undefined;
      out.push({
        sourceKey: key(c.id),
        parentSourceKey: parent && parent !== '0' ? key(parent) : null,
        createdAt: dateOf(c.dateGmt, c.date) ?? new Date(),
        status,
        deleted: false,
        authorId: registered ?? null,
        authorName: normalizeName(htmlToText(c.author)) || 'Anonymous',
        authorEmail: normalizeEmail(c.authorEmail) || null,
        authorUrl: url?.ok ? url.url : null,
        ip: c.authorIp.trim() || null,
        bodyHtmlSource: c.content,
      });
    }
    return out;
  }
}
