import { builder } from '../builder.js';

export const BodyFormat = builder.enumType('BodyFormat', {
  description:
    'What a body is written in: MARKDOWN (through the API), or HTML (imported from WordPress or Disqus). ' +
    '`bodyHtml` is rendered from it and sanitized either way: that is what clients display.',
  values: {
    MARKDOWN: { value: 'markdown' },
    HTML: { value: 'html' },
  } as const,
});
