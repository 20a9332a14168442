import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import type { createRedisCache as CreateRedisCache } from '@envelop/response-cache-redis';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { Redis } from 'ioredis';
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { queryRows, type Db } from './db/client.js';
import { encodeGlobalId } from './schema/ids.js';
import { isSingleJsonResponse, keyedRequest, type Shortcut } from './shortcuts.js';

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
 * A post scheduled for later becomes public without any write, so no response is cached for
 * longer than until the next scheduled publication.
 * With REDIS_URL the cache, its index of objects and the generation live in Redis, so that every
 * API process serves and invalidates the same responses.
 *
 * Serving a hit through yoga still costs its whole request pipeline, so each process also keeps
 * the exact bytes it sent for a cached request (`Replays`, a shortcut: see shortcuts.ts) and
 * answers a byte-identical repeat from them before yoga sees it. A replay is only an index into
 * the cache above, never a second cache: it is served only while the cache still holds the very
 * entry it was made from under the current generation, so every invalidation and expiry above
 * applies to it unchanged.
 */

/** Writers await these before answering, so that the writer's next read is already fresh. */
export interface Changes {
  comments(postId: number, commentIds: readonly number[]): Promise<void>;
  everything(): Promise<void>;
}

const noChanges: Changes = { comments: async () => {}, everything: async () => {} };

const GENERATION = 'palaver:cache:generation';
/** The cache generation: a counter in this process, or one shared by all processes in Redis. */
function generations(redis: Redis | null) {
  let local = 0;
  return {
    current: async () => (redis ? ((await redis.get(GENERATION)) ?? '0') : String(local)),
    next: async () => {
      if (redis) await redis.incr(GENERATION);
      else local++;
    },
  };
}

/** What a replay of a response holds: exactly what yoga sent, and where the cache keeps it. */
interface Replay {
  responseId: string;
  /**
   * The cache's entry this replays: the stored object itself (in memory) or its stored JSON (in
   * Redis). The same request re-cached after an invalidation is a different entry under the same
   * responseId, so a replay is served only while the cache holds this very entry.
   */
  entry: unknown;
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

// Replays take at most this much memory per process; the oldest go first.
const REPLAY_BYTES = 32 * 1024 * 1024;

/** Byte-identical repeats of anonymous reads, answered before yoga from what yoga sent. */
export class Replays implements Shortcut {
  private readonly entries = new Map<string, Replay>();
  private bytes = 0;
  /** Requests answered from a replay (tests read it). */
  served = 0;

  /** `stored` answers the cache's entry for a responseId of the current generation, if any. */
  constructor(private readonly stored: (responseId: string) => Promise<unknown>) {}

  private async isCurrent({ responseId, entry }: Replay): Promise<boolean> {
    return (await this.stored(responseId).catch(() => undefined)) === entry;
  }

  async answer(key: string, res: ServerResponse): Promise<boolean> {
    const replay = await this.find(key);
    if (replay) res.writeHead(replay.status, replay.headers).end(replay.body);
    return replay !== null;
  }

  async find(key: string): Promise<Replay | null> {
    const replay = this.entries.get(key);
    if (!replay) return null;
    if (await this.isCurrent(replay)) {
      this.served++;
      return replay;
    }
    this.forget(key);
    return null;
  }

  /** Remembers `replay` as the replay of the entry the cache holds now, if `answers` that entry. */
  async remember(key: string, replay: Omit<Replay, 'entry'>, answers: (entry: unknown) => boolean): Promise<void> {
    if (replay.body.length > REPLAY_BYTES / 8) return;
    const entry = await this.stored(replay.responseId).catch(() => undefined);
    if (entry === undefined || entry === null) return;
    try {
      if (!answers(entry)) return;
    } catch {
      return;
    }
    this.forget(key);
    this.entries.set(key, { ...replay, entry });
    this.bytes += replay.body.length + key.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= REPLAY_BYTES) break;
      this.forget(oldest);
    }
  }

  private forget(key: string) {
    const replay = this.entries.get(key);
    if (!replay) return;
    this.entries.delete(key);
    this.bytes -= replay.body.length + key.length;
  }

}

export function createResponseCache(
  config: Config,
  db: Db,
): { plugin: Plugin | null; changes: Changes; replays: Replays | null } {
  if (config.responseCacheTtlSeconds === 0) return { plugin: null, changes: noChanges, replays: null };
  // The Redis client is loaded only when configured (it costs a process ~12 MB).
  const load = createRequire(import.meta.url);
  const redis: Redis | null = config.redisUrl
    ? new (load('ioredis') as typeof import('ioredis')).Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 })
    : null;
  const cache: Cache = redis
    ? ((load('@envelop/response-cache-redis') as { createRedisCache: typeof CreateRedisCache }).createRedisCache({ redis }) as Cache)
    : createInMemoryCache({ max: 10_000 });
  const drop = (entities: { typename: string; id?: string }[]) => cache.invalidate(entities);
  const generation = generations(redis);

  // When the next scheduled post goes public; refreshed from the database at most once a second.
  let nextPublication = Number.POSITIVE_INFINITY;
  let checkedAt = 0;
  const refreshSchedule = async () => {
    if (Date.now() - checkedAt < 1000) return;
    checkedAt = Date.now();
    const [row] = await queryRows<{ at: string | null }>(
      db,
      sql`select min(published_at)::text as at from posts where status = 'scheduled' and published_at > now()`,
    );
    nextPublication = row?.at ? new Date(row.at).getTime() : Number.POSITIVE_INFINITY;
  };

  // A replay is current while the cache holds its response and the generation has not moved on.
  const replays = new Replays(async (responseId) => {
    if (redis) {
      // One round trip: the generation and the stored JSON.
      const [[, current], [, stored]] = (await redis.pipeline().get(GENERATION).get(responseId).exec()) as [[unknown, unknown], [unknown, unknown]];
      return responseId.startsWith(`${(current as string | null) ?? '0'}:`) ? (stored ?? undefined) : undefined;
    }
    return responseId.startsWith(`${await generation.current()}:`) ? ((await cache.get(responseId)) ?? undefined) : undefined;
  });
  // Per request that may be replayed (by its Node request): the cache's key for it, the result
  // and the exact body yoga serialized.
  const responseIds = new WeakMap<IncomingMessage, string>();
  const results = new WeakMap<IncomingMessage, { result: object; body?: string }>();

  const plugin = useResponseCache<Context>({
    cache,
    ttl: config.responseCacheTtlSeconds * 1000,
    session: () => null,
    enabled: (request) => !request.headers.get('authorization'),
    buildResponseCacheKey: async (params) => {
      const key = `${await generation.current()}:${await defaultBuildResponseCacheKey(params)}`;
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
    plugin: {
      ...plugin,
      onDispose: () => redis?.quit(),
      // Keep the schedule fresh before the cache decides how long to keep a response.
      async onRequest(payload) {
        await refreshSchedule();
        return plugin.onRequest?.(payload);
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
      onResponse({ response, serverContext }) {
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
        const answers = redis
          ? (entry: unknown) => JSON.stringify((JSON.parse(entry as string) as { data?: unknown }).data) === JSON.stringify(data)
          : (entry: unknown) => (entry as { data?: unknown }).data === data;
        // Not awaited: the response goes out now; the replay is ready for the next request.
        void replays.remember(key, { responseId, status: response.status, headers, body }, answers);
      },
    } as Plugin,
    replays,
    changes: {
      async comments(postId, commentIds) {
        await drop([
          { typename: 'Post', id: encodeGlobalId('Post', postId) },
          ...commentIds.map((id) => ({ typename: 'Comment', id: encodeGlobalId('Comment', id) })),
        ]);
      },
      async everything() {
        checkedAt = 0;
        await generation.next();
        await drop(['Post', 'Comment', 'Author', 'Tag'].map((typename) => ({ typename })));
      },
    },
  };
}
