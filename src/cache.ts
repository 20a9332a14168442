import { createHash } from 'node:crypto';
import { defaultBuildResponseCacheKey, useResponseCache, type Cache } from '@envelop/response-cache';
import { LargeResponseData } from './engine/index.js';
import type { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { entityKey, memoryStore, redisStore, type CachedEntity, type ResponseStore } from './cache-stores.js';
import { ALL_KEYS, cdnHeaders, purgeWebhook, type Cacheable } from './cdn.js';
import { noteCacheResult } from './access-log.js';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { databaseIdentity, queryRows, type Db } from './db/client.js';
import type { Logger } from './logger.js';
import { connectRedis } from './redis.js';
import { Replays } from './replays.js';
import { encodeGlobalId } from './schema/ids.js';
import { isSingleJsonResponse, keyedRequest } from './shortcuts.js';

/*
 * The response cache for public reads. Only anonymous requests are cached, all sharing one
 * cache; a request with a token is never served from it nor stored in it, and `ownComment` (a
 * guest's pending comment, private by its argument) is never cached. The plugin records every
 * object (type and ID) in a cached response; writes name what they changed through `Changes`,
 * and exactly the responses holding those objects are dropped:
 * - a comment entering, leaving or changing in the public tree: its post and its ancestors
 *   (their counts), and the comment itself;
 * - what changes lists and counts (publishing, unpublishing, slugs, authors, tags):
 *   every cached response, since a list, a count or a `null` does not name what it would now
 *   hold. That is a new generation: the cache key includes it, so older responses are unreachable.
 * A read that started before a write is not stored after it (the epoch, see cache-stores.ts).
 * A post scheduled for later becomes public without any write, so no response is cached for
 * longer than until the next scheduled publication.
 * With REDIS_URL the cache, its index of objects and both counters live in Redis, under
 * REDIS_PREFIX, so that every API process serves and invalidates the same responses.
 *
 * Serving a hit through yoga still costs its whole request pipeline, so each process also keeps
 * the exact bytes it sent for a cached request (replays.ts, a shortcut: see shortcuts.ts).
 *
 * A CDN in front may keep public GET reads too, and is told what writes change: see cdn.ts.
 *
 * Redis unreachable: every read is a miss, answered from the database and not stored, and writes
 * succeed. An invalidation that could not reach Redis is owed: nothing is read from Redis again
 * until the generation has moved on, so no response it should have dropped is ever served.
 *
 * Responses carry no ETag: a key-derived one would name a request, not its content, and answer
 * 304 with what a moderator has since removed. Request headers never reach the store as keys.
 */

/** Writers await these before answering, so that the writer's next read is already fresh. */
export interface Changes {
  comments(postId: number, commentIds: readonly number[]): Promise<void>;
  everything(): Promise<void>;
}

const noChanges: Changes = { comments: async () => {}, everything: async () => {} };

/**
 * The store, owing invalidations that failed (Redis unreachable): while one is owed, reads find
 * nothing, and each first tries to pay it by moving to the next generation (at once when Redis is
 * back: every response stored before is unreachable, including any the missed ones named).
 */
function owingInvalidations(store: ResponseStore, logger: Logger): ResponseStore {
  let owed = false;
  let paying: Promise<void> | null = null;
  const pay = () =>
    (paying ??= store.nextGeneration().then(
      () => {
        owed = false;
        paying = null;
        logger.info('Response cache: Redis answers again; responses stored before it became unreachable are dropped');
      },
      (error: unknown) => {
        paying = null;
        throw error;
      },
    ));
  const settled = async () => {
    if (owed) await pay();
  };
  const owing = async (invalidation: Promise<void>) => {
    try {
      await invalidation;
    } catch (error) {
      owed = true;
      throw error;
    }
  };
  return {
    state: async () => (await settled(), store.state()),
    get: async (key) => (await settled(), store.get(key)),
    set: async (...args) => (await settled(), store.set(...args)),
    current: async (key) => (await settled(), store.current(key)),
    invalidate: (entities) => owing(store.invalidate(entities)),
    nextGeneration: () => owing(store.nextGeneration()),
    close: () => store.close(),
  };
}

/**
 * Where this deployment's keys live in Redis: REDIS_PREFIX, or one derived from the database's
 * identity, so that two deployments on two databases sharing one Redis never share a key, while
 * every process on one database does.
 */
export async function redisPrefix(config: Config, db: Db): Promise<string> {
  if (config.redisPrefix !== undefined) return config.redisPrefix;
  const identity = await databaseIdentity(db);
  return `palaver:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}:`;
}

export function createResponseCache(
  config: Config,
  db: Db,
  logger: Logger,
): {
  plugin: Plugin | null;
  changes: Changes;
  replays: Replays | null;
  epochOf: (context: object) => number | undefined;
  /** The Redis the cache uses, if any (readiness pings it). */
  redis: Redis | null;
  /** Lookups that found a response, and those that did not (the metrics read them). */
  stats: { hits: number; misses: number };
} {
  if (config.responseCacheTtlSeconds === 0) {
    return { plugin: null, changes: noChanges, replays: null, epochOf: () => undefined, redis: null, stats: { hits: 0, misses: 0 } };
  }
  let store: ResponseStore;
  let redis: Redis | null = null;
  if (config.redisUrl) {
    redis = connectRedis(config.redisUrl);
    const prefix = redisPrefix(config, db);
    void prefix.then((p) => logger.info(`Response cache in Redis, keys under ${p}`), () => {});
    store = owingInvalidations(redisStore(redis, prefix), logger);
  } else store = memoryStore();

  // When the next scheduled post goes public; refreshed from the database at most once a second.
  let nextPublication = Number.POSITIVE_INFINITY;
  let checkedAt = 0;
  // The database unreachable: nothing is stored until the schedule is known again (tried again a
  // second later); the request itself goes on, and fails or not on its own.
  const refreshSchedule = async () => {
    if (Date.now() - checkedAt < 1000) return;
    checkedAt = Date.now();
    try {
      const [row] = await queryRows<{ at: string | null }>(
        db,
        sql`select min(published_at)::text as at from posts where status = 'scheduled' and published_at > now()`,
      );
      nextPublication = row?.at ? new Date(row.at).getTime() : Number.POSITIVE_INFINITY;
    } catch (error) {
      nextPublication = Date.now();
      warn('read when the next scheduled post goes public')(error);
    }
  };

  const replays = new Replays((responseId) => store.current(responseId));
  // Per request (its GraphQL context): the epoch read with its key, before it read anything else.
  const epochs = new WeakMap<object, number>();
  // The store as the plugin sees it for one request: its responses are stored only in its epoch.
  // A store that fails (Redis unreachable) makes the request a miss that is not stored: it is
  // answered from the database, and the failure is logged.
  const warn = (what: string) => (error: unknown) => void logger.warn(`Response cache: could not ${what}:`, error);
  const stats = { hits: 0, misses: 0 };
  const purger = config.purgeWebhook ? purgeWebhook(config.purgeWebhook.url, config.purgeWebhook.token, logger) : null;
  // What a write names as changed is dropped here and purged from the CDN.
  const invalidate = async (entities: CachedEntity[]) => {
    await Promise.all([store.invalidate(entities).catch(warn('invalidate')), purger?.purge([...new Set(entities.map(entityKey))])]);
  };
  // Per request (its Fetch request): what the response cache holds for its response, if anything.
  const held = new WeakMap<Request, Promise<Cacheable | null | undefined>>();
  const requestOf = (context: Record<string, unknown>) => context.request as Request;
  const cacheFor = (context: Record<string, unknown>): Cache => ({
    get: async (key) => {
      const found = await store.get(key).catch(warn('read a response'));
      if (found === undefined) stats.misses++;
      else {
        stats.hits++;
        held.set(requestOf(context), Promise.resolve(found));
      }
      noteCacheResult(context.req as object | undefined, found === undefined ? 'miss' : 'hit');
      return found?.result as Awaited<ReturnType<Cache['get']>>;
    },
    set(key, result, entities, ttl) {
      const epoch = epochs.get(context);
      if (epoch === undefined) return;
      // A large response names its objects itself (the plugin's walk stopped at its root: see LargeResponseData).
      const data = (result as { data?: unknown }).data;
      const named = data instanceof LargeResponseData ? (LargeResponseData.entities.get(data) ?? []) : entities;
      const stored = store.set(key, result, named, ttl, epoch).catch(warn('store a response'));
      held.set(requestOf(context), stored);
      return stored.then(() => {});
    },
    // The plugin's own invalidation after a mutation (the objects its result names). Writes name
    // what they changed through `changes` below as well, which also purges the CDN: not again here.
    invalidate: (entities) => store.invalidate(entities).catch(warn('invalidate')),
  });
  // Per request that may be replayed (by its Node request): the cache's key for it, the result
  // and the exact body yoga serialized.
  const responseIds = new WeakMap<IncomingMessage, string>();
  const results = new WeakMap<IncomingMessage, { result: object; body?: string }>();

  const plugin = useResponseCache<Context>({
    cache: cacheFor,
    ttl: config.responseCacheTtlSeconds * 1000,
    session: () => null,
    enabled: (context) => !(context as unknown as { request: Request }).request.headers.get('authorization'),
    buildResponseCacheKey: async (params) => {
      const state = await store.state().catch(warn('read the generation'));
      if (state) epochs.set(params.context as object, state.epoch);
      // Without the store's state, a key no store accepts: a miss, not stored.
      const key = `${state ? state.generation : 'unavailable'}:${await defaultBuildResponseCacheKey(params)}`;
      const keyed = keyedRequest(params.context as object);
      if (keyed) responseIds.set(keyed.req, key);
      return key;
    },
    ttlPerSchemaCoordinate: { 'Query.ownComment': 0, 'Query.viewer': 0 },
    // A lookup that found nothing (`comment(id)` of a held comment, `post(slug)` of a draft, a
    // null among `nodes`) names no object that a later write could invalidate: not cached.
    shouldCacheResult: ({ result }) =>
      !result.errors?.length &&
      Object.values(result.data ?? {}).every((value) => value !== null && !(Array.isArray(value) && value.includes(null))),
    onTtl: ({ ttl }) => Math.max(0, Math.min(ttl, nextPublication - Date.now())),
  });
  return {
    redis,
    stats,
    plugin: {
      ...plugin,
      onDispose: async () => {
        await purger?.close();
        await store.close();
      },
      // Keep the schedule fresh before the cache decides how long to keep a response.
      async onRequest() {
        await refreshSchedule();
      },
      // Keep the exact bytes yoga sends for a request the listener may replay.
      onResultProcess({ result, setResult, serverContext }) {
        const req = keyedRequest(serverContext)?.req;
        if (!req || Array.isArray(result) || !('data' in result)) return;
        const stringify = result.stringify ?? JSON.stringify;
        const seen: { result: object; body?: string } = { result };
        results.set(req, seen);
        setResult({
          ...result,
          stringify: (sanitized: typeof result) => (seen.body = stringify(sanitized)),
        });
      },
      async onResponse({ request, response, serverContext }) {
        // A GET read the cache holds may be kept by a CDN; anything else must not be (cdn.ts).
        const cacheable = request.method === 'GET' ? await held.get(request) : null;
        const cdn = cacheable && response.status === 200 ? cdnHeaders(cacheable) : null;
        if (cdn) {
          for (const [name, value] of Object.entries(cdn)) response.headers.set(name, value);
          response.headers.append('vary', 'Authorization');
        }
        const { req, key } = keyedRequest(serverContext) ?? {};
        const responseId = req && responseIds.get(req);
        const seen = req && results.get(req);
        if (!key || !responseId || seen?.body === undefined || !isSingleJsonResponse(response)) return;
        const headers: OutgoingHttpHeaders = Object.fromEntries(response.headers);
        const body = Buffer.from(seen.body);
        headers['content-length'] = body.length;
        // Replayable only if this answer is what the cache holds: the very data the memory cache
        // keeps (stored by this request or served from it), or, in Redis, equal data.
        const { data } = seen.result as { data?: unknown };
        const answers = config.redisUrl
          ? (entry: unknown) => JSON.stringify((JSON.parse(entry as string) as { data?: unknown }).data) === JSON.stringify(data)
          : (entry: unknown) => (entry as { data?: unknown }).data === data;
        // Not awaited: the response goes out now; the replay is ready for the next request.
        void replays.remember(key, { responseId, status: response.status, headers, body, expiresAt: cdn ? cacheable!.expiresAt : undefined }, answers);
      },
    } as Plugin,
    replays,
    // For in-flight reads (in-flight.ts): a read never joins one that began in an older epoch.
    epochOf: (context) => epochs.get(context),
    changes: {
      async comments(postId, commentIds) {
        await invalidate([
          { typename: 'Post', id: encodeGlobalId('Post', postId) },
          ...commentIds.map((id) => ({ typename: 'Comment', id: encodeGlobalId('Comment', id) })),
        ]);
      },
      async everything() {
        checkedAt = 0;
        await Promise.all([store.nextGeneration().catch(warn('move to the next generation')), purger?.purge([ALL_KEYS])]);
      },
    },
  };
}
