import { graphql } from 'relay-runtime';

/*
 * The post page: the post, its top-level comments and two levels of replies, each level a
 * connection that the reader can page on ("Load more replies" refetches that level alone, through
 * the `node` query relay-compiler derives from @refetchable).
 */
export const PostPageQuery = graphql`
  query PostPageQuery($slug: String!) {
    post(slug: $slug) {
      title
      bodyHtml
      author {
        name
        bio
      }
      ...PostPageComments_post
    }
  }
`;

export const PostPageComments = graphql`
  fragment PostPageComments_post on Post
  @refetchable(queryName: "PostPageCommentsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    comments(first: $count, after: $cursor) @connection(key: "PostPageComments_comments") {
      edges {
        node {
          ...CommentBody_comment
          ...PostPageReplies2_comment
        }
      }
    }
  }
`;

// Fragments cannot recurse, so each level of replies is a fragment of its own.
export const PostPageReplies2 = graphql`
  fragment PostPageReplies2_comment on Comment
  @refetchable(queryName: "PostPageReplies2PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "PostPageReplies2_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...PostPageReplies3_comment
        }
      }
    }
  }
`;

export const PostPageReplies3 = graphql`
  fragment PostPageReplies3_comment on Comment
  @refetchable(queryName: "PostPageReplies3PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "PostPageReplies3_replies") {
      edges {
        node {
          ...CommentBody_comment
        }
      }
    }
  }
`;
