import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ThreadNotices } from '../db/queries/thread-events.js';
import { redisPrefix } from '../cache.js';
import { connectRedis } from '../redis.js';
import type { Logger } from '../logger.js';

/*
 * "Post P has events up to id N": what a writer announces once its transaction committed, and all
 * a subscriber needs to go and read them (the events themselves stay in the database, so nothing
 * is lost when a notice is: the next one covers it, and a resume reads the table).
 * In this process, listeners are called at once; with REDIS_URL, notices also go through Redis
 * pub/sub on `${REDIS_PREFIX}thread-events` to every other API process on the same database (the
 * prefix the response cache uses, so deployments sharing a Redis never hear each other).
 */

export type Listener = (upTo: number) => void;

export interface ThreadEventBus {
  /** After COMMIT: wakes this process's subscribers of each post, and the other processes'. */
  announce: (notices: ThreadNotices) => void;
  /** Calls `listener` with each notice for `postId`; returns what stops it. */
  listen(postId: number, listener: Listener): () => void;
  /** Resolves once Redis listens (at once without Redis): tests wait for it. */
  ready: Promise<void>;
  /** The Redis notices are published through, if any (readiness pings it). */
  redis: Redis | null;
  close(): Promise<void>;
}

export function createThreadEventBus(config: Config, db: Db, logger: Logger): ThreadEventBus {
  const listeners = new Map<number, Set<Listener>>();
  const dispatch = (postId: number, upTo: number) => {
    for (const listener of listeners.get(postId) ?? []) {
      try {
        listener(upTo);
      } catch (error) {
        logger.error('A thread event listener failed:', error);
      }
    }
  };
  let publish: (postId: number, upTo: number) => void = () => {};
  let ready = Promise.resolve();
  let close = async () => {};
  let redis: Redis | null = null;

  if (config.redisUrl) {
    // A subscribed connection can do nothing else, hence two.
    const publisher = connectRedis(config.redisUrl);
    redis = publisher;
    const subscriber = connectRedis(config.redisUrl);
    // This process's own notices come back from Redis too: they were dispatched already.
    const origin = randomUUID();
    const channel = redisPrefix(config, db).then((prefix) => `${prefix}thread-events`);
    const warn = (what: string) => (error: unknown) => void logger.warn(`Thread events: could not ${what} through Redis:`, error);
    ready = channel.then((name) => subscriber.subscribe(name)).then(() => {}, warn('listen'));
    subscriber.on('message', (_channel: string, message: string) => {
      try {
        const { o, p, n } = JSON.parse(message) as { o: string; p: number; n: number };
        if (o !== origin && Number.isInteger(p) && Number.isInteger(n)) dispatch(p, n);
      } catch (error) {
        warn('read a notice')(error);
      }
    });
    publish = (postId, upTo) =>
      void channel
        .then((name) => publisher.publish(name, JSON.stringify({ o: origin, p: postId, n: upTo })))
        .catch(warn('announce'));
    close = async () => {
      subscriber.disconnect();
      await publisher.quit().catch(() => publisher.disconnect());
    };
  }

  return {
    announce(notices) {
      for (const [postId, upTo] of notices) {
        dispatch(postId, upTo);
        publish(postId, upTo);
      }
    },
    listen(postId, listener) {
      let set = listeners.get(postId);
      if (!set) listeners.set(postId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(postId) === set) listeners.delete(postId);
      };
    },
    ready,
    redis,
    close: () => close(),
  };
}
