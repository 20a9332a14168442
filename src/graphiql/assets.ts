import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';

/*
 * GraphiQL's files, served by the server itself (never a CDN): the bundle that
 * @graphql-yoga/render-graphiql inlines into its page (React, GraphiQL and Monaco: 5 MB of
 * JavaScript, 0.8 MB of CSS, three Monaco workers), taken out of it to be served as files of their
 * own, each compressed once with gzip and brotli, at a URL that carries a hash of its content.
 */

export type Encoding = 'br' | 'gzip' | 'identity';

export interface Asset {
  /** The file name with its content hash, as in the URL: `graphiql.0f3c9a…js`. */
  file: string;
  type: string;
  /** A hash of the uncompressed bytes. */
  hash: string;
  br: Buffer;
  gzip: Buffer;
  /** The uncompressed bytes of small files; large ones are decompressed from gzip when asked. */
  identity?: Buffer;
}

/** The bundle's files: its export in @graphql-yoga/render-graphiql/graphiql, and our name for it. */
const bundleFiles = [
  { name: 'graphiql', ext: 'js', from: 'js' },
  { name: 'graphiql', ext: 'css', from: 'css' },
  { name: 'editor.worker', ext: 'js', from: 'editorWorkerService' },
  { name: 'json.worker', ext: 'js', from: 'jsonWorker' },
  { name: 'graphql.worker', ext: 'js', from: 'graphqlWorker' },
  { name: 'favicon', ext: 'ico', from: 'favicon' },
] as const;

export type BundleFile = `${(typeof bundleFiles)[number]['name']}.${(typeof bundleFiles)[number]['ext']}`;

const types: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  ico: 'image/x-icon',
  html: 'text/html; charset=utf-8',
};

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

// gzip at its best level; brotli at 5, which costs less than gzip -9 and is smaller (quality 11
// would take 15 s of CPU for 7% less).
const gzipOptions: zlib.ZlibOptions = { level: 9 };
const brotliOptions = (size: number): zlib.BrotliOptions => ({
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** A small file made here (the page, our script): compressed in this thread, kept as is too. */
export function smallAsset(name: string, ext: string, content: string): Asset {
  const bytes = Buffer.from(content);
  const hash = hashOf(bytes);
  return {
    file: `${name}.${hash}.${ext}`,
    type: types[ext]!,
    hash,
    br: zlib.brotliCompressSync(bytes, brotliOptions(bytes.length)),
    gzip: zlib.gzipSync(bytes, gzipOptions),
    identity: bytes,
  };
}

/*
 * The bundle is loaded, hashed and compressed in a worker thread that then exits: loading the
 * module costs some 40 MB of heap that would otherwise stay for the life of the process, and
 * compressing it a second of CPU that the event loop should not wait on. Plain JavaScript (the
 * worker does not go through tsx or vite), given the options above.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const zlib = require('node:zlib');
const bundle = require(workerData.bundle);
const files = workerData.files.map(({ name, ext, from }) => {
  const source = bundle[from];
  if (typeof source !== 'string') throw new Error('@graphql-yoga/render-graphiql/graphiql has no export ' + from);
  const base64 = /^data:[^,]*;base64,/.exec(source);
  const bytes = base64 ? Buffer.from(source.slice(base64[0].length), 'base64') : Buffer.from(source);
  const brotli = workerData.brotli;
  brotli.params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = bytes.length;
  return {
    name,
    ext,
    hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16),
    gzip: zlib.gzipSync(bytes, workerData.gzip),
    br: zlib.brotliCompressSync(bytes, brotli),
  };
});
parentPort.postMessage(files);
`;

interface Built {
  name: string;
  ext: string;
  hash: string;
  gzip: Uint8Array;
  br: Uint8Array;
}

const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** GraphiQL's bundle files by name (`graphiql.js`), hashed and compressed. */
export async function buildBundle(): Promise<Map<BundleFile, Asset>> {
  const bundle = createRequire(import.meta.url).resolve('@graphql-yoga/render-graphiql/graphiql');
  const built = await new Promise<Built[]>((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      execArgv: [],
      workerData: { bundle, files: bundleFiles, gzip: gzipOptions, brotli: brotliOptions(0) },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`GraphiQL's asset worker exited with code ${code}`)));
  });
  return new Map(
    built.map(({ name, ext, hash, gzip, br }) => [
      `${name}.${ext}` as BundleFile,
      { file: `${name}.${hash}.${ext}`, type: types[ext]!, hash, gzip: buffer(gzip), br: buffer(br) },
    ]),
  );
}

const gunzip = promisify(zlib.gunzip);

/** The bytes of an asset in an encoding the client accepts. */
export async function encoded(asset: Asset, encoding: Encoding): Promise<Buffer> {
  if (encoding !== 'identity') return asset[encoding];
  return asset.identity ?? (await gunzip(asset.gzip));
}
