import { graphql } from 'relay-runtime';

/*
 * The flattened thread (infinite scroll): the first page comes with the post's query; every page
 * after it is Relay's `loadNext`, which sends ThreadPagePaginationQuery with the post's id and the
 * last cursor it has.
 */
export const ThreadPageQuery = graphql`
  query ThreadPageQuery($slug: String!) {
    post(slug: $slug) {
      ...ThreadPage_post
    }
  }
`;

export const ThreadPage = graphql`
  fragment ThreadPage_post on Post
  @refetchable(queryName: "ThreadPagePaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    thread(first: $count, after: $cursor) @connection(key: "ThreadPage_thread") {
      edges {
        depth
        node {
          ...CommentBody_comment
        }
      }
    }
  }
`;
