import { demoPost } from '../../seeds/demo.js';

/**
 * The tabs GraphiQL opens with on a browser's first visit: the demo post, its thread and its live
 * events, then the editors' tabs. Each runs as it opens (its variables are loaded with it). No tab
 * carries headers of its own: the Headers pane is shared by every tab (src/graphiql/client.ts), so
 * an editor pastes a token once.
 *
 * `demoPostId` is the demo post's global ID as the page is rendered (the tabs that take a post ID
 * use it), or null when there is no public demo post (SEED_DEMO=false, or it was deleted or
 * unpublished): those tabs then ask for an ID.
 */
export const graphiqlTabs = (demoPostId: string | null) => {
  const fillInPostId = demoPostId
    ? ''
    : `
# There is no demo post on this server: put a post's id in the Variables pane (the Posts tab lists
# them).`;
  return [
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
      query: `# The demo post's thread, live: press the play button, then leave a reply from another window
# (this page's Reply tab there, or the site). GraphiQL stops a subscription when you switch tabs
# here, and shows the latest event only: a new comment (CommentAdded) is followed at once by the
# thread's new counts (ThreadCounts), which carry its latest comments.${fillInPostId}
subscription LiveThread($postId: ID!) {
  threadEvents(postId: $postId) {
    __typename
    ... on CommentAdded { cursor isPublic comment { ...LiveComment } }
    ... on CommentEdited { cursor isPublic comment { ...LiveComment } }
    ... on CommentRemoved { cursor commentId placeholder }
    ... on ThreadCounts {
      cursor
      commentCount
      post {
        thread(first: 3, order: NEWEST_FIRST) { edges { node { ...LiveComment } } }
      }
    }
    ... on ThreadHidden { cursor postId }
  }
}

fragment LiveComment on Comment {
  id
  depth
  createdAt
  author { name }
  bodyHtml
  parent { id }
}
`,
      variables: JSON.stringify({ postId: demoPostId ?? '' }, null, 2),
    },
    {
      query: `# Newest posts, with full-text search (try "Kremlin" or "Sanders -Trump").
query Posts($search: String) {
  posts(first: 20, search: $search) {
    totalCount
    edges { node { id title slug excerpt publishedAt author { name } commentCount } }
  }
}
`,
      variables: JSON.stringify({ search: null }, null, 2),
    },
    {
      query: `# Leave a reply as a guest (no token needed). The result says whether the comment is
# public now; keep the guestToken to read, edit or delete it within 15 minutes (ownComment,
# editOwnComment, deleteOwnComment).${fillInPostId}
mutation Reply($input: AddCommentInput!) {
  addComment(input: $input) {
    __typename
    ... on AddCommentPayload { status guestToken editableUntil comment { id depth bodyHtml } }
    ... on Error { code message }
    ... on ValidationError { field }
  }
}
`,
      variables: JSON.stringify(
        { input: { postId: demoPostId ?? '', body: 'I *agree*, mostly.', name: 'Ada', email: 'ada@example.com' } },
        null,
        2,
      ),
    },
    {
      query: `# Editors: paste your token in the Headers tab first (the server printed one on first start),
# once: every tab sends the same headers. Who am I, and the moderation queue (with where each
# comment came from, for moderators only).
query Moderation {
  viewer { role author { name } }
  moderationQueue(first: 20) {
    totalCount
    edges {
      node {
        id status heldReason createdAt bodyHtml author { name } post { title }
        sender { email ip userAgent referrer }
      }
    }
  }
}

# Approve, hold, mark as spam, trash or delete comments, many at once.
mutation Moderate($ids: [ID!]!, $action: ModerationAction!) {
  moderateComments(ids: $ids, action: $action) {
    __typename
    ... on ModerateCommentsPayload { comments { id status } }
    ... on Error { code message }
  }
}

# Replace a comment's text; the old text stays in its revisions, with who replaced it.
mutation EditComment($id: ID!, $body: String!) {
  editComment(id: $id, body: $body) {
    __typename
    ... on Comment { bodyHtml editedAt revisions { bodyMarkdown editedAt editedBy { name } } }
    ... on Error { code message }
  }
}

# Block the email and/or address a comment came from: their next comments are spam.
mutation BlockSender($id: ID!, $what: [SenderKind!]!) {
  blockSender(commentId: $id, what: $what, reason: "Spam") {
    __typename
    ... on BlockSenderPayload { blocked { kind value } }
    ... on Error { code message }
  }
}
`,
      variables: JSON.stringify({ ids: [], action: 'APPROVE', id: '', body: '', what: ['EMAIL', 'IP'] }, null, 2),
    },
    {
      query: `# Editors (with your token in the Headers tab): write a draft, edit it (pass back the version
# you read), then publish or schedule.
mutation Draft {
  createPost(input: { title: "Hello, world", bodyMarkdown: "First *post*.", tags: ["News"] }) {
    __typename
    ... on Post { id slug status version }
    ... on Error { code message }
  }
}

mutation Edit($id: ID!, $version: Int!) {
  updatePost(id: $id, version: $version, fields: { title: "Hello again" }) {
    __typename
    ... on Post { id title version }
    ... on ConflictError { message currentVersion }
    ... on Error { code message }
  }
}

mutation Publish($id: ID!) {
  publishPost(id: $id) { __typename ... on Post { status publishedAt } ... on Error { code message } }
}

mutation Schedule($id: ID!, $at: DateTime!) {
  schedulePost(id: $id, publishAt: $at) { __typename ... on Post { status publishedAt } ... on Error { code message } }
}
`,
      variables: JSON.stringify({ id: '', version: 1, at: '2030-01-01T09:00:00Z' }, null, 2),
    },
  ];
};

/**
 * The Headers pane's contents on a first visit, shared by every tab. Comments are allowed there
 * (GraphiQL reads the pane as JSON with comments); the server's first-start message and the
 * README's "Editors" section say what to paste.
 */
export const graphiqlHeaders = `// Shared by every tab. Editors: replace all of this with your token, once:
// { "Authorization": "Bearer pal_…" }
{}
`;
