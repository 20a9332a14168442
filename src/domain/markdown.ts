import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/*
 * Markdown is stored as written and rendered to HTML once, at write time. The HTML is always
 * passed through an allow-list sanitizer, whatever the renderer did: no scripts, no event
 * handlers, no style, and links and images only over http(s) (mailto for links).
 * Posts (written by editors) may embed HTML and images; comments (written by anyone) may not,
 * and their links are marked nofollow/ugc, as WordPress does.
 */

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
