import { decodeHTML } from 'entities';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/*
 * Markdown is stored as written and rendered to HTML once, at write time. The HTML is always
 * passed through an allow-list sanitizer, whatever the renderer did: no scripts, no event
 * handlers, no style, and links and images only over http(s) (mailto for links).
 * Posts (written by editors) may embed HTML and images; comments (written by anyone) may not,
 * and their links are marked nofollow/ugc, as WordPress does.
 * A body is Markdown, or HTML (`bodyFormat`, for content imported from WordPress or Disqus): HTML
 * goes through the same allow-lists, after WordPress's own paragraph rule (see `paragraphs`).
 */

export type BodyFormat = 'markdown' | 'html';

const postRenderer = new MarkdownIt({ html: true, linkify: true });
const commentRenderer = new MarkdownIt({ html: false, linkify: true });

const textTags = [
  'p', 'br', 'a', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'del', 's', 'hr',
];

const postPolicy: sanitizeHtml.IOptions = {
  allowedTags: [
    ...textTags,
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody',
    'tr', 'th', 'td', 'sup', 'sub', 'abbr', 'cite', 'q',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    abbr: ['title'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

const commentPolicy: sanitizeHtml.IOptions = {
  allowedTags: textTags,
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow ugc noopener' }) },
};

export function renderPostMarkdown(markdown: string): string {
  return sanitizeHtml(postRenderer.render(markdown), postPolicy);
}

export function renderCommentMarkdown(markdown: string): string {
  return sanitizeHtml(commentRenderer.render(markdown), commentPolicy);
}

export function renderPostBody(format: BodyFormat, source: string): string {
  return format === 'markdown' ? renderPostMarkdown(source) : sanitizeHtml(paragraphs(source), postPolicy);
}

export function renderCommentBody(format: BodyFormat, source: string): string {
  return format === 'markdown' ? renderCommentMarkdown(source) : sanitizeHtml(paragraphs(source), commentPolicy);
}

/** The text of an HTML fragment (a WordPress title or excerpt): tags dropped, entities decoded. */
export function htmlToText(html: string): string {
  // Most titles and commenters' names hold neither a tag nor an entity: nothing to strip or decode
  // (the 100,000 names of `npm run bench:import` took 1.3 s through the sanitizer).
  const text = /[<&]/.test(html) ? decodeHTML(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })) : html;
  return text.replace(/\s+/g, ' ').trim();
}

const blockStart = /^<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|figure|table|hr|dl|section|article|aside|header|footer|address|form)[\s>/]/i;

/**
 * WordPress stores classic-editor posts and all comments with blank lines for paragraphs and
 * displays them through wpautop; without the same rule an imported body would run together.
 * A simplified wpautop: blank-line-separated chunks that do not start with a block tag become
 * paragraphs, their single newlines line breaks; `<pre>` blocks are left as they are.
 */
export function paragraphs(html: string): string {
  const pres: string[] = [];
  const held = html.replace(/<pre[\s>][\s\S]*?<\/pre>/gi, (pre) => `\u0000${pres.push(pre) - 1}\u0000`);
  return held
    .split(/\n[ \t]*\n/)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map((chunk) => (blockStart.test(chunk) || /^\u0000\d+\u0000$/.test(chunk) ? chunk : `<p>${chunk.replace(/\n/g, '<br>\n')}</p>`))
    .join('\n')
    .replace(/\u0000(\d+)\u0000/g, (_, i: string) => pres[Number(i)]!);
}
