import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.js';

/*
 * A CDN in front of Palaver (Fastly, Varnish, a Cloudflare worker, …) may keep anonymous GET reads
 * exactly as the response cache does, and drop exactly what a write changed, as WPGraphQL Smart
 * Cache lets a CDN do for WordPress:
 * - a GET read the response cache holds (anonymous, no errors, nothing missing) carries
 *   `Cache-Control: public, max-age=0, s-maxage=N`, N being the seconds until the response cache
 *   itself drops it (its TTL, shortened before a scheduled publication), and `Surrogate-Key`:
 *   the objects it shows (`Post:UG9zdDox`), their types (`Post`), and `all`. Browsers revalidate
 *   (max-age=0): only the CDN hears about writes.
 * - every other GraphQL response is `Cache-Control: no-store` (some CDNs cache a 200 without
 *   Cache-Control for an hour by default);
 * - each write POSTs the keys it invalidated to PURGE_WEBHOOK_URL as `{"keys": [...]}` (`["all"]`
 *   when lists or counts changed). A read that started before the write may reach the CDN just
 *   after the purge, holding what the write changed: the same keys are purged again
 *   PURGE_REPEAT_MS later. A failed purge is logged and never fails the write.
 */

/** Every cacheable response carries this key: purging it drops everything. */
export const ALL_KEYS = 'all';

/** Fastly refuses a longer `Surrogate-Key`; a response naming more objects is not for the CDN. */
export const MAX_SURROGATE_KEY_BYTES = 16_384;

/** How long after a write its purge is repeated, for a read that raced it to the CDN. */
export const PURGE_REPEAT_MS = 2_000;

/** How long a purge may take before it is given up (and logged). */
const PURGE_TIMEOUT_MS = 5_000;

/** What a response the response cache holds tells the CDN. */
export interface Cacheable {
  /** Its index keys, space-separated (cache-stores.ts). */
  keys: string;
  /** When the response cache drops it, in ms since the epoch. */
  expiresAt: number;
}

/** The `Cache-Control` of a response the CDN may keep until `expiresAt`. */
export function sharedCacheControl(expiresAt: number, now = Date.now()): string {
  return `public, max-age=0, s-maxage=${Math.max(0, Math.floor((expiresAt - now) / 1000))}`;
}

/**
 * The headers that let a CDN keep a response (null: it may not, it names too many objects), given
 * what the response cache holds for it.
 */
export function cdnHeaders({ keys, expiresAt }: Cacheable): Record<string, string> | null {
  const surrogateKey = keys ? `${keys} ${ALL_KEYS}` : ALL_KEYS;
  if (surrogateKey.length > MAX_SURROGATE_KEY_BYTES) return null;
  return { 'cache-control': sharedCacheControl(expiresAt), 'surrogate-key': surrogateKey };
}

export type Purge = (keys: readonly string[]) => Promise<void>;

/** POSTs `{"keys": [...]}` to `url` (with `token` as a bearer token, if set), now and once more later. */
export function purgeWebhook(url: string, token: string | undefined, logger: Logger): { purge: Purge; close(): Promise<void> } {
  const later = new Map<NodeJS.Timeout, readonly string[]>();
  const send = async (keys: readonly string[]) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ keys }),
        signal: AbortSignal.timeout(PURGE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) logger.warn(`CDN purge of ${keys.length} key(s) answered HTTP ${response.status}`);
    } catch (error) {
      logger.warn(`CDN purge of ${keys.length} key(s) failed: ${(error as Error).message}`);
    }
  };
  return {
    async purge(keys) {
      if (keys.length === 0) return;
      const again = setTimeout(() => {
        later.delete(again);
        void send(keys);
      }, PURGE_REPEAT_MS);
      later.set(again, keys);
      await send(keys);
    },
    /** Sends the repeats still waiting at once (the process is stopping). */
    async close() {
      const pending = [...later];
      later.clear();
      await Promise.all(pending.map(([timer, keys]) => (clearTimeout(timer), send(keys))));
    },
  };
}

/**
 * Every GraphQL response without a `Cache-Control` of its own is `no-store` (the response cache
 * marks what a CDN may keep; some CDNs would keep an unmarked 200 for an hour).
 */
export function useNoStoreByDefault(): Plugin {
  return {
    onResponse({ response }) {
      if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
    },
  };
}
