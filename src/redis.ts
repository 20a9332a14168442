import type { Redis } from 'ioredis';
import { createRequire } from 'node:module';

// A Redis that does not answer within this is unreachable: the request goes on without it.
const COMMAND_TIMEOUT_MS = 1_000;

/**
 * A connection to REDIS_URL as every part of Palaver uses one (the response cache, thread events):
 * - ioredis is loaded only when configured (it costs a process ~12 MB);
 * - the first commands wait for the first connection; after that, a command sent while Redis is
 *   unreachable fails at once rather than queue (ioredis reads `enableOfflineQueue` at every
 *   command), and one sent to a Redis that went silent fails after COMMAND_TIMEOUT_MS;
 * - that timeout also bounds the check ioredis makes on every new connection, so that a
 *   connection accepted but never answered (a network partition) is dropped and retried instead of
 *   waiting forever;
 * - errors are the callers' to handle, per command (an unhandled 'error' event would be fatal).
 */
export function connectRedis(url: string): Redis {
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = new Redis(url, { commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  redis.once('ready', () => void (redis.options.enableOfflineQueue = false));
  redis.on('error', () => {});
  return redis;
}
