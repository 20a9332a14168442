import { graphql } from 'relay-runtime';

/*
 * The deep thread: a post's top-level comments and six more levels of replies, 50 a page at each
 * level, each level a connection of its own that the reader can page on. Fragments cannot
 * recurse, so each level is a fragment; they differ only in the level they spread below.
 */
export const DeepThreadQuery = graphql`
  query DeepThreadQuery($slug: String!) {
    post(slug: $slug) {
      ...DeepThreadComments_post
    }
  }
`;

export const DeepThreadComments = graphql`
  fragment DeepThreadComments_post on Post
  @refetchable(queryName: "DeepThreadCommentsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    comments(first: $count, after: $cursor) @connection(key: "DeepThreadComments_comments") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies2_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies2 = graphql`
  fragment DeepThreadReplies2_comment on Comment
  @refetchable(queryName: "DeepThreadReplies2PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies2_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies3_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies3 = graphql`
  fragment DeepThreadReplies3_comment on Comment
  @refetchable(queryName: "DeepThreadReplies3PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies3_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies4_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies4 = graphql`
  fragment DeepThreadReplies4_comment on Comment
  @refetchable(queryName: "DeepThreadReplies4PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies4_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies5_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies5 = graphql`
  fragment DeepThreadReplies5_comment on Comment
  @refetchable(queryName: "DeepThreadReplies5PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies5_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies6_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies6 = graphql`
  fragment DeepThreadReplies6_comment on Comment
  @refetchable(queryName: "DeepThreadReplies6PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies6_replies") {
      edges {
        node {
          ...CommentBody_comment
          ...DeepThreadReplies7_comment
        }
      }
    }
  }
`;

export const DeepThreadReplies7 = graphql`
  fragment DeepThreadReplies7_comment on Comment
  @refetchable(queryName: "DeepThreadReplies7PaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    replies(first: $count, after: $cursor) @connection(key: "DeepThreadReplies7_replies") {
      edges {
        node {
          ...CommentBody_comment
        }
      }
    }
  }
`;
