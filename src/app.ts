import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createResponseCache, Replays } from './cache.js';
import type { Config } from './config.js';
import { createContext, type Services } from './context.js';
import type { Db } from './db/client.js';
import { createAkismet } from './domain/akismet.js';
import { clientIpResolver } from './domain/client.js';
import { graphiqlTabs } from './graphiql.js';
import { useCompiledReads } from './compiled.js';
import { useLimits } from './limits.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';

export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
}

/** What the Node server (or a test) hands each request: the socket's peer address. */
export interface ServerContext {
  req?: Pick<IncomingMessage, 'socket'> | undefined;
}

/**
 * The GraphQL HTTP handler: `fetch` (Fetch-API `Request → Response`, what tests call) and
 * `listener` (what server.ts listens with: the same, plus replays of cached responses).
 */
export function createApp({ db, config, logger }: AppDeps) {
  const cache = createResponseCache(config, db);
  const services: Services = {
    db,
    changes: cache.changes,
    config,
    logger,
    akismet: config.akismet ? createAkismet(config.akismet, logger) : null,
    clientIp: clientIpResolver(config.trustedProxies),
  };
  const yoga = createYoga<ServerContext>({
    schema,
    context: ({ request, req }) => createContext(services, request, req?.socket?.remoteAddress),
    logging: logger,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL with its assets inlined: no CDN, so it works offline and under a strict CSP.
    renderGraphiQL,
    graphiql: { title: 'Palaver GraphiQL', defaultTabs: graphiqlTabs },
    // Expected errors carry an `extensions.code` and pass through. Anything else reaches the client
    // as "Unexpected error." without details in every environment (never NODE_ENV-dependent),
    // and yoga logs the original error with its stack through `logger`.
    maskedErrors: { isDev: false },
    // Order matters: limits refuse before anything runs; compiled reads replace `execute`, which the
    // response cache then wraps (its `__typename`/`id` fields included).
    plugins: [useLimits(config.limits), useCompiledReads({ splice: !cache.plugin }), ...(cache.plugin ? [cache.plugin] : [])],
  });
  return {
    fetch: yoga.fetch,
    listener: cache.replays ? replayingListener(yoga, cache.replays) : (yoga as RequestListener),
    dispose: () => yoga.dispose(),
    replays: cache.replays,
  };
}

export type App = ReturnType<typeof createApp>;

/**
 * A Node listener that answers a byte-identical repeat of a cached anonymous read from the
 * replays (see cache.ts) and hands everything else to yoga, marking what it may replay later.
 */
function replayingListener(yoga: RequestListener, replays: Replays): RequestListener {
  const answer = async (req: IncomingMessage, res: Parameters<RequestListener>[1], body: Buffer | null) => {
    const key = Replays.key(req, body);
    const replay = key === null ? null : await replays.find(key);
    if (replay) {
      res.writeHead(replay.status, replay.headers).end(replay.body);
      return;
    }
    if (key !== null) Replays.mark(req, key, body);
    else if (body) (req as IncomingMessage & { body?: Buffer }).body = body;
    yoga(req, res);
  };
  return (req, res) => {
    if (!req.url?.startsWith('/graphql') || !Replays.worthReading(req)) return yoga(req, res);
    if (req.method === 'GET') return void answer(req, res, null);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(req, res, Buffer.concat(chunks)));
  };
}
