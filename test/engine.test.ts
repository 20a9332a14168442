import { sql, type SQL } from 'drizzle-orm';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isNonNullType,
  isLeafType,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import type { Access } from '../src/domain/roles.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { SQL_EXTENSION, type FieldDeclaration, type Join, type RowsDeclaration, type SourceDeclaration } from '../src/engine/declare.js';
import { declarationOf } from '../src/engine/plan.js';
import { encodeGlobalId } from '../src/schema/ids.js';
import { schema } from '../src/schema/index.js';
import { random, threadDrafts } from '../seeds/generate.js';
import { addAuthor, addPost, addTag, addThread, addWriter } from './fixtures.js';
import { createHarness, type Harness } from './harness.js';

/*
 * The read engine against the resolvers, by construction: the queries below are generated from
 * the built schema — every readable field of every type the engine can reach, every connection
 * paged both ways (first/after, last/before, each order), every root field with each kind of
 * argument — each written in one of the styles real clients use (fragments, inline fragments,
 * aliases, __typename, @include/@skip with variables). Each runs through the engine and through
 * the reference executor (the resolvers with DataLoader, `engine: 'reference'`) on the same
 * database, anonymously, as an editor and as a writer with a draft, and must give the same data
 * and errors (key order included). Whatever the engine answers costs one statement.
 */
let h: Harness;
let reference: ReturnType<typeof createApp>;
const ids: Record<string, string> = {};
const tokens: Record<string, string | undefined> = { anonymous: undefined };
let writerId: number;

beforeAll(async () => {
  h = await createHarness();
  const db = h.database.db;
  reference = createApp({ db, config: loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0' }), logger: silent, engine: 'reference' });
  const people = [];
  for (const name of ['Ann', 'Ben', 'Cy']) people.push({ id: await addAuthor(db, { name, slug: name.toLowerCase() }), name });
  const [news, deep] = [await addTag(db, 'news'), await addTag(db, 'deep')];
  const editor = await addWriter(db, 'editor');
  const writer = await addWriter(db, 'author');
  writerId = writer.id;
  tokens.editor = editor.token;
  tokens.writer = writer.token;
  const tree = await addPost(db, { authorId: people[0]!.id, slug: 'tree', title: 'Tree', tagIds: [news, deep], publishedAt: new Date('2024-02-01T00:00:00Z') });
  for (let i = 0; i < 4; i++) {
    await addPost(db, { authorId: people[i % 3]!.id, slug: `older-${i}`, title: `Older ${i}`, tagIds: i % 2 ? [news] : [], publishedAt: new Date(`2024-01-0${i + 1}T00:00:00Z`) });
  }
  await addPost(db, { authorId: people[1]!.id, slug: 'newer', title: 'Newer', publishedAt: new Date('2024-03-01T00:00:00Z') });
  const draft = await addPost(db, { authorId: writer.id, slug: 'hidden', status: 'draft', publishedAt: null, tagIds: [await addTag(db, 'secret')] });
  await addPost(db, { authorId: people[2]!.id, slug: 'soon', status: 'scheduled', publishedAt: new Date('2999-01-01T00:00:00Z') });
  // An imported post's old address (post(legacyUrl:)).
  await db.execute(sql`insert into post_legacy_urls (url, post_id) values ('https://old.example/2024/tree/', ${tree})`);
  await addThread(db, tree, threadDrafts(random(7), { comments: 120, topLevel: 12, maxDepth: 6, moderation: true }, new Date('2024-02-01'), people));
  await addThread(db, draft, threadDrafts(random(8), { comments: 5, topLevel: 2, maxDepth: 2, moderation: false }, new Date('2024-01-01'), people));
  await db.execute(sql`update comments set edited_at = created_at + interval '5 minutes' where id % 3 = 0`);
  await db.execute(sql`insert into comment_revisions (comment_id, body_markdown, body_html, edited_at)
                       select id, 'before', '<p>before</p>', created_at + interval '5 minutes' from comments where id % 3 = 0`);
  // Some edits by a moderator (editComment), and where comments came from (Comment.sender).
  await db.execute(sql`update comment_revisions set edited_by = ${editor.id} where comment_id % 6 = 0`);
  await db.execute(sql`update comments set ip = '192.0.2.' || (id % 200), user_agent = 'Agent ' || id,
                         referrer = case when id % 2 = 0 then 'https://ref.example/' || id end where id % 4 <> 0`);
  const one = async (condition: SQL) => (await queryRows<{ id: number }>(db, sql`select id from comments where post_id = ${tree} and ${condition} order by id limit 1`))[0]!.id;
  const placeholder = await one(sql`listed and not (status = 'approved' and not deleted)`);
  // A time in the middle of the thread: `since` arguments select its newer half.
  const [middle] = await queryRows<{ at: Date | string }>(
    db,
    sql`select created_at as at from comments where post_id = ${tree} order by created_at offset 60 limit 1`,
  );
  const held = await one(sql`not listed`);
  Object.assign(ids, {
    tree: encodeGlobalId('Post', tree),
    draft: encodeGlobalId('Post', draft),
    comment: encodeGlobalId('Comment', await one(sql`status = 'approved' and reply_count >= 3`)),
    placeholder: encodeGlobalId('Comment', placeholder),
    held: encodeGlobalId('Comment', held),
    author: encodeGlobalId('Author', people[0]!.id),
    tag: encodeGlobalId('Tag', news),
    since: new Date(middle!.at).toISOString(),
  });
});
afterAll(async () => {
  await reference?.dispose();
  await h?.close();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };

// --- The generator ---------------------------------------------------------------------------

type Field = GraphQLField<unknown, unknown>;
const declaration = (type: GraphQLObjectType, field: Field) => declarationOf(type, field) as FieldDeclaration | null;
const isConnection = (field: Field) => (field.extensions[SQL_EXTENSION] as FieldDeclaration | undefined)?.kind === 'connection';
const scoped = (field: Field) => (field.extensions.pothosOptions as { authScopes?: unknown }).authScopes !== undefined;
const query = schema.getQueryType()!;

/** Arguments for root fields, one entry per kind of lookup. */
const rootArguments = (): Record<string, string[]> => ({
  post: [`(slug: "tree")`, `(id: "${ids.tree}")`, `(slug: "hidden")`, `(id: "${ids.draft}")`, `(slug: "nope")`, `(legacyUrl: "https://old.example/2024/tree/")`, `(legacyUrl: "https://old.example/nope/")`],
  comment: [`(id: "${ids.comment}")`, `(id: "${ids.placeholder}")`, `(id: "${ids.held}")`],
  author: [`(slug: "ann")`, `(id: "${ids.author}")`],
  node: [`(id: "${ids.tree}")`, `(id: "${ids.comment}")`, `(id: "${ids.author}")`, `(id: "${ids.tag}")`, `(id: "${ids.draft}")`, `(id: "${ids.held}")`],
  nodes: [`(ids: ["${ids.tree}", "${ids.held}", "${ids.tag}", "${ids.comment}"])`],
  posts: [`(first: 3)`, `(tag: "news")`, `(author: "ann", order: OLDEST_FIRST)`, `(search: "tree")`, `(status: [DRAFT, PUBLISHED])`, `(tag: "secret")`],
  authors: [`(first: 3)`],
  tags: [`(first: 3)`],
});

/**
 * A value for an argument, by its type: what the generator passes to arguments other than the
 * connection arguments (a comment of the tree for an ID, a time halfway through its thread).
 */
function sample(argument: Field['args'][number]): string {
  const named = getNamedType(argument.type);
  if (isEnumType(named)) return named.getValues().at(-1)!.name;
  const samples: Record<string, string> = { ID: `"${ids.comment}"`, DateTime: `"${ids.since}"`, Int: '2', Boolean: 'true', String: '"tree"' };
  return samples[named.name] ?? `"${named.name}?"`;
}

/** Connection arguments, which the generator varies itself (`first`/`after`/`last`/`before`, and `order`). */
const PAGING = new Set(['first', 'last', 'after', 'before', 'order']);

/** The arguments a field cannot go without, sampled: `(since: "…")`, or nothing. */
function requiredArguments(field: Field): string {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined && !PAGING.has(a.name));
  return required.length ? `(${required.map((a) => `${a.name}: ${sample(a)}`).join(', ')})` : '';
}

/** The object types the engine reaches, each with a way to get there from the root. */
function entries(): Map<GraphQLObjectType, (inner: string) => string> {
  const found = new Map<GraphQLObjectType, (inner: string) => string>();
  const queue: GraphQLObjectType[] = [];
  const reach = (type: GraphQLObjectType, wrap: (inner: string) => string) => {
    if (found.has(type)) return;
    found.set(type, wrap);
    queue.push(type);
  };
  for (const field of Object.values(query.getFields())) {
    const target = getNamedType(field.type);
    const args = rootArguments()[field.name]?.[0];
    if (!args || !isObjectType(target)) continue;
    const nodeType = isConnection(field) ? connectionNode(field) : target;
    reach(nodeType, (inner) => `${field.name}${args} ${around(field, inner)}`);
  }
  while (queue.length) {
    const type = queue.shift()!;
    const wrap = found.get(type)!;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || scoped(field) || declaration(type, field)?.kind === 'resolvers') continue;
      const nodeType = isConnection(field) ? connectionNode(field) : target;
      reach(nodeType, (inner) => wrap(`${field.name}${isConnection(field) ? '(first: 3)' : ''} ${around(field, inner)}`));
    }
  }
  return found;
}

function connectionNode(field: Field): GraphQLObjectType {
  const edge = getNamedType((getNamedType(field.type) as GraphQLObjectType).getFields().edges!.type) as GraphQLObjectType;
  return getNamedType(edge.getFields().node!.type) as GraphQLObjectType;
}
const around = (field: Field, inner: string) => (isConnection(field) ? `{ edges { node { ${inner} } } }` : `{ ${inner} }`);

/** The leaf fields of a type that anyone may read. */
function leaves(type: GraphQLObjectType): string {
  return Object.values(type.getFields())
    .filter((f) => isLeafType(getNamedType(f.type)) && !scoped(f) && f.args.length === 0)
    .map((f) => f.name)
    .join(' ');
}

/** A connection's selection: everything a Relay client reads. */
function connectionSelection(field: Field): string {
  const edge = getNamedType((getNamedType(field.type) as GraphQLObjectType).getFields().edges!.type) as GraphQLObjectType;
  const extras = Object.values(edge.getFields())
    .filter((f) => !['cursor', 'node'].includes(f.name))
    .map((f) => f.name)
    .join(' ');
  const node = connectionNode(field);
  return `{ __typename totalCount pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor ${extras} node { __typename ${leaves(node)} } } }`;
}

interface Generated {
  name: string;
  text: string;
  /** Variants that page from the cursor this one ends at. */
  pagesFrom?: (cursor: string) => Generated[];
}

/** Styles a client writes the same selection in; `n` picks one. */
function styled(n: number, type: GraphQLObjectType, selection: string): { inner: string; fragments: string; variables: string } {
  switch (n % 5) {
    case 1:
      return { inner: `__typename ... on ${type.name} { ${selection} }`, fragments: '', variables: '' };
    case 2:
      return { inner: `...Generated_${type.name}`, fragments: `fragment Generated_${type.name} on ${type.name} { __typename ${selection} }`, variables: '' };
    case 3:
      return { inner: `alias: __typename ${selection.replace(/^(\w+)/, 'renamed: $1')}`, fragments: '', variables: '' };
    case 4:
      // The directive goes after the field's arguments, if any (before them is a syntax error).
      return { inner: `${selection.replace(/^(\w+(?:\([^)]*\))?)/, '$1 @include(if: $yes)')} skipped: __typename @skip(if: $yes)`, fragments: '', variables: '($yes: Boolean = true)' };
    default:
      return { inner: selection, fragments: '', variables: '' };
  }
}

function generate(): Generated[] {
  const out: Generated[] = [];
  let n = 0;
  const add = (name: string, type: GraphQLObjectType, wrap: (inner: string) => string, selection: string, pagesFrom?: Generated['pagesFrom']) => {
    const { inner, fragments, variables } = styled(n++, type, selection);
    out.push({ name, text: `query Generated${variables} { ${wrap(inner)} } ${fragments}`, pagesFrom });
  };
  for (const [type, wrap] of entries()) {
    for (const field of Object.values(type.getFields())) {
      const decl = declaration(type, field);
      if (decl?.kind === 'resolvers') continue;
      const name = `${type.name}.${field.name}`;
      const target = getNamedType(field.type);
      if (isLeafType(target)) {
        add(name, type, wrap, `${field.name}${requiredArguments(field)} ${leaves(type)}`);
      } else if (isConnection(field)) {
        const order = field.args.some((a) => a.name === 'order');
        // Each other argument (`since`, `around`…) with a sample value, alone and with the paging ones.
        const extras = field.args.filter((a) => !PAGING.has(a.name)).map((a) => `${a.name}: ${sample(a)}`);
        const variants = [
          '',
          '(first: 2)',
          '(last: 2)',
          ...(order ? ['(first: 2, order: NEWEST_FIRST)', '(last: 1, order: NEWEST_FIRST)'] : []),
          ...extras.flatMap((extra) => [`(${extra})`, `(first: 2, ${extra})`, `(last: 2, ${extra})`, ...(order ? [`(first: 2, order: NEWEST_FIRST, ${extra})`] : [])]),
          ...(extras.length > 1 ? [`(first: 2, ${extras.join(', ')})`] : []),
        ];
        add(`${name} count only`, type, wrap, `${field.name}${requiredArguments(field)} { totalCount }`);
        for (const args of variants) {
          // As Apollo writes a list it does not page: edges without page info.
          add(`${name}${args} edges only`, type, wrap, `${field.name}${args} { edges { cursor node { __typename ${leaves(connectionNode(field))} } } }`);
          // Paging on from a forward page as a client does: its arguments, but `after` the page's end
          // instead of where the page was placed (`around`), and `before` its start going back.
          const kept = args.replace(/^\(first: 2,? ?|\)$/g, '').replace(/,? ?around: "[^"]*"/, '').replace(/^, /, '');
          const more = kept ? `, ${kept}` : '';
          const pagesFrom = args.startsWith('(first: 2')
            ? (cursor: string): Generated[] => [
                { name: `${name}${args} after`, text: `query Generated { ${wrap(`${field.name}(first: 2, after: "${cursor}"${more}) ${connectionSelection(field)}`)} }` },
                { name: `${name}${args} before`, text: `query Generated { ${wrap(`${field.name}(last: 2, before: "${cursor}"${more}) ${connectionSelection(field)}`)} }` },
              ]
            : undefined;
          add(`${name}${args}`, type, wrap, `${field.name}${args} ${connectionSelection(field)}`, pagesFrom);
        }
      } else if (isObjectType(target)) {
        const list = isListType(getNullableType(field.type));
        add(`${name}${list ? '[]' : ''}`, type, wrap, `${field.name} { __typename ${leaves(target)} }`);
      }
    }
  }
  for (const [root, argumentsList] of Object.entries(rootArguments())) {
    const field = query.getFields()[root]!;
    for (const args of argumentsList) {
      const selection = isConnection(field)
        ? connectionSelection(field)
        : root.startsWith('node')
          ? `{ __typename id ${['Post', 'Comment', 'Author', 'Tag'].map((t) => `... on ${t} { ${leaves(schema.getType(t) as GraphQLObjectType)} }`).join(' ')} }`
          : `{ __typename ${leaves(getNamedType(field.type) as GraphQLObjectType)} }`;
      out.push({ name: `Query.${root}${args}`, text: `query Generated { ${root}${args} ${selection} __typename }` });
    }
  }
  return out;
}

// --- The comparison --------------------------------------------------------------------------

async function ask(app: ReturnType<typeof createApp>, text: string, token: string | undefined) {
  const before = h.database.statements.count;
  const response = await app.fetch('http://palaver.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: text }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  return { text: JSON.stringify(body), body, statements: h.database.statements.count - before };
}

describe('declarations', () => {
  it('cover every field of every type a query can reach, or say why the resolvers keep it', () => {
    const seen = new Set<GraphQLObjectType>();
    const missing: string[] = [];
    const visit = (type: GraphQLObjectType) => {
      if (seen.has(type)) return;
      seen.add(type);
      for (const field of Object.values(type.getFields())) {
        const decl = declaration(type, field);
        const isRootNode = type === query && ['node', 'nodes'].includes(field.name);
        if (!decl && !isRootNode) missing.push(`${type.name}.${field.name}`);
        if (decl?.kind === 'resolvers') continue;
        const target = isConnection(field) ? connectionNode(field) : getNamedType(field.type);
        if (isObjectType(target)) visit(target);
      }
    };
    visit(query);
    for (const name of ['Post', 'Comment', 'Author', 'Tag']) visit(schema.getType(name) as GraphQLObjectType);
    // Connection, edge and page-info types are the engine's own; their extra fields (ThreadEdge.depth) are declared.
    expect(missing.filter((name) => !/^(\w+Connection|PageInfo)\./.test(name) && !/Edge\.(cursor|node)$/.test(name))).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(6);
  });

  it('that claim one matching row (`unique`, joined beside the parent) match at most one, for every row and viewer', async () => {
    const types = Object.values(schema.getTypeMap()).filter(isObjectType);
    const tableOf = (type: GraphQLObjectType) => (type.extensions[SQL_EXTENSION] as SourceDeclaration | undefined)?.table;
    // A derived row (`from`), with the joins it asks for, as the engine places them in a subquery.
    const derived = (decl: RowsDeclaration, alias: string, parent: string): SQL => {
      const joins: SQL[] = [];
      const join: Join = (table, base, on) => {
        const x = sql.raw(`${alias}_${base}`);
        joins.push(sql`left join ${sql.raw(`"${table}"`)} ${x} on ${on(x)}`);
        return x;
      };
      const from = decl.from!(sql.raw(alias), sql.raw(parent), join);
      return sql`(select 1) ${sql.raw(`${alias}_one`)} ${sql.join(joins, sql` `)} cross join lateral ${from}`;
    };
    // A type without a table (CommentAuthor) is the row its field's `from` derives from the parent's.
    const rowsOf = (type: GraphQLObjectType, alias: string): SQL => {
      const table = tableOf(type);
      if (table) return sql.raw(`"${getTableConfig(table).name}" ${alias}`);
      for (const parent of types) {
        for (const field of Object.values(parent.getFields())) {
          const decl = declaration(parent, field);
          if (decl?.kind === 'rows' && decl.from && getNamedType(field.type) === type) {
            const from = derived(decl, alias, `${alias}_parent`);
            return sql`${rowsOf(parent, `${alias}_parent`)} cross join lateral (select ${sql.raw(alias)}.* from ${from}) ${sql.raw(alias)}`;
          }
        }
      }
      throw new Error(`no rows for ${type.name}`);
    };
    const viewers: Access[] = [
      { posts: { kind: 'public' }, moderator: false },
      { posts: { kind: 'all' }, moderator: true },
      { posts: { kind: 'own', authorId: writerId }, moderator: false },
    ];
    const claims: string[] = [];
    for (const type of types) {
      for (const field of Object.values(type.getFields())) {
        const decl = declaration(type, field);
        if (decl?.kind !== 'rows' || !decl.unique) continue;
        claims.push(`${type.name}.${field.name}`);
        const target = getNamedType(field.type) as GraphQLObjectType;
        for (const access of viewers) {
          const scope = { access, alias: (base: string) => sql.raw(`${base}_x`) };
          const [row, x] = [sql.raw('row'), sql.raw('x')];
          const from = decl.from ? derived(decl, 'x', 'row') : rowsOf(target, 'x');
          const [counts] = await queryRows<{ over: number; one: number }>(
            h.database.db,
            sql`select count(*) filter (where m.n > 1)::int as over, count(*) filter (where m.n = 1)::int as one
                from ${rowsOf(type, 'row')} cross join lateral (select count(*) as n from ${from} where ${decl.where(x, row, scope, {})}) m`,
          );
          expect(counts!.over, `${type.name}.${field.name} matches two rows or more`).toBe(0);
          expect(counts!.one, `${type.name}.${field.name} matches nothing in the fixture`).toBeGreaterThan(0);
        }
      }
    }
    expect(claims).toEqual(expect.arrayContaining(['Post.author', 'Comment.parent', 'Comment.author', 'CommentAuthor.author']));
  });
});

describe('the read engine answers as the resolvers do', () => {
  for (const viewer of ['anonymous', 'editor', 'writer']) {
    it(`every generated query, ${viewer}`, async () => {
      const token = tokens[viewer];
      const queue = generate();
      const answered: string[] = [];
      for (let i = 0; i < queue.length; i++) {
        const q = queue[i]!;
        const expected = await ask(reference, q.text, token);
        const actual = await ask(h.app, q.text, token);
        expect(actual.text, `${q.name}\n${q.text}`).toBe(expected.text);
        if (!expected.body.errors) {
          // One statement (and one to check the token): the engine answered it.
          expect(actual.statements, `${q.name} costs one statement\n${q.text}`).toBe(token ? 2 : 1);
          answered.push(q.text);
        }
        const cursor = /"endCursor":"([^"]+)"/.exec(expected.text)?.[1];
        if (q.pagesFrom && cursor) queue.push(...q.pagesFrom(cursor));
      }
      // The generator reached every kind of field: a few hundred queries, most answered by the engine.
      expect(queue.length).toBeGreaterThanOrEqual(100);
      expect(answered.length).toBeGreaterThan(queue.length * 0.8);
      // And every argument of every field it reaches, in some query the engine answered.
      const unused: string[] = [];
      for (const [type] of entries()) {
        for (const field of Object.values(type.getFields())) {
          if (declaration(type, field)?.kind === 'resolvers' || scoped(field)) continue;
          for (const argument of field.args) {
            const used = new RegExp(`\\b${field.name}\\([^)]*\\b${argument.name}:`);
            if (!answered.some((text) => used.test(text))) unused.push(`${type.name}.${field.name}(${argument.name})`);
          }
        }
      }
      expect(unused).toEqual([]);
    });
  }

  it('leaves to the resolvers what it must, with their answer', async () => {
    // Fields the viewer may not read, and arguments the resolvers refuse: their errors, their data.
    for (const text of [
      `{ post(slug: "tree") { comments(first: 2) { edges { node { status heldReason } } } } }`,
      `{ author(slug: "ann") { role } }`,
      `{ post(slug: "tree") { comments(first: 500) { edges { node { id } } } } }`,
      `{ post(slug: "tree") { comments(first: 2, after: "nonsense") { edges { node { id } } } } }`,
      `{ post(id: "bm9wZQ==") { title } }`,
      `{ post(slug: "tree", id: "${ids.tree}") { title } }`,
      `{ posts(search: "${'x'.repeat(300)}") { totalCount } }`,
      `{ viewer { role } post(slug: "tree") { title } }`,
    ]) {
      const expected = await ask(reference, text, undefined);
      const actual = await ask(h.app, text, undefined);
      expect(actual.text, text).toBe(expected.text);
      expect(expected.body.errors ?? text.includes('viewer'), text).toBeTruthy();
    }
  });

  it("answers moderators' own fields (every field with authScopes on Comment, and what they lead to) as the resolvers do", async () => {
    // The generated queries leave out fields with authScopes: here they are, for every viewer.
    const comment = schema.getType('Comment') as GraphQLObjectType;
    const everyLeaf = (type: GraphQLObjectType) =>
      Object.values(type.getFields()).filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0).map((f) => f.name).join(' ');
    const selection = Object.values(comment.getFields())
      .filter(scoped)
      .map((field) => {
        const target = getNamedType(field.type);
        if (!isObjectType(target)) return field.name;
        const objects = Object.values(target.getFields())
          .filter((f) => isObjectType(getNamedType(f.type)) && !isConnection(f))
          .map((f) => `${f.name} { __typename ${everyLeaf(getNamedType(f.type) as GraphQLObjectType)} }`);
        return `${field.name} { __typename ${everyLeaf(target)} ${objects.join(' ')} }`;
      })
      .join(' ');
    expect(selection).toContain('sender { __typename email ip');
    expect(selection).toContain('editedBy { __typename');
    for (const text of [
      `{ comment(id: "${ids.held}") { id ${selection} } }`,
      `{ post(slug: "tree") { thread(first: 60) { edges { node { id ${selection} } } } } }`,
    ]) {
      for (const viewer of ['anonymous', 'editor', 'writer']) {
        const token = tokens[viewer];
        const expected = await ask(reference, text, token);
        const actual = await ask(h.app, text, token);
        expect(actual.text, `${viewer}: ${text}`).toBe(expected.text);
        if (viewer !== 'editor') {
          // Refused (or, for a held comment, not found): nothing of a sender nor of an edit shows.
          expect(expected.text).not.toMatch(/"(sender|revisions|heldReason)":[{["]/);
        } else {
          expect(expected.body.errors, text).toBeUndefined();
          expect(actual.statements, text).toBe(2);
        }
      }
    }
    // The fixture has what the fields show: moderators' edits, and guests' addresses.
    const { body } = await ask(h.app, `{ post(slug: "tree") { thread(first: 60) { edges { node { ${selection} } } } } }`, tokens.editor);
    const nodes = (body.data as any).post.thread.edges.map((e: any) => e.node);
    expect(nodes.some((n: any) => n.revisions.some((r: any) => r.editedBy !== null))).toBe(true);
    expect(nodes.some((n: any) => n.sender.ip && n.sender.email && n.sender.userAgent && n.sender.referrer)).toBe(true);
  });

  it('builds objects of more than 50 keys (json_build_object takes 100 arguments)', async () => {
    const config = loadConfig({ RESPONSE_CACHE_TTL_SECONDS: '0', MAX_ALIASES: '200' });
    const [engine, resolvers] = (['sql', 'reference'] as const).map((engine) => createApp({ db: h.database.db, config, logger: silent, engine }));
    const text = `{ post(slug: "tree") { ${Array.from({ length: 120 }, (_, i) => `k${i}: ${i % 2 ? 'title' : 'commentCount'}`).join(' ')} } }`;
    const [actual, expected] = [await ask(engine!, text, undefined), await ask(resolvers!, text, undefined)];
    expect(actual.text).toBe(expected.text);
    expect(Object.keys((actual.body.data as { post: object }).post)).toHaveLength(120);
    expect(actual.statements).toBe(1);
    await Promise.all([engine!.dispose(), resolvers!.dispose()]);
  });

  it('costs one statement for a deep Relay-shaped thread, where the resolvers cost one per level', async () => {
    const level = (n: number): string =>
      n === 0 ? '' : `replies(first: 20) @connection(key: "x") { edges { cursor node { __typename id ...C${n} } } pageInfo { endCursor hasNextPage } }`;
    const fragments = Array.from({ length: 6 }, (_, i) => `fragment C${i + 1} on Comment { id bodyHtml createdAt author { __typename name } ${level(i)} }`)
      .join('\n')
      .replaceAll(' @connection(key: "x")', '');
    const text = `query PostPage($slug: String!) { post(slug: $slug) { __typename id title
      comments(first: 20) { edges { cursor node { __typename id ...C6 } } pageInfo { endCursor hasNextPage } } } } ${fragments}`;
    const body = JSON.stringify({ query: text, variables: { slug: 'tree' } });
    const send = async (app: ReturnType<typeof createApp>) => {
      const before = h.database.statements.count;
      const response = await app.fetch('http://palaver.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { text: await response.text(), statements: h.database.statements.count - before };
    };
    const [engine, resolvers] = [await send(h.app), await send(reference)];
    expect(JSON.parse(engine.text)).toEqual(JSON.parse(resolvers.text));
    expect(engine.statements).toBe(1);
    expect(resolvers.statements).toBeGreaterThanOrEqual(6);
    expect(engine.text.match(/"bodyHtml"/g)!.length).toBeGreaterThan(100);
  });
});
