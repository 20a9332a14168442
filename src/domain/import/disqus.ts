import { TransactionRollbackError } from 'drizzle-orm';
import type { SaxesTagNS } from 'saxes';
import type { Db } from '../../db/client.js';
import { postCommentCount, postIdByAddress } from '../../db/queries/import.js';
import { normalizeEmail, normalizeName } from '../guest-input.js';
import { htmlToText } from '../markdown.js';
import { ImportReport } from './report.js';
import { mergeThread, ThreadWriter, type ImportedComment } from './threads.js';
import { readXml } from './xml-stream.js';

/*
 * `npm run import:disqus`: a Disqus export's comments onto the posts already here. Disqus lists
 * every thread first, then every post (comment) of every thread, interleaved: each thread is
 * matched to a post as it is read (by link or identifier, see `addressesOf`), the comments of
 * matched threads are collected, and each thread is merged at the end (threads.ts: at its true
 * depth, idempotent by `source_key`). Memory holds the comments of matched threads, not the file.
 * Deleted comments stay as placeholders when they have visible replies, spam is spam, messages are
 * HTML (sanitized with the comment allow-list), and every author is a guest.
 */

export type DisqusMatch = 'link' | 'identifier';

export interface DisqusOptions {
  match?: DisqusMatch;
  dryRun?: boolean;
  progress?: (bytes: number, total: number) => void;
}

interface DisqusThread {
  dsqId: string;
  identifier: string;
  link: string;
}

interface DisqusPost {
  dsqId: string;
  thread: string;
  parent: string | null;
  message: string;
  createdAt: string;
  isDeleted: string;
  isSpam: string;
  name: string;
  email: string;
  username: string;
  ip: string;
}

const DISQUS = 'http://disqus.com';
const INTERNALS = 'http://disqus.com/disqus-internals';
const dsqId = (tag: SaxesTagNS) => Object.values(tag.attributes).find((a) => a.uri === INTERNALS && a.local === 'id')?.value ?? '';
const sourceKey = (id: string) => `https://disqus.com/#post-${id}`;

/** The same address with and without its trailing slash and in both schemes: sites move to https. */
function variants(url: string): string[] {
  const bare = url.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//.test(bare)) return [];
  const rest = bare.replace(/^https?:\/\//, '');
  return [url.trim(), `${bare}/`, bare, `https://${rest}/`, `https://${rest}`, `http://${rest}/`, `http://${rest}`].filter(
    (value, i, all) => all.indexOf(value) === i,
  );
}

/**
 * Where a thread may point: by link, its URL (a post's old address) or the URL's last segment (a
 * slug); by identifier, the identifier as a slug or an address, and the WordPress plugin's
 * "123 http://site/?p=123" form by its URL.
 */
function addressesOf(thread: DisqusThread, match: DisqusMatch): { urls: string[]; slug: string | null } {
  if (match === 'link') {
    const segment = /\/([^/?#]+)\/?(?:[?#].*)?$/.exec(thread.link.trim().replace(/^https?:\/\/[^/]+/, ''))?.[1] ?? null;
    return { urls: variants(thread.link), slug: segment ? decodeURIComponent(segment) : null };
  }
  const identifier = thread.identifier.trim();
  const url = /\s(https?:\/\/\S+)$/.exec(identifier)?.[1] ?? identifier;
  return { urls: variants(url), slug: identifier };
}

export async function importDisqus(db: Db, file: string, options: DisqusOptions = {}): Promise<ImportReport> {
  const report = new ImportReport();
  report.dryRun = options.dryRun ?? false;
  const match = options.match ?? 'link';
  try {
    await db.transaction(async (tx) => {
      const postOfThread = new Map<string, number | null>();
      const comments = new Map<number, ImportedComment[]>();
      const threads: DisqusThread[] = [];
      const posts: DisqusPost[] = [];
      await readXml(file, disqusHandlers(threads, posts), async () => {
        for (const thread of threads.splice(0)) {
          const { urls, slug } = addressesOf(thread, match);
          const postId = urls.length || slug ? await postIdByAddress(tx, urls, slug) : null;
          postOfThread.set(thread.dsqId, postId);
          if (postId === null) report.note(`thread not matched to a post (${match}): ${match === 'link' ? thread.link : thread.identifier}`);
        }
        for (const post of posts.splice(0)) {
          const postId = postOfThread.get(post.thread);
          if (postId == null) {
            report.skip('comments', 'its thread matches no post');
            continue;
          }
          const list = comments.get(postId) ?? [];
          list.push(toComment(post));
          comments.set(postId, list);
        }
      }, options.progress);
      const writer = new ThreadWriter(tx);
      for (const [postId, list] of comments) {
        const merge = await mergeThread(writer, { id: postId, commentCount: await postCommentCount(tx, postId), isNew: false }, list);
        report.count('comments', 'imported', merge.imported);
        report.count('comments', 'updated', merge.updated);
        report.count('comments', 'unchanged', merge.unchanged);
        report.note('reply whose parent is missing: made top-level', merge.orphans);
      }
      await writer.flush();
      if (report.dryRun) tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  return report;
}

function toComment(post: DisqusPost): ImportedComment {
  const date = new Date(post.createdAt.trim());
  return {
    sourceKey: sourceKey(post.dsqId),
    parentSourceKey: post.parent ? sourceKey(post.parent) : null,
    createdAt: Number.isNaN(date.getTime()) ? new Date() : date,
    status: post.isSpam.trim() === 'true' ? 'spam' : 'approved',
    deleted: post.isDeleted.trim() === 'true',
    authorId: null,
    authorName: normalizeName(htmlToText(post.name || post.username)) || 'Anonymous',
    authorEmail: normalizeEmail(post.email) || null,
    authorUrl: null,
    ip: post.ip.trim() || null,
    bodyHtmlSource: post.message,
  };
}

/** SAX handlers collecting `<thread>` and `<post>` records (children of `<disqus>`). */
function disqusHandlers(threads: DisqusThread[], posts: DisqusPost[]) {
  const stack: string[] = [];
  let thread: DisqusThread | null = null;
  let post: DisqusPost | null = null;
  let text = '';
  return {
    open(tag: SaxesTagNS) {
      const name = tag.uri === DISQUS ? tag.local : `{${tag.uri}}${tag.local}`;
      const path = [...stack, name].join('/');
      stack.push(name);
      text = '';
      if (path === 'disqus/thread') thread = { dsqId: dsqId(tag), identifier: '', link: '' };
      else if (path === 'disqus/post') {
        post = { dsqId: dsqId(tag), thread: '', parent: null, message: '', createdAt: '', isDeleted: '', isSpam: '', name: '', email: '', username: '', ip: '' };
      } else if (post && path === 'disqus/post/thread') post.thread = dsqId(tag);
      else if (post && path === 'disqus/post/parent') post.parent = dsqId(tag) || null;
    },
    close() {
      const path = stack.join('/');
      stack.pop();
      if (thread) {
        if (path === 'disqus/thread/id') thread.identifier = text;
        else if (path === 'disqus/thread/link') thread.link = text;
        else if (path === 'disqus/thread') {
          threads.push(thread);
          thread = null;
        }
      } else if (post) {
        const fields: Record<string, keyof DisqusPost> = {
          'disqus/post/message': 'message', 'disqus/post/createdAt': 'createdAt', 'disqus/post/isDeleted': 'isDeleted',
          'disqus/post/isSpam': 'isSpam', 'disqus/post/author/name': 'name', 'disqus/post/author/email': 'email',
          'disqus/post/author/username': 'username', 'disqus/post/ipAddress': 'ip',
        };
        if (fields[path]) (post as unknown as Record<string, string>)[fields[path]!] = text;
        else if (path === 'disqus/post') {
          posts.push(post);
          post = null;
        }
      }
      text = '';
    },
    text(chunk: string) {
      text += chunk;
    },
  };
}
