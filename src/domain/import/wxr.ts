import type { SaxesTagNS } from 'saxes';
import { readXml } from './xml-stream.js';

/*
 * Reads a WordPress export (WXR 1.0 to 1.2) as a stream of records: the site, its authors, and
 * its items (posts, pages, attachments…) each with its comments. Elements are recognised by their
 * namespace URI, read from the document as WordPress's own importer does, so both the http:// and
 * https:// forms of `wordpress.org/export/1.x/` work whatever prefix they are bound to. Only the
 * fields the importer uses are kept; everything else (postmeta, commentmeta, terms) is skipped
 * without being held in memory.
 */

export interface WxrSite {
  /** From the wp namespace: "1.0", "1.1" or "1.2". */
  version: string;
  title: string;
  link: string;
  baseSiteUrl: string;
  baseBlogUrl: string;
}

export interface WxrAuthor {
  id: string;
  login: string;
  email: string;
  displayName: string;
}

export interface WxrCategory {
  domain: string;
  nicename: string;
  name: string;
}

export interface WxrComment {
  id: string;
  author: string;
  authorEmail: string;
  authorUrl: string;
  authorIp: string;
  date: string;
  dateGmt: string;
  content: string;
  approved: string;
  type: string;
  parent: string;
  userId: string;
}

export interface WxrItem {
  title: string;
  link: string;
  guid: string;
  creator: string;
  content: string;
  excerpt: string;
  postId: string;
  postDate: string;
  postDateGmt: string;
  commentStatus: string;
  postName: string;
  status: string;
  postType: string;
  /** `wp:post_password`, untrimmed: WordPress protects a post whenever it is not empty. */
  password: string;
  categories: WxrCategory[];
  comments: WxrComment[];
}

export type WxrRecord = { kind: 'author'; author: WxrAuthor } | { kind: 'item'; item: WxrItem };

/** The namespace an element is in, by its URI: wp, excerpt, content, dc, '' (none) or other. */
function namespaceOf(uri: string, site: Partial<WxrSite>): string {
  if (uri === '') return '';
  const wp = /^https?:\/\/wordpress\.org\/export\/(1\.[0-2])\/(excerpt\/)?$/.exec(uri);
  if (wp) {
    site.version ??= wp[1]!;
    return wp[2] ? 'excerpt' : 'wp';
  }
  if (/^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content\/$/.test(uri)) return 'content';
  if (/^https?:\/\/purl\.org\/dc\/elements\/1\.1\/$/.test(uri)) return 'dc';
  return 'other';
}

// The fields kept, by the element's namespace:name, for each record.
const itemFields: Record<string, keyof WxrItem> = {
  ':title': 'title', ':link': 'link', ':guid': 'guid', 'dc:creator': 'creator', 'content:encoded': 'content',
  'excerpt:encoded': 'excerpt', 'wp:post_id': 'postId', 'wp:post_date': 'postDate', 'wp:post_date_gmt': 'postDateGmt',
  'wp:comment_status': 'commentStatus', 'wp:post_name': 'postName', 'wp:status': 'status', 'wp:post_type': 'postType',
  'wp:post_password': 'password',
};
const commentFields: Record<string, keyof WxrComment> = {
  'wp:comment_id': 'id', 'wp:comment_author': 'author', 'wp:comment_author_email': 'authorEmail',
  'wp:comment_author_url': 'authorUrl', 'wp:comment_author_IP': 'authorIp', 'wp:comment_date': 'date',
  'wp:comment_date_gmt': 'dateGmt', 'wp:comment_content': 'content', 'wp:comment_approved': 'approved',
  'wp:comment_type': 'type', 'wp:comment_parent': 'parent', 'wp:comment_user_id': 'userId',
};
const authorFields: Record<string, keyof WxrAuthor> = {
  'wp:author_id': 'id', 'wp:author_login': 'login', 'wp:author_email': 'email', 'wp:author_display_name': 'displayName',
};
const siteFields: Record<string, keyof WxrSite> = {
  ':title': 'title', ':link': 'link', 'wp:base_site_url': 'baseSiteUrl', 'wp:base_blog_url': 'baseBlogUrl', 'wp:wxr_version': 'version',
};

const emptyItem = (): WxrItem => ({
  title: '', link: '', guid: '', creator: '', content: '', excerpt: '', postId: '', postDate: '', postDateGmt: '',
  commentStatus: '', postName: '', status: '', postType: '', password: '', categories: [], comments: [],
});
const emptyComment = (): WxrComment => ({
  id: '', author: '', authorEmail: '', authorUrl: '', authorIp: '', date: '', dateGmt: '', content: '',
  approved: '', type: '', parent: '', userId: '',
});

/**
 * Streams `file`'s records to `onRecord`, awaited one at a time (after the chunk that completed
 * them). Returns the site's description. `site` is filled in as soon as the channel's fields are
 * read, which WordPress writes before the first author and item.
 */
export async function readWxr(
  file: string,
  onRecord: (record: WxrRecord, site: WxrSite) => Promise<void>,
  progress?: (bytes: number, total: number) => void,
): Promise<WxrSite> {
  const site: Partial<WxrSite> = {};
  const stack: string[] = [];
  const pending: WxrRecord[] = [];
  let item: WxrItem | null = null;
  let comment: WxrComment | null = null;
  let author: WxrAuthor | null = null;
  let category: WxrCategory | null = null;
  // The field being read, and its text so far (CDATA sections and text nodes are concatenated).
  let field: { assign: (text: string) => void; depth: number } | null = null;
  let text = '';

  const capture = (depth: number, assign: (text: string) => void) => {
    field = { assign, depth };
    text = '';
  };

  const open = (tag: SaxesTagNS) => {
    const key = `${namespaceOf(tag.uri, site)}:${tag.local}`;
    const parent = stack.at(-1);
    const depth = stack.push(key);
    if (field) return;
    if (key === ':item' && parent === ':channel') item = emptyItem();
    else if (key === 'wp:author' && parent === ':channel') author = { id: '', login: '', email: '', displayName: '' };
    else if (key === 'wp:comment' && item && parent === ':item') comment = emptyComment();
    else if (comment && parent === 'wp:comment' && commentFields[key]) {
      const name = commentFields[key]!;
      const target = comment;
      capture(depth, (value) => (target[name] = value));
    } else if (item && parent === ':item' && key === ':category') {
      const attribute = (local: string) => Object.values(tag.attributes).find((a) => a.local === local && a.uri === '')?.value ?? '';
      const target: WxrCategory = { domain: attribute('domain'), nicename: attribute('nicename'), name: '' };
      category = target;
      capture(depth, (value) => (target.name = value));
    } else if (item && parent === ':item' && itemFields[key]) {
      const name = itemFields[key]!;
      const target = item as unknown as Record<string, string>;
      capture(depth, (value) => (target[name] = value));
    } else if (author && parent === 'wp:author' && authorFields[key]) {
      const name = authorFields[key]!;
      const target = author;
      capture(depth, (value) => (target[name] = value));
    } else if (!item && parent === ':channel' && siteFields[key]) {
      const name = siteFields[key]!;
      capture(depth, (value) => (site[name] = value.trim()));
    }
  };

  const close = () => {
    const depth = stack.length;
    const key = stack.pop();
    if (field && field.depth === depth) {
      (field as { assign: (text: string) => void }).assign(text);
      field = null;
      if (category && key === ':category') {
        item!.categories.push(category);
        category = null;
      }
      return;
    }
    if (field) return;
    if (key === 'wp:comment' && comment) {
      item!.comments.push(comment);
      comment = null;
    } else if (key === ':item' && item) {
      pending.push({ kind: 'item', item });
      item = null;
    } else if (key === 'wp:author' && author) {
      pending.push({ kind: 'author', author });
      author = null;
    }
  };

  const drain = async () => {
    while (pending.length) await onRecord(pending.shift()!, done());
  };
  const done = (): WxrSite => ({
    version: site.version ?? '1.0',
    title: site.title ?? '',
    link: site.link ?? '',
    baseSiteUrl: site.baseSiteUrl ?? site.link ?? '',
    baseBlogUrl: site.baseBlogUrl ?? site.baseSiteUrl ?? site.link ?? '',
  });

  await readXml(file, { open, close, text: (t) => field && (text += t) }, drain, progress);
  if (!site.version) throw new Error(`${file} is not a WordPress export (no wordpress.org/export namespace).`);
  return done();
}
