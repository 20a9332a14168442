import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/*
 * Where the response cache keeps responses: in this process's memory, or in Redis shared by every
 * API process. Both keep the same three things:
 * - responses, under `<generation>:<hash>` keys (cache.ts builds them), each with its TTL;
 * - an index from every object a response holds (`Post:UG9zdDox`, or a type) to those responses;
 * - two counters: the generation, part of every key, which a write that changes lists moves on
 *   (every older response becomes unreachable at once), and the epoch, which every invalidation
 *   moves on.
 * The epoch closes a race: a read that started before a write may finish after the write dropped
 * what it changed, and would then store what it read before the write. A request reads the epoch
 * before it reads anything else (with the generation, in one round trip) and its response is
 * stored only if no invalidation happened since: in memory, checked and stored in one synchronous
 * step; in Redis, in one script.
 */

export interface CachedEntity {
  typename: string;
  id?: string | number;
}

/** A stored response, with what a CDN in front needs to cache it too (cdn.ts). */
export interface StoredResponse {
  result: object;
  /** Its index keys (its objects and their types), space-separated: its `Surrogate-Key`. */
  keys: string;
  /** When the store drops it (ms since the epoch): a CDN may keep it until then, no longer. */
  expiresAt: number;
}

export interface CacheState {
  generation: number;
  epoch: number;
}

export interface ResponseStore {
  /** Read before the request reads anything: its key's generation, and the epoch it must store in. */
  state(): Promise<CacheState>;
  get(key: string): Promise<StoredResponse | undefined>;
  /** Stores the response unless an invalidation happened since `epoch`; says whether it did. */
  set(key: string, result: object, entities: Iterable<CachedEntity>, ttlMs: number, epoch: number): Promise<StoredResponse | null>;
  /** Drops every response holding one of `entities` (a bare type: every response holding that type). */
  invalidate(entities: Iterable<CachedEntity>): Promise<void>;
  /** Makes every response stored so far unreachable. */
  nextGeneration(): Promise<void>;
  /**
   * The entry stored under `key` if it belongs to the current generation, as something a replay
   * can compare by identity (the object in memory, the stored JSON text in Redis), else undefined.
   */
  current(key: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Keys are only ever the ones cache.ts builds; anything else (a hostile value) is no key at all. */
const KEY = /^\d+:[0-9a-f]{64}$/;
export const isResponseKey = (key: string) => KEY.test(key);

/** What names an object (or, without an id, every object of a type) in the index, and in a CDN's keys. */
export const entityKey = ({ typename, id }: CachedEntity) => (id == null ? typename : `${typename}:${id}`);
/** A response is indexed under each of its objects and under their types. */
export function indexKeys(entities: Iterable<CachedEntity>): Set<string> {
  const keys = new Set<string>();
  for (const entity of entities) {
    keys.add(entity.typename);
    if (entity.id != null) keys.add(entityKey(entity));
  }
  return keys;
}

// In memory, per process: at most this many responses and bytes (JSON), least recently used go first.
export const MEMORY_CACHE_ENTRIES = 10_000;
export const MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

export function memoryStore(): ResponseStore {
  let generation = 0;
  let epoch = 0;
  const index = new Map<string, Set<string>>();
  const indexedUnder = new Map<string, Set<string>>();
  const unindex = (key: string) => {
    for (const entity of indexedUnder.get(key) ?? []) {
      const keys = index.get(entity);
      keys?.delete(key);
      if (keys?.size === 0) index.delete(entity);
    }
    indexedUnder.delete(key);
  };
  const responses = new LRUCache<string, StoredResponse & { size: number }>({
    max: MEMORY_CACHE_ENTRIES,
    maxSize: MEMORY_CACHE_BYTES,
    sizeCalculation: (entry) => entry.size,
    dispose: (_entry, key) => unindex(key),
  });
  return {
    state: async () => ({ generation, epoch }),
    get: async (key) => responses.get(key),
    async set(key, result, entities, ttlMs, since) {
      if (since !== epoch || !isResponseKey(key)) return null;
      const keys = indexKeys(entities);
      const stored = { result, keys: [...keys].join(' '), expiresAt: Date.now() + ttlMs };
      const size = JSON.stringify(result).length + key.length + stored.keys.length;
      if (size > MEMORY_CACHE_BYTES / 8) return null;
      responses.set(key, { ...stored, size }, { ttl: ttlMs });
      indexedUnder.set(key, keys);
      for (const entity of keys) {
        let under = index.get(entity);
        if (!under) index.set(entity, (under = new Set()));
        under.add(key);
      }
      return stored;
    },
    async invalidate(entities) {
      epoch++;
      for (const entity of new Set([...entities].map(entityKey))) {
        for (const key of [...(index.get(entity) ?? [])]) responses.delete(key);
      }
    },
    async nextGeneration() {
      generation++;
      epoch++;
    },
    current: async (key) => (key.startsWith(`${generation}:`) ? responses.get(key)?.result : undefined),
    close: async () => responses.clear(),
  };
}

function parseStored(text: string): StoredResponse {
  const newline = text.indexOf('\n');
  const space = text.indexOf(' ');
  return { expiresAt: Number(text.slice(0, space)), keys: text.slice(space + 1, newline), result: JSON.parse(text.slice(newline + 1)) as object };
}

// Each script runs atomically in Redis. Keys: [epoch, response, ...index sets]; the index sets
// live at least as long as the longest response they point to.
const SET_SCRIPT = `
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[2])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
end
return 1`;
// Keys: [epoch, ...index sets]. The epoch moves first, in the same atomic step as the deletions.
const INVALIDATE_SCRIPT = `
redis.call('INCR', KEYS[1])
for i = 2, #KEYS do
  local responses = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #responses, 500 do
    redis.call('DEL', unpack(responses, j, math.min(j + 499, #responses)))
  end
  redis.call('DEL', KEYS[i])
end
return 1`;

/**
 * The store in Redis, every key under `prefix` (REDIS_PREFIX: deployments sharing one Redis never
 * see each other's responses). A response is stored as one string: its expiry and its keys on a
 * first line, then its JSON text (which has no raw newline); `current` returns the JSON text.
 */
export function redisStore(redis: Redis, prefix: Promise<string>): ResponseStore {
  const keys = prefix.then((p) => ({
    generation: `${p}generation`,
    epoch: `${p}epoch`,
    response: (key: string) => `${p}response:${key}`,
    index: (entity: string) => `${p}index:${entity}`,
  }));
  const number = (value: string | null) => Number(value ?? 0);
  return {
    async state() {
      const k = await keys;
      const [generation, epoch] = await redis.mget(k.generation, k.epoch);
      return { generation: number(generation!), epoch: number(epoch!) };
    },
    async get(key) {
      if (!isResponseKey(key)) return undefined;
      const text = await redis.get((await keys).response(key));
      return text === null ? undefined : parseStored(text);
    },
    async set(key, result, entities, ttlMs, epoch) {
      if (!isResponseKey(key)) return null;
      const k = await keys;
      const ttl = Math.max(1, Math.round(ttlMs));
      const indexed = [...indexKeys(entities)];
      const stored = { result, keys: indexed.join(' '), expiresAt: Date.now() + ttl };
      const text = `${stored.expiresAt} ${stored.keys}\n${JSON.stringify(result)}`;
      const done = await redis.eval(SET_SCRIPT, 2 + indexed.length, k.epoch, k.response(key), ...indexed.map(k.index), String(epoch), text, String(ttl));
      return done === 1 ? stored : null;
    },
    async invalidate(entities) {
      const k = await keys;
      const index = [...new Set([...entities].map(entityKey))].map(k.index);
      await redis.eval(INVALIDATE_SCRIPT, 1 + index.length, k.epoch, ...index);
    },
    async nextGeneration() {
      const k = await keys;
      await redis.multi().incr(k.generation).incr(k.epoch).exec();
    },
    async current(key) {
      if (!isResponseKey(key)) return undefined;
      const k = await keys;
      const [generation, stored] = await redis.mget(k.generation, k.response(key));
      return key.startsWith(`${number(generation!)}:`) && stored != null ? stored.slice(stored.indexOf('\n') + 1) : undefined;
    },
    close: async () => void (await redis.quit()),
  };
}
