import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { possibleTypesFile } from '../src/schema/print.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { addAuthor, addPost } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The client setup the README gives, with the real Apollo Client over a real socket: without the
 * shipped `possibleTypes`, Apollo's cache cannot tell that a ValidationError is an `Error`, and
 * `... on Error { code message }` silently reads nothing; with them, the code and message arrive.
 */
let h: Harness;
let postId: string;
beforeAll(async () => {
  h = await createHarness({}, { http: true });
  const post = await addPost(h.database.db, { authorId: await addAuthor(h.database.db), slug: 'open' });
  postId = encodeGlobalId('Post', post);
});
afterAll(() => h.close());

const possibleTypes = JSON.parse(readFileSync(possibleTypesFile, 'utf8')) as Record<string, string[]>;
const apollo = (withPossibleTypes: boolean) =>
  new ApolloClient({
    link: new HttpLink({ uri: `${h.origin}/graphql`, fetch }),
    cache: new InMemoryCache(withPossibleTypes ? { possibleTypes } : {}),
  });

// As an app writes it; Apollo adds `__typename` to every selection set before sending it.
const ADD_COMMENT = gql`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      ... on AddCommentPayload {
        status
      }
      ... on Error {
        code
        message
      }
    }
  }
`;

describe('Apollo Client', () => {
  const refused = () => ({ input: { postId, body: '', name: 'Guest', email: 'guest@example.com' } });

  it('reads `... on Error` with the shipped possibleTypes', async () => {
    const { data } = await apollo(true).mutate<any>({ mutation: ADD_COMMENT, variables: refused() });
    expect(data.addComment).toMatchObject({ __typename: 'ValidationError', code: 'BAD_USER_INPUT' });
    expect(data.addComment.message).toEqual(expect.any(String));
  });

  it('loses them without (why the README ships possibleTypes)', async () => {
    const { data } = await apollo(false).mutate<any>({ mutation: ADD_COMMENT, variables: refused() });
    expect(data.addComment.__typename).toBe('ValidationError');
    expect(data.addComment.code).toBeUndefined();
  });
});
