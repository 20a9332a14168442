import { demoPost } from '../seeds/demo.js';

/** The tabs GraphiQL opens with on a browser's first visit: the demo post and its thread. */
export const graphiqlTabs = [
  {
    query: `# The demo post with its discussion, three levels deep.
# Press the play button (or Ctrl-Enter). Docs are in the book icon on the left.
query DemoPost($slug: String!) {
  post(slug: $slug) {
    title
    publishedAt
    author { name }
    tags { name }
    commentCount
    comments(first: 10) {
      totalCount
      edges {
        node {
          ...CommentFields
          replies(first: 10) {
            edges {
              node {
                ...CommentFields
                replies(first: 10) {
                  edges { node { ...CommentFields } }
                }
              }
            }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}

fragment CommentFields on Comment {
  id
  depth
  createdAt
  isPlaceholder
  author { name }
  bodyHtml
  replyCount
  descendantCount
}
`,
    variables: JSON.stringify({ slug: demoPost.slug }, null, 2),
  },
  {
    query: `# The same discussion flattened in reading order, for infinite scroll:
# pass the last endCursor as $after to get the next page.
query Thread($slug: String!, $after: String) {
  post(slug: $slug) {
    thread(first: 10, after: $after) {
      totalCount
      edges {
        depth
        node { id author { name } bodyHtml isPlaceholder }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`,
    variables: JSON.stringify({ slug: demoPost.slug, after: null }, null, 2),
  },
  {
    query: `# Newest posts, with full-text search (try "Kremlin" or "Sanders -Trump").
query Posts($search: String) {
  posts(first: 20, search: $search) {
    totalCount
    edges { node { title slug excerpt publishedAt author { name } commentCount } }
  }
}
`,
    variables: JSON.stringify({ search: null }, null, 2),
  },
];
