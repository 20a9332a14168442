import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { buildBundle, encoded, smallAsset, type Asset, type BundleFile, type Encoding } from './assets.js';
import { clientScript } from './client.js';
import { graphiqlHeaders, graphiqlTabs } from './tabs.js';

/*
 * GraphiQL, served by the server itself. A browser's GET of the endpoint gets a small page
 * (`Cache-Control: no-cache` and an ETag: a reload costs a 304) that loads GraphiQL's files from
 * `<endpoint>/assets/<name>.<hash>.<ext>`, cached for a year (`immutable`: a new version has new
 * URLs). Everything is compressed once, with brotli and gzip, and sent as the client accepts.
 * Nothing is prepared until the first GraphiQL request: an API process that never serves GraphiQL
 * never pays for it.
 *
 * The page's Content-Security-Policy lets it load scripts, styles, workers and data from this
 * server only (no inline script: its options are a JSON block, its script an asset), and be framed
 * by no one.
 */

const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  // Monaco and React set styles at run time (style elements and attributes).
  "style-src 'self' 'unsafe-inline'",
  // GraphiQL's stylesheet inlines its fonts and icons.
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const pageHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
  // The endpoint answers JSON to other clients at the same URL.
  vary: 'Accept, Accept-Encoding',
};

const assetHeaders = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'public, max-age=31536000, immutable',
  vary: 'Accept-Encoding',
};

interface Site {
  /** The page for the demo post's ID as it is now (see tabs.ts). */
  page(demoPostId: string | null): Asset;
  /** By file name with its hash. */
  assets: Map<string, Asset>;
}

async function buildSite(endpoint: string, title: string): Promise<Site> {
  const bundle = await buildBundle();
  const client = smallAsset('palaver-graphiql', 'js', clientScript);
  const url = (asset: Asset) => `${endpoint}/assets/${asset.file}`;
  const file = (name: BundleFile) => url(bundle.get(name)!);
  const html = (demoPostId: string | null) => {
    const options = {
      title,
      endpoint,
      // yoga's fetcher does subscriptions over SSE on the endpoint itself (GET, Accept:
      // text/event-stream), as src/subscriptions/sse.ts serves them; said here, not left to its default.
      subscriptionsProtocol: 'SSE',
      defaultTabs: graphiqlTabs(demoPostId),
      // yoga passes `headers` to GraphiQL as its default headers: the Headers pane's first contents.
      headers: graphiqlHeaders,
      workers: { editorWorkerService: file('editor.worker.js'), json: file('json.worker.js'), graphql: file('graphql.worker.js') },
    };
    return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${file('favicon.ico')}" />
    <link rel="stylesheet" href="${file('graphiql.css')}" />
    <style>
      /* GraphiQL's tabs carry a stale offset from their drag-to-reorder layout animation, hidden
         until a tab has focus: pressing a tab moved it from under the pointer and the click was
         lost. Tabs stay in place (dragging still reorders them, without following the pointer). */
      .graphiql-tab { transform: none !important; }
    </style>
    <script src="${file('graphiql.js')}" defer></script>
    <script src="${url(client)}" defer></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${JSON.stringify(options).replace(/</g, '\\u003c')}</script>
  </body>
</html>
`;
  };
  // The demo post's ID seldom changes: the page is compressed again only when it does.
  let last: { demoPostId: string | null; page: Asset } | undefined;
  const page = (demoPostId: string | null) => {
    if (last?.demoPostId !== demoPostId) last = { demoPostId, page: smallAsset('index', 'html', html(demoPostId)) };
    return last.page;
  };
  const assets = new Map([...bundle.values(), client].map((asset) => [asset.file, asset]));
  return { page, assets };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The encoding to send: brotli, else gzip, else none, as `Accept-Encoding` allows. */
export function negotiateEncoding(header: string | null): Encoding {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith('q='));
    weights.set(coding, q ? Number(q.slice(2)) || 0 : 1);
  }
  const accepts = (coding: string) => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip') || accepts('x-gzip')) return 'gzip';
  return 'identity';
}

const suffixes: Record<Encoding, string> = { br: '-br', gzip: '-gz', identity: '' };

/** Whether `If-None-Match` names this ETag (weak comparison, as for GET). */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

async function respond(
  request: Request,
  fetchAPI: { Response: typeof Response },
  asset: Asset,
  headers: Record<string, string>,
): Promise<Response> {
  const encoding = negotiateEncoding(request.headers.get('accept-encoding'));
  const etag = `"${asset.hash}${suffixes[encoding]}"`;
  if (matches(request.headers.get('if-none-match'), etag)) {
    return new fetchAPI.Response(null, { status: 304, headers: { ...headers, etag } });
  }
  const body = await encoded(asset, encoding);
  return new fetchAPI.Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
    status: 200,
    headers: {
      ...headers,
      'content-type': asset.type,
      'content-length': String(body.length),
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      etag,
    },
  });
}

/** Whether a request is a browser's asking for GraphiQL (as yoga decides it). */
function wantsPage(request: Request): boolean {
  return request.headers.get('accept')?.includes('text/html') ?? false;
}

/**
 * Serves GraphiQL at `endpoint` (yoga's own GraphiQL must be off: `graphiql: false`). Put it first
 * among the plugins: its requests need nothing the others do. `demoPostId` looks up the demo post's
 * global ID (null: there is none) for the tabs, each time the page is asked for.
 */
export function useGraphiQL({
  endpoint,
  title,
  logger,
  demoPostId,
}: {
  endpoint: string;
  title: string;
  logger: Logger;
  demoPostId: () => Promise<string | null>;
}): Plugin {
  let site: Promise<Site> | undefined;
  const load = () =>
    (site ??= buildSite(endpoint, title).catch((error: unknown) => {
      site = undefined; // the next request tries again
      throw error;
    }));
  // Without the database, GraphiQL still opens: its tabs then ask for a post's ID.
  const demoPostIdOrNull = () =>
    demoPostId().catch((error: unknown) => {
      logger.warn('GraphiQL: could not look up the demo post:', error);
      return null;
    });
  const assetsPath = `${endpoint}/assets/`;
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const { pathname } = url;
      const isPage = (pathname === endpoint || pathname === `${endpoint}/`) && wantsPage(request);
      if (!isPage && !pathname.startsWith(assetsPath)) return;
      return Promise.all([load(), isPage ? demoPostIdOrNull() : null])
        .then(([site, demoPost]) => {
          if (isPage) return respond(request, fetchAPI, site.page(demoPost), pageHeaders);
          const asset = site.assets.get(pathname.slice(assetsPath.length));
          if (asset) return respond(request, fetchAPI, asset, assetHeaders);
          return new fetchAPI.Response('Not found', { status: 404, headers: { 'content-type': 'text/plain', 'cache-control': 'no-cache' } });
        })
        .catch((error: unknown) => {
          logger.error('Could not prepare GraphiQL:', error);
          return new fetchAPI.Response('GraphiQL is unavailable', { status: 500, headers: { 'content-type': 'text/plain' } });
        })
        .then(endResponse);
    },
  };
}
