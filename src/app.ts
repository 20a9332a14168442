import { createYoga } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { IncomingMessage } from 'node:http';
import { requestIdOf, withAccessLog } from './access-log.js';
import { createResponseCache } from './cache.js';
import { withCompression } from './compression.js';
import type { Config } from './config.js';
import { createContext, type Services } from './context.js';
import { statementCount, type Db } from './db/client.js';
import { pendingMigrations } from './db/migrate.js';
import { createAkismet } from './domain/akismet.js';
import { findDemoPost } from './domain/demo.js';
import { CompiledPlans, useReadEngine } from './engine/index.js';
import { useNoStoreByDefault } from './cdn.js';
import { corsPolicy, useJsonBodiesOnly } from './cross-origin.js';
import { clientIpResolver } from './domain/client.js';
import { forYoga, maskError, useMaskedExecutionErrors } from './errors.js';
import { useGraphiQL } from './graphiql/index.js';
import { healthRoutes, type ReadinessCheck } from './health.js';
import { InFlightReads, useInFlightReads } from './in-flight.js';
import { useInputChecks } from './input-checks.js';
import { useLimits } from './limits.js';
import { useCommentBudget } from './budget.js';
import type { Logger } from './logger.js';
import { useOperationNames, useOperationsRun } from './metrics.js';
import { loadRegistered, operationNamesIn, PERSISTED_PARAM_NAMES, usePersistedOperations } from './persisted.js';
import { encodeGlobalId } from './schema/ids.js';
import { schema } from './schema/index.js';
import { listenerWithShortcut, type Shortcut } from './shortcuts.js';
import { pruneThreadEvents } from './db/queries/thread-events.js';
import { createThreadEventBus } from './subscriptions/bus.js';
import { useSharedEventExecution } from './subscriptions/execute.js';
import { useEventStreams } from './subscriptions/sse.js';
import { Subscriptions } from './subscriptions/stream.js';

export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /**
   * Who answers reads: `sql`, the read engine (src/engine/: one statement per request wherever it
   * can), or `reference`, the resolvers alone (what the engine is tested against).
   */
  engine?: 'sql' | 'reference';
}

/**
 * What /ready checks: the database answers and holds every migration this build ships; Redis, when
 * configured (REDIS_URL), answers.
 */
function readinessChecks(db: Db, redis: Redis | null): ReadinessCheck[] {
  return [
    { name: 'database', run: () => pendingMigrations(db) },
    ...(redis ? [{ name: 'redis', run: async () => ((await redis.ping()) === 'PONG' ? null : 'unexpected answer') }] : []),
  ];
}

/** What the Node server (or a test) hands each request: the socket's peer address. */
export interface ServerContext {
  req?: Pick<IncomingMessage, 'socket'> | undefined;
}

/**
 * The GraphQL HTTP handler: `fetch` (Fetch-API `Request → Response`, what tests call) and
 * `listener` (what server.ts listens with: the same, plus the shortcuts of src/shortcuts.ts).
 */
export function createApp({ db, config, logger, engine = 'sql' }: AppDeps) {
  const cache = createResponseCache(config, db, logger);
  const threadEvents = createThreadEventBus(config, db, logger);
  const subscriptions = new Subscriptions(config.subscriptions);
  const services: Services = {
    db,
    changes: cache.changes,
    config,
    logger,
    akismet: config.akismet ? createAkismet(config.akismet, logger) : null,
    clientIp: clientIpResolver(config.trustedProxies),
    threadEvents,
    subscriptions,
  };
  // Thread events are kept THREAD_EVENTS_RETENTION_DAYS: pruned hourly (an index range scan on
  // created_at), by every process (a second one deletes nothing).
  const prune = setInterval(() => {
    pruneThreadEvents(db, config.subscriptions.retentionDays).catch((error: unknown) => logger.warn('Could not prune thread events:', error));
  }, 3_600_000).unref();
  // With the response cache, repeats are replays of cached responses; without it, the engine's
  // reads are rerun from their plans (src/shortcuts.ts).
  const plans = cache.replays || engine === 'reference' ? null : new CompiledPlans(db, config.limits.commentBudget, logger);
  const shortcut: Shortcut = cache.replays ?? plans ?? { kind: 'plan', answer: async () => false };
  const inFlight = new InFlightReads({ epochOf: cache.epochOf });
  const registered = loadRegistered(config.persistedOperationsFile);
  const yoga = createYoga<ServerContext>({
    schema,
    context: ({ request, req }) =>
      createContext(services, request, req?.socket?.remoteAddress, requestIdOf(req ?? request, request.headers.get('x-request-id'))),
    // Yoga's lines about the errors it masks are left out: useMaskedExecutionErrors logs those, with the request.
    logging: forYoga(logger),
    graphqlEndpoint: '/graphql',
    // Relay's persisted operation id (persisted.ts).
    extraParamNames: PERSISTED_PARAM_NAMES,
    landingPage: false,
    // CORS_ORIGINS; cross-origin.ts also keeps CSRF out (JSON bodies only).
    cors: corsPolicy(config),
    // GraphiQL is ours (src/graphiql/): its files served by this server, compressed and cacheable.
    graphiql: false,
    // Errors with one of our codes, and GraphQL's and yoga's own errors about the request, pass
    // through; anything else reaches the client as "Unexpected error." in every environment (never
    // NODE_ENV-dependent) and is logged with its stack (src/errors.ts, `maskError`).
    maskedErrors: { maskError },
    // Order matters: execution errors are masked (and logged with their operation) before any other
    // plugin sees the result; GraphiQL's page and files need nothing of the others; bodies that are
    // not JSON are refused before they are read, limits and input Postgres cannot store before
    // anything runs; the read engine replaces `execute`; in-flight reads wrap that (identical
    // reads executing at once share one execution: in-flight.ts); the response cache wraps both
    // (its `__typename`/`id` fields included), so that only its misses reach them, and a request
    // that shared an execution is still stored and answered by the cache as if it had executed.
    plugins: [
      useMaskedExecutionErrors(logger),
      // Before any plugin that records a response's headers (shortcuts replay them).
      useNoStoreByDefault(),
      useOperationNames(),
      ...(config.graphiql
        ? [
            useGraphiQL({
              endpoint: '/graphql',
              title: 'Palaver GraphiQL',
              logger,
              demoPostId: async () => {
                const id = await findDemoPost(db);
                return id === null ? null : encodeGlobalId('Post', id);
              },
            }),
          ]
        : []),
      useJsonBodiesOnly(),
      usePersistedOperations(config, registered),
      // Subscriptions as event streams: heartbeats, no proxy buffering (subscriptions/sse.ts).
      useEventStreams({ heartbeatMs: config.subscriptions.heartbeatMs, logger }),
      useLimits(config.limits),
      // Strings with a NUL and dates out of range, which Postgres cannot store: BAD_USER_INPUT
      // before anything runs (input-checks.ts).
      useInputChecks(),
      // A request past its comment budget answers with the refusal alone (before the cache sees it).
      useCommentBudget(),
      // What ran, for the metrics: after the limits, so that nothing they refused counts as run.
      useOperationsRun(),
      // One execution per event for the subscribers that see the same (subscriptions/execute.ts).
      useSharedEventExecution(subscriptions),
      ...(engine === 'sql' ? [useReadEngine(plans)] : []),
      useInFlightReads(inFlight),
      ...(cache.plugin ? [cache.plugin] : []),
    ],
  });
  // Redis, when configured, serves the cache and the thread events alike: the same server.
  // Stopping (server.ts, on SIGTERM): not ready, and no connection is kept alive past its response.
  let stopping = false;
  const health = healthRoutes(readinessChecks(db, cache.redis ?? threadEvents.redis), logger, () => stopping);
  const graphql = listenerWithShortcut(yoga, shortcut, logger);
  return {
    fetch: yoga.fetch,
    // Every request the listener serves gets an id and an access line (access-log.ts).
    listener: withAccessLog(
      withCompression((req, res) => {
        if (stopping) res.setHeader('connection', 'close');
        return health(req, res) || graphql(req, res);
      }),
      { logger, statements: () => statementCount(db), clientIp: services.clientIp },
    ),
    /** The process is stopping: /ready says so, and every response closes its connection. */
    stop: () => void (stopping = true),
    /** Ends every subscription stream (each completes), e.g. on SIGTERM; resolves when they have. */
    endSubscriptions: () => subscriptions.endAll(),
    dispose: async () => {
      clearInterval(prune);
      await subscriptions.endAll();
      await threadEvents.close();
      await yoga.dispose();
    },
    threadEvents,
    subscriptions,
    replays: cache.replays,
    plans,
    inFlight,
    /** The names of the registered operations (PERSISTED_OPERATIONS_FILE): the metrics keep a label for each. */
    registeredOperations: operationNamesIn(registered.values()),
    /** What the metrics count of the cache and the shortcuts. */
    stats: () => ({ ...cache.stats, replays: cache.replays?.served ?? 0, plans: plans?.served ?? 0 }),
  };
}

export type App = ReturnType<typeof createApp>;
