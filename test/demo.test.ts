import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPost } from '../seeds/demo.js';
import { seedDemo } from '../src/domain/demo.js';
import { createHarness, type Harness } from './harness.js';

// The demo content keeps the shape of the thread in the extraction it came from, kept in the
// repository (a copy of shared/seeds/000_0326b85a6d284f9d.txt) so that a lone checkout can check it.
const source = readFileSync(new URL('../seeds/source/000_0326b85a6d284f9d.txt', import.meta.url), 'utf8');

// Reading order: [depth, author name] (null for the placeholder of the missing parent).
const expectedThread: [number, string | null][] = [
  [1, 'Marianne'],
  [1, 'Tex'],
  [2, 'Nikos'],
  [3, 'Ellen'],
  [3, 'Gerald'],
  [1, 'Nikos'],
  [1, 'Sam'],
  [1, 'Dins'],
  [2, null],
  [3, 'Ryan'],
  [3, 'Dins'],
  [3, 'Ryan'],
  [2, 'Mark'],
  [3, 'Chris Ladd'],
  [3, 'Mark'],
  [3, 'Dins'],
  [2, 'Joanne'],
  [1, 'Petr'],
  [2, 'Frank'],
  [1, 'Tex'],
  [2, 'Carol'],
  [1, 'Walt'],
  [2, 'Dins'],
  [3, 'Ryan'],
];

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await seedDemo(h.database.db);
});
afterAll(() => h.close());

const threadQuery = `query ($slug: String!) {
  post(slug: $slug) {
    title commentCount bodyHtml
    author { slug name }
    tags { slug }
    comments { totalCount }
    thread(first: 100) {
      totalCount
      edges {
        depth
        node {
          id depth isPlaceholder bodyHtml bodyMarkdown createdAt replyCount descendantCount
          author { name url avatarUrl author { slug } }
          parent { id createdAt }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}`;

describe('demo content', () => {
  it('has the post, its author and tags', async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    expect(data.post.title).toBe('Sanders Is the Kremlin’s Second-Favorite Candidate');
    expect(data.post.author).toEqual({ slug: 'chris-ladd', name: 'Chris Ladd' });
    expect(data.post.tags.map((t: any) => t.slug)).toEqual(['bernie-sanders', 'election-2020', 'russia']);
    expect(data.post.bodyHtml).toContain('<blockquote>\n<p>“use any opportunity to criticize Hillary');
    expect(data.post.bodyHtml.match(/<p>/g).length).toBe(demoPost.bodyMarkdown.split('\n\n').length);
  });

  it('keeps the thread shape of the extraction, in reading order', async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    const edges = data.post.thread.edges;
    expect(edges.map((e: any) => [e.depth, e.node.author?.name ?? null])).toEqual(expectedThread);
    expect(data.post.thread.totalCount).toBe(24);
    expect(data.post.thread.pageInfo.hasNextPage).toBe(false);
    expect(data.post.comments.totalCount).toBe(8);
    expect(data.post.commentCount).toBe(23);
  });

  it('stands the missing parent in as a placeholder with its three replies', async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    const placeholder = data.post.thread.edges.find((e: any) => e.node.isPlaceholder).node;
    expect(placeholder).toMatchObject({ depth: 2, bodyHtml: null, bodyMarkdown: null, author: null });
    expect(placeholder).toMatchObject({ replyCount: 3, descendantCount: 3 });
  });

  it('gives every comment a timestamp after its parent, siblings oldest first', async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    const edges = data.post.thread.edges.map((e: any) => e.node);
    const lastChild = new Map<string | null, string>();
    for (const node of edges) {
      const parent = node.parent;
      if (parent) expect(node.createdAt > parent.createdAt).toBe(true);
      const previous = lastChild.get(parent?.id ?? null);
      if (previous) expect(node.createdAt > previous).toBe(true);
      lastChild.set(parent?.id ?? null, node.createdAt);
    }
  });

  it("never exposes a guest's email", async () => {
    const response = await h.gql(threadQuery, { slug: demoPost.slug });
    expect(JSON.stringify(response)).not.toContain('@example.com');
  });

  it('keeps every comment text verbatim from the extraction', async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    const flat = source.replace(/\s+/g, ' ');
    for (const { node } of data.post.thread.edges.filter((e: any) => !e.node.isPlaceholder)) {
      for (const paragraph of node.bodyMarkdown.split('\n\n')) {
        expect(flat).toContain(paragraph.replace(/^> /, '').replace(/\s+/g, ' '));
      }
    }
  });

  it("renders Dins's numbered list as one comment with a list, and Chris as the registered author", async () => {
    const { data } = await h.gql(threadQuery, { slug: demoPost.slug });
    const nodes = data.post.thread.edges.map((e: any) => e.node);
    const list = nodes.find((n: any) => n.bodyMarkdown?.startsWith('Ryan, give your head a shake.'));
    expect(list.bodyHtml).toMatch(/<ol>\s*<li>Democracy is dead[\s\S]*<li>Sanders is indeed/);
    const chris = nodes.find((n: any) => n.author?.name === 'Chris Ladd');
    expect(chris.author).toEqual({ name: 'Chris Ladd', url: 'https://politicalorphans.com', avatarUrl: null, author: { slug: 'chris-ladd' } });
    const guest = nodes.find((n: any) => n.author?.name === 'Ryan');
    expect(guest.author.author).toBeNull();
  });
});
