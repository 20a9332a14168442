/*
 * Writes run one after another (one transaction, one connection) while the importer goes on
 * reading and rendering the next records: Node's work (XML, sanitizing HTML) then overlaps
 * Postgres's (inserting rows into a table with nine indexes) instead of taking turns with it. On
 * `npm run bench:import` the two are of the same order (one post at a time, the importer's main
 * thread was busy 20 s and idle, waiting for Postgres, 14 s of the 34), so taking turns cost
 * nearly half the time.
 *
 * At most `depth` writes wait, which bounds the memory held by records read ahead. A failed write
 * fails every write after it (they do not run), the push that waits for it (at most `depth` pushes
 * later: until then the reader may read ahead for nothing), and `drain`.
 */
export class WriteQueue {
  private last: Promise<void> = Promise.resolve();
  private queued: Promise<void>[] = [];

  constructor(private readonly depth: number) {}

  /** Queues `write` after the writes before it; waits while `depth` writes are queued already. */
  async push(write: () => Promise<void>): Promise<void> {
    const done = this.last.then(write);
    // Observed by a later push or by drain/settle; not an unhandled rejection in between.
    done.catch(() => {});
    this.last = done;
    this.queued.push(done);
    while (this.queued.length > this.depth) await this.queued.shift();
  }

  /** Waits for every queued write; throws the first failure. */
  async drain(): Promise<void> {
    this.queued = [];
    await this.last;
  }

  /** Waits for the queued writes to end, failed or not (before the transaction rolls back). */
  async settle(): Promise<void> {
    this.queued = [];
    await this.last.catch(() => {});
  }
}
