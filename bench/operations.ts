/*
 * The benchmark's operations: each a GraphQL request and, for the read-only ones, the "floor":
 * the single SQL statement that returns the same JSON as the API's `data`, which pgbench runs
 * to show what Postgres alone can do.
 *
 * The requests come in the forms clients send: hand-written (as a curl user or a plain fetch
 * would), as Apollo Client sends them (`__typename` in every selection set), and as Relay sends
 * them (the text relay-compiler emitted from bench/relay/src, verbatim).
 */
import { readFileSync } from 'node:fs';

const commentFields = 'id bodyHtml createdAt author { name }';

/** `levels` levels of replies under each comment, `size` per page, oldest first. */
function repliesQuery(levels: number, size: number): string {
  if (levels === 0) return '';
  return `replies(first: ${size}) { edges { node { ${commentFields} ${repliesQuery(levels - 1, size)} } } }`;
}

export const frontPageQuery = `{ posts(first: 20) { edges { node { title slug author { name } commentCount } } } }`;

/*
 * The front page as Apollo Client sends it: `print(addTypenameToDocument(query))`, its default
 * (`addTypename`), which adds `__typename` at the end of every selection set but the operation's.
 */
export const apolloFrontPageQuery = `query FrontPage {
  posts(first: 20) {
    edges {
      node {
        title
        slug
        author {
          name
          __typename
        }
        commentCount
        __typename
      }
      __typename
    }
    __typename
  }
}`;

export const postPageQuery = (slug: string) =>
  `{ post(slug: "${slug}") { title bodyHtml author { name bio }
     comments(first: 50) { edges { node { ${commentFields} ${repliesQuery(2, 50)} } } } } }`;

export const deepThreadQuery = `{ post(slug: "deep") {
  comments(first: 50) { edges { node { ${commentFields} ${repliesQuery(6, 50)} } } } } }`;

export const threadPageQuery = `query ($after: String) { post(slug: "deep") {
  thread(first: 50, after: $after) { edges { depth node { ${commentFields} } } pageInfo { endCursor } } } }`;

export const addCommentQuery = `mutation ($input: AddCommentInput!) {
  addComment(input: $input) { __typename ... on AddCommentPayload { status comment { id } } ... on Error { code } } }`;

/**
 * The text relay-compiler emitted for the query `name` (bench/relay, `npm run bench:relay`): the
 * persisted text under the id its artifact names. The persisted file keeps every text it was ever
 * given, so the artifact, which is rewritten on every compile, says which one is current.
 */
export function relayQuery(name: string): string {
  const artifact = readFileSync(new URL(`relay/__generated__/${name}.graphql.ts`, import.meta.url), 'utf8');
  const id = /@relayRequestID (\w+)/.exec(artifact)?.[1];
  const persisted = JSON.parse(readFileSync(new URL('relay/persisted-queries.json', import.meta.url), 'utf8')) as Record<string, string>;
  const text = id === undefined ? undefined : persisted[id];
  if (text === undefined) throw new Error(`No persisted text for the Relay query ${name}: run npm run bench:relay`);
  return text;
}

// --- The floor, in SQL -----------------------------------------------------------------------

const publicPost = `p.status in ('published', 'scheduled') and p.published_at <= now()`;
const id = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}, 'UTF8'), 'base64')`;
/** A connection cursor: base64url, unpadded, of "Comment:id" (src/schema/pagination.ts). */
const cursor = (column: string) => `translate(rtrim(${id('Comment', column)}, '='), '+/', '-_')`;
// pgbench reads ":name" as a variable, so the time format spells its colons as chr(58).
const isoTime = (column: string) =>
  `replace(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24"#"MI"#"SS.MS"Z"'), '#', chr(58))`;
/** `, '__typename', 'Type'` where the request asks for it. */
const typename = (asked: boolean, type: string) => (asked ? `, '__typename', '${type}'` : '');

/** What a request selects of a comment connection besides the comments' own fields. */
interface Shape {
  /** `cursor` on each edge (Relay's @connection adds it). */
  cursor: boolean;
  /** `depth` on each edge (the flattened thread). */
  depth: boolean;
  /** `pageInfo` fields, in any order; none: no pageInfo. */
  pageInfo: ('endCursor' | 'hasNextPage')[];
  /** `__typename` on each node (Relay's @connection adds it). */
  typename: boolean;
}

const plain: Shape = { cursor: false, depth: false, pageInfo: [], typename: false };
/** What relay-compiler adds to a @connection: `cursor`, `pageInfo { endCursor hasNextPage }`, `__typename`. */
const relay: Shape = { cursor: true, depth: false, pageInfo: ['endCursor', 'hasNextPage'], typename: true };

/** A comment object as the API returns it, placeholders included (alias c, author alias a). */
function commentJson(alias: string, inner: string, shape: Shape): string {
  const shown = `${alias}.status = 'approved' and not ${alias}.deleted`;
  return `json_build_object(
    'id', ${id('Comment', `${alias}.id`)},
    'bodyHtml', case when ${shown} then ${alias}.body_html end,
    'createdAt', ${isoTime(`${alias}.created_at`)},
    'author', case when ${shown} then json_build_object('name', coalesce(a${alias}.name, ${alias}.author_name)) end
    ${typename(shape.typename, 'Comment')}
    ${inner})`;
}

/**
 * A page of the listed comments `where` selects (alias `c`), in path order, `size` of them, as a
 * connection of `shape`. `hasNextPage` reads one comment more than the page, as the API does, and
 * row numbers keep that one out of the edges and the end cursor.
 */
function connectionJson(c: string, where: string, size: number, shape: Shape, node: string): string {
  const more = shape.pageInfo.includes('hasNextPage');
  const onPage = more ? ` filter (where ${c}.n <= ${size})` : '';
  const edge = [`'node', ${node}`];
  if (shape.cursor) edge.push(`'cursor', ${cursor(`${c}.id`)}`);
  if (shape.depth) edge.push(`'depth', ${c}.depth`);
  const pageInfo = shape.pageInfo.map((field) =>
    field === 'endCursor'
      ? `'endCursor', ${cursor(`(array_agg(${c}.id order by ${c}.path desc)${onPage})[1]`)}`
      : `'hasNextPage', count(*) > ${size}`,
  );
  const rows = more
    ? `select ${c}.*, row_number() over (order by ${c}.path) as n from comments ${c}
       where ${where} and ${c}.listed order by ${c}.path limit ${size + 1}`
    : `select * from comments ${c} where ${where} and ${c}.listed order by ${c}.path limit ${size}`;
  return `(select json_build_object(
    'edges', coalesce(json_agg(json_build_object(${edge.join(', ')}) order by ${c}.path)${onPage}, '[]'::json)
    ${pageInfo.length ? `, 'pageInfo', json_build_object(${pageInfo.join(', ')})` : ''})
    from (${rows}) ${c}
    left join authors a${c} on a${c}.id = ${c}.author_id)`;
}

/** A page of comments under `parentCondition`, `levels` more levels of replies below each. */
function commentTree(parentCondition: (alias: string) => string, levels: number, size: number, shape: Shape, depth = 0): string {
  const c = `c${depth}`;
  const inner =
    levels === 0 ? '' : `, 'replies', ${commentTree((alias) => `${alias}.parent_id = ${c}.id`, levels - 1, size, shape, depth + 1)}`;
  return connectionJson(c, parentCondition(c), size, shape, commentJson(c, inner, shape));
}

const topLevel = (c: string) => `${c}.post_id = p.id and ${c}.parent_id is null`;

/** `{ [root]: post }` for the public post `where` selects (alias p, its author a), as `fields`. */
function postFloor(root: 'post' | 'node', where: string, fields: string): string {
  return `
select json_build_object('${root}', (
  select json_build_object(${fields})
  from posts p join authors a on a.id = p.author_id
  where ${where} and ${publicPost}))`;
}

function frontPageFloorOf(typenames: boolean): string {
  return `
select json_build_object('posts', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object('title', p.title, 'slug', p.slug,
    'author', json_build_object('name', a.name${typename(typenames, 'Author')}),
    'commentCount', p.comment_count${typename(typenames, 'Post')})${typename(typenames, 'PostEdge')})
  order by coalesce(p.published_at, p.created_at) desc, p.id desc), '[]'::json)${typename(typenames, 'PostConnection')}))
from (select * from posts p where ${publicPost} order by coalesce(p.published_at, p.created_at) desc, p.id desc limit 20) p
join authors a on a.id = p.author_id`;
}

export const frontPageFloor = frontPageFloorOf(false);
export const apolloFrontPageFloor = frontPageFloorOf(true);

const slugIs = (slug: string) => `p.slug = '${slug}'`;

export const postPageFloor = (slug: string) =>
  postFloor(
    'post',
    slugIs(slug),
    `'title', p.title, 'bodyHtml', p.body_html, 'author', json_build_object('name', a.name, 'bio', a.bio),
     'comments', ${commentTree(topLevel, 2, 50, plain)}`,
  );

export const deepThreadFloor = postFloor('post', slugIs('deep'), `'comments', ${commentTree(topLevel, 6, 50, plain)}`);

/**
 * PostPageQuery (bench/relay) for the post whose slug `slugExpression` gives: an SQL expression,
 * so that pgbench can pick the slug per transaction (`(array[…])[:n]`).
 */
export const relayPostPageFloor = (slugExpression: string) =>
  postFloor(
    'post',
    `p.slug = ${slugExpression}`,
    `'title', p.title, 'bodyHtml', p.body_html,
     'author', json_build_object('name', a.name, 'bio', a.bio, 'id', ${id('Author', 'a.id')}),
     'comments', ${commentTree(topLevel, 2, 50, relay)}, 'id', ${id('Post', 'p.id')}`,
  );

/** DeepThreadQuery (bench/relay) with `slug: "deep"`. */
export const relayDeepThreadFloor = postFloor(
  'post',
  slugIs('deep'),
  `'comments', ${commentTree(topLevel, 6, 50, relay)}, 'id', ${id('Post', 'p.id')}`,
);

/** 50 comments of the post's flattened thread after the comment `afterId` (from the start when null). */
function threadJson(afterId: number | null, shape: Shape): string {
  const after =
    afterId === null ? '' : ` and c0.path > (select x.path from comments x where x.id = ${afterId} and x.post_id = p.id and x.listed)`;
  return connectionJson('c0', `c0.post_id = p.id${after}`, 50, shape, commentJson('c0', '', shape));
}

/** threadPageQuery with `after` the cursor of the comment `afterId` (null: the first page). */
export const threadPageFloor = (afterId: number | null) =>
  postFloor('post', slugIs('deep'), `'thread', ${threadJson(afterId, { ...plain, depth: true, pageInfo: ['endCursor'] })}`);

/** ThreadPageQuery (bench/relay): the first page, with the post's query. */
export const relayThreadPageFloor = postFloor(
  'post',
  slugIs('deep'),
  `'thread', ${threadJson(null, { ...relay, depth: true })}, 'id', ${id('Post', 'p.id')}`,
);

/**
 * ThreadPagePaginationQuery (bench/relay): Relay's `loadNext`, a later page of the post `postId`
 * through `node(id:)`, after the comment `afterId`.
 */
export const relayThreadNextPageFloor = (postId: number, afterId: number) =>
  postFloor(
    'node',
    `p.id = ${postId}`,
    `'__typename', 'Post', 'thread', ${threadJson(afterId, { ...relay, depth: true })}, 'id', ${id('Post', 'p.id')}`,
  );
