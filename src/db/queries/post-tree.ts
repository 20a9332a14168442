import { sql, type SQL } from 'drizzle-orm';
import { queryJson, type Db } from '../client.js';
import { publicPost, publicPostCondition } from './posts.js';

/*
 * A post and its comment tree, or a page of posts, as one statement that builds the response JSON
 * in Postgres: what the resolvers would return for the same selection (src/compiled.ts decides
 * when a request has this shape; test/compiled.test.ts checks it against the resolvers). Each page of comments
 * is a subquery per parent that walks the same index range as the per-level statements
 * (`parent_id` or top level, `listed`, ordered by path, limited to the page), nested inside its
 * parent's row, so the whole tree is one round trip and no row is read that the response does
 * not show.
 */

/** One field of an object in the response: its key (the alias or field name) and what it shows. */
export type TreeField =
  | { key: string; kind: 'typename'; typename: string }
  | { key: string; kind: 'post'; field: PostScalar }
  | { key: string; kind: 'author'; fields: TreeField[] }
  | { key: string; kind: 'authorScalar'; field: AuthorScalar }
  | { key: string; kind: 'comment'; field: CommentScalar }
  | { key: string; kind: 'commentAuthor'; fields: TreeField[] }
  | { key: string; kind: 'commentAuthorScalar'; field: CommentAuthorScalar }
  | { key: string; kind: 'comments'; page: TreePage; fields: TreeField[] }
  | { key: string; kind: 'edges'; fields: TreeField[] }
  | { key: string; kind: 'node'; fields: TreeField[] };

export interface TreePage {
  limit: number;
  descending: boolean;
}

export const postScalars = {
  id: `encode(convert_to('Post:' || p.id, 'UTF8'), 'base64')`,
  slug: 'p.slug',
  title: 'p.title',
  excerpt: 'p.excerpt',
  bodyHtml: 'p.body_html',
  bodyMarkdown: 'p.body_markdown',
  version: 'p.version',
  commentsOpen: 'p.comments_open',
  commentCount: 'p.comment_count',
  publishedAt: isoTime('p.published_at'),
  createdAt: isoTime('p.created_at'),
  updatedAt: isoTime('p.updated_at'),
} as const;
export type PostScalar = keyof typeof postScalars;

export const authorScalars = {
  id: `encode(convert_to('Author:' || a.id, 'UTF8'), 'base64')`,
  slug: 'a.slug',
  name: 'a.name',
  bio: 'a.bio',
  avatarUrl: 'a.avatar_url',
  website: 'a.website',
} as const;
export type AuthorScalar = keyof typeof authorScalars;

// For a comment aliased `c` (its registered author `ca`, null for guests). Body and author are
// shown only while the comment is public; otherwise it is a placeholder (see Comment in the schema).
const shown = (c: string) => `(${c}.status = 'approved' and not ${c}.deleted)`;
export const commentScalars = {
  id: (c: string) => `encode(convert_to('Comment:' || ${c}.id, 'UTF8'), 'base64')`,
  bodyHtml: (c: string) => `case when ${shown(c)} then ${c}.body_html end`,
  bodyMarkdown: (c: string) => `case when ${shown(c)} then ${c}.body_markdown end`,
  createdAt: (c: string) => isoTime(`${c}.created_at`),
  updatedAt: (c: string) => isoTime(`${c}.updated_at`),
  editedAt: (c: string) => `case when ${shown(c)} then ${isoTime(`${c}.edited_at`)} end`,
  depth: (c: string) => `${c}.depth`,
  replyCount: (c: string) => `${c}.reply_count`,
  descendantCount: (c: string) => `${c}.descendant_count`,
  isPlaceholder: (c: string) => `not ${shown(c)}`,
} as const;
export type CommentScalar = keyof typeof commentScalars;

// A registered author's current profile wins over what the comment kept, as in CommentAuthor.
export const commentAuthorScalars = {
  name: (c: string, ca: string) => `coalesce(${ca}.name, ${c}.author_name)`,
  url: (c: string, ca: string) => `case when ${ca}.id is null then ${c}.author_url else ${ca}.website end`,
  avatarUrl: (_c: string, ca: string) => `${ca}.avatar_url`,
} as const;
export type CommentAuthorScalar = keyof typeof commentAuthorScalars;

/** `DateTime` as the scalar serializes it: `Date.toISOString()`, milliseconds, UTC. */
function isoTime(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function object(fields: TreeField[], value: (field: TreeField) => string): string {
  return `json_build_object(${fields.map((field) => `${literal(field.key)}, ${value(field)}`).join(', ')})`;
}

/**
 * The SQL of one field, inside the object of the post (`p`, its author `a`; level 0) or of a
 * comment `c<level>` (its registered author `ca<level>`) at some level of the tree.
 */
function fieldSql(field: TreeField, level: number): string {
  switch (field.kind) {
    case 'typename':
      return literal(field.typename);
    case 'post':
      return postScalars[field.field];
    case 'author':
      return object(field.fields, (f) => fieldSql(f, level));
    case 'authorScalar':
      return authorScalars[field.field];
    case 'comment':
      return commentScalars[field.field](`c${level}`);
    case 'commentAuthor':
      return `case when ${shown(`c${level}`)} then ${object(field.fields, (f) => fieldSql(f, level))} end`;
    case 'commentAuthorScalar':
      return commentAuthorScalars[field.field](`c${level}`, `ca${level}`);
    case 'comments':
      return pageSql(field, level === 0 ? `c1.post_id = p.id and c1.parent_id is null` : `c${level + 1}.parent_id = c${level}.id`, level + 1);
    case 'edges':
    case 'node':
      throw new Error(`${field.kind} outside a page`);
  }
}

/**
 * A connection: its `edges` aggregated in `order` from `rows` (a from-clause that yields exactly
 * the page), each node built at `level`.
 */
function connectionSql(fields: TreeField[], rows: string, order: string, level: number): string {
  return object(fields, (field) => {
    if (field.kind === 'typename') return literal(field.typename);
    if (field.kind !== 'edges') throw new Error(`${field.kind} in a connection`);
    const edge = object(field.fields, (edgeField) => {
      if (edgeField.kind === 'typename') return literal(edgeField.typename);
      if (edgeField.kind !== 'node') throw new Error(`${edgeField.kind} in an edge`);
      return object(edgeField.fields, (f) => fieldSql(f, level));
    });
    return `coalesce((select json_agg(${edge} order by ${order}) from ${rows}), '[]'::json)`;
  });
}

/** A page of comments under one parent, in path order: the index range the loaders read too. */
function pageSql(connection: Extract<TreeField, { kind: 'comments' }>, where: string, level: number): string {
  const c = `c${level}`;
  const order = `${c}.path${connection.page.descending ? ' desc' : ''}`;
  const rows = `(select * from comments ${c} where ${where} and ${c}.listed order by ${order} limit ${connection.page.limit}) ${c}
    left join authors ca${level} on ca${level}.id = ${c}.author_id`;
  return connectionSql(connection.fields, rows, order, level);
}

export type PostLookup = { slug: string } | { id: number };

/** JSON text as the driver hands it over (see queryJson). */
export type JsonText = Buffer | string;


/**
 * The statement for the public post found by `lookup` as the JSON object `fields` describe (no
 * row when there is none). Built once per compiled request: a repeat runs the same object.
 */
export function postTreeQuery(lookup: PostLookup, fields: TreeField[]): SQL {
  const where: SQL = 'slug' in lookup ? sql`p.slug = ${lookup.slug}` : sql`p.id = ${lookup.id}`;
  return sql`select ${sql.raw(object(fields, (f) => fieldSql(f, 0)))}::text
    from posts p join authors a on a.id = p.author_id
    where ${where} and ${publicPost}`;
}

/** The statement for a page of public posts (newest first unless not descending) as a connection. */
export function postPageQuery(page: TreePage, fields: TreeField[]): SQL {
  // The order of listPosts, which posts_public_idx serves.
  const direction = page.descending ? 'desc' : 'asc';
  const order = `coalesce(p.published_at, p.created_at) ${direction}, p.id ${direction}`;
  const rows = `(select * from posts p where ${publicPostCondition} order by ${order} limit ${page.limit}) p
    join authors a on a.id = p.author_id`;
  return sql`select ${sql.raw(connectionSql(fields, rows, order, 0))}::text`;
}

/** Runs one of the statements above: its JSON text as the driver hands it over, `null` for no row. */
export async function readJson(db: Db, query: SQL): Promise<JsonText> {
  return (await queryJson(db, query)) ?? 'null';
}
