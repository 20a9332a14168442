import { LRUCache } from 'lru-cache';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { sharedCacheControl } from './cdn.js';
import type { Shortcut } from './shortcuts.js';

/*
 * Replays: byte-identical repeats of cached anonymous reads, answered before yoga from what yoga
 * sent (a shortcut, see shortcuts.ts). A replay is only an index into the response cache, never a
 * second cache: it is served only while the cache still holds the very entry it was made from
 * under the current generation, so every invalidation and expiry applies to it unchanged.
 */

/** What a replay of a response holds: exactly what yoga sent, and where the cache keeps it. */
export interface Replay {
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
  /** A response a CDN may keep: until when (its `s-maxage` counts down to it on every replay). */
  expiresAt?: number | undefined;
}

/** Replays take at most this much memory per process (bodies, keys, headers, entries kept); the least recently used go first. */
export const REPLAY_BYTES = 32 * 1024 * 1024;

/** The bytes a replay keeps alive. */
function sizeOf(key: string, replay: Replay): number {
  let size = key.length + replay.body.length + 200;
  for (const [name, value] of Object.entries(replay.headers)) size += name.length + String(value).length;
  // In Redis the entry is the stored JSON text, held here; in memory it is the cache's own object.
  if (typeof replay.entry === 'string') size += replay.entry.length;
  return size;
}

export class Replays implements Shortcut {
  readonly kind = 'replay';
  private readonly entries = new LRUCache<string, Replay>({
    maxSize: REPLAY_BYTES,
    maxEntrySize: REPLAY_BYTES / 8,
    sizeCalculation: (replay, key) => sizeOf(key, replay),
  });
  /** Requests answered from a replay (tests read it). */
  served = 0;

  /** `stored` answers the cache's entry for a responseId of the current generation, if any. */
  constructor(private readonly stored: (responseId: string) => Promise<unknown>) {}

  private async isCurrent({ responseId, entry }: Replay): Promise<boolean> {
    return (await this.stored(responseId).catch(() => undefined)) === entry;
  }

  async answer(key: string, res: ServerResponse): Promise<boolean> {
    const replay = await this.find(key);
    if (!replay) return false;
    const headers = replay.expiresAt === undefined ? replay.headers : { ...replay.headers, 'cache-control': sharedCacheControl(replay.expiresAt) };
    res.writeHead(replay.status, headers).end(replay.body);
    return true;
  }

  async find(key: string): Promise<Replay | null> {
    const replay = this.entries.get(key);
    if (!replay) return null;
    if (await this.isCurrent(replay)) {
      this.served++;
      return replay;
    }
    this.entries.delete(key);
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
    this.entries.set(key, { ...replay, entry });
  }
}
