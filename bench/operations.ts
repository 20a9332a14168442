/*
 * The benchmark's operations: each a GraphQL request and, for the read-only ones, the "floor":
 * the single SQL statement that returns the same JSON as the API's `data`, which pgbench runs
 * to show what Postgres alone can do.
 */

const commentFields = 'id bodyHtml createdAt author { name }';

/** `levels` levels of replies under each comment, `size` per page, oldest first. */
function repliesQuery(levels: number, size: number): string {
  if (levels === 0) return '';
  return `replies(first: ${size}) { edges { node { ${commentFields} ${repliesQuery(levels - 1, size)} } } }`;
}

export const frontPageQuery = `{ posts(first: 20) { edges { node { title slug author { name } commentCount } } } }`;

export const postPageQuery = (slug: string) =>
  `{ post(slug: "${slug}") { title bodyHtml author { name bio }
     comments(first: 50) { edges { node { ${commentFields} ${repliesQuery(2, 50)} } } } } }`;

export const deepThreadQuery = `{ post(slug: "deep") {
  comments(first: 50) { edges { node { ${commentFields} ${repliesQuery(6, 50)} } } } } }`;

export const threadPageQuery = `query ($after: String) { post(slug: "deep") {
  thread(first: 50, after: $after) { edges { depth node { ${commentFields} } } pageInfo { endCursor } } } }`;

export const addCommentQuery = `mutation ($input: AddCommentInput!) {
  addComment(input: $input) { __typename ... on AddCommentPayload { status comment { id } } ... on Error { code } } }`;

// --- The floor, in SQL -----------------------------------------------------------------------

const publicPost = `p.status in ('published', 'scheduled') and p.published_at <= now()`;
const id = (type: string, column: string) => `encode(convert_to('${type}:' || ${column}, 'UTF8'), 'base64')`;
// pgbench reads ":name" as a variable, so the time format spells its colons as chr(58).
const isoTime = (column: string) =>
  `replace(to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24"#"MI"#"SS.MS"Z"'), '#', chr(58))`;

/** A comment object as the API returns it, placeholders included (alias c, author alias a). */
function commentJson(alias: string, inner: string): string {
  const shown = `${alias}.status = 'approved' and not ${alias}.deleted`;
  return `json_build_object(
    'id', ${id('Comment', `${alias}.id`)},
    'bodyHtml', case when ${shown} then ${alias}.body_html end,
    'createdAt', ${isoTime(`${alias}.created_at`)},
    'author', case when ${shown} then json_build_object('name', coalesce(a${alias}.name, ${alias}.author_name)) end
    ${inner})`;
}

/** `edges` of a page of comments under `parentCondition`, `levels` more levels below. */
function commentsJson(parentCondition: (alias: string) => string, levels: number, size: number, depth = 0): string {
  const c = `c${depth}`;
  const inner = levels === 0 ? '' : `, 'replies', ${commentsJson((alias) => `${alias}.parent_id = ${c}.id`, levels - 1, size, depth + 1)}`;
  return `json_build_object('edges', coalesce((
    select json_agg(json_build_object('node', ${commentJson(c, inner)}) order by ${c}.path)
    from (select * from comments ${c} where ${parentCondition(c)} and ${c}.listed order by ${c}.path limit ${size}) ${c}
    left join authors a${c} on a${c}.id = ${c}.author_id), '[]'::json))`;
}

export const frontPageFloor = `
select json_build_object('posts', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object('title', p.title, 'slug', p.slug, 'author', json_build_object('name', a.name), 'commentCount', p.comment_count))
  order by coalesce(p.published_at, p.created_at) desc, p.id desc), '[]'::json)))
from (select * from posts p where ${publicPost} order by coalesce(p.published_at, p.created_at) desc, p.id desc limit 20) p
join authors a on a.id = p.author_id`;

function postFloor(slug: string, fields: string, levels: number): string {
  return `
select json_build_object('post', (
  select json_build_object(${fields}
    'comments', ${commentsJson((c) => `${c}.post_id = p.id and ${c}.parent_id is null`, levels, 50)})
  from posts p join authors a on a.id = p.author_id
  where p.slug = '${slug}' and ${publicPost}))`;
}

export const postPageFloor = (slug: string) =>
  postFloor(slug, `'title', p.title, 'bodyHtml', p.body_html, 'author', json_build_object('name', a.name, 'bio', a.bio),`, 2);

export const deepThreadFloor = postFloor('deep', '', 6);
