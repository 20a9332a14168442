import { defaultBuildResponseCacheKey } from '@envelop/response-cache';
import { createRedisCache } from '@envelop/response-cache-redis';
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Plugin } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { queryRows, type Db } from './db/client.js';
import { encodeGlobalId } from './schema/ids.js';

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
 */

/** Writers await these before answering, so that the writer's next read is already fresh. */
export interface Changes {
  comments(postId: number, commentIds: readonly number[]): Promise<void>;
  everything(): Promise<void>;
}

const noChanges: Changes = { comments: async () => {}, everything: async () => {} };

/** The cache generation: a counter in this process, or one shared by all processes in Redis. */
function generations(redis: Redis | null) {
  let local = 0;
  return {
    current: async () => (redis ? ((await redis.get('palaver:cache:generation')) ?? '0') : String(local)),
    next: async () => {
      if (redis) await redis.incr('palaver:cache:generation');
      else local++;
    },
  };
}

export function createResponseCache(
  config: Config,
  db: Db,
): { plugin: Plugin | null; changes: Changes } {
  if (config.responseCacheTtlSeconds === 0) return { plugin: null, changes: noChanges };
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 }) : null;
  const cache: Cache = redis ? (createRedisCache({ redis }) as Cache) : createInMemoryCache({ max: 10_000 });
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

  const plugin = useResponseCache<Context>({
    cache,
    ttl: config.responseCacheTtlSeconds * 1000,
    session: () => null,
    enabled: (request) => !request.headers.get('authorization'),
    buildResponseCacheKey: async (params) => `${await generation.current()}:${await defaultBuildResponseCacheKey(params)}`,
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
    } as Plugin,
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
