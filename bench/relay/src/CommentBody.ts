import { graphql } from 'relay-runtime';

// One comment as every thread view shows it, at any depth.
export const CommentBody = graphql`
  fragment CommentBody_comment on Comment {
    bodyHtml
    createdAt
    author {
      name
    }
  }
`;
