/*
 * What an import did, per kind of object: imported (new), updated (changed since the last import),
 * unchanged, and skipped with the reason; plus notes (things kept but worth knowing, such as
 * shortcodes left as text or replies whose parent is missing), and lists naming each post that an
 * editor must look at (password-protected posts imported as drafts).
 */

export type ImportKind = 'authors' | 'posts' | 'comments';
export type Outcome = 'imported' | 'updated' | 'unchanged';

interface Tally {
  imported: number;
  updated: number;
  unchanged: number;
  skipped: Map<string, number>;
}

const tally = (): Tally => ({ imported: 0, updated: 0, unchanged: 0, skipped: new Map() });
const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

export class ImportReport {
  readonly kinds: Record<ImportKind, Tally> = { authors: tally(), posts: tally(), comments: tally() };
  readonly notes = new Map<string, number>();
  /** Things named one by one (a post's title and address), by what happened to them. */
  readonly lists = new Map<string, string[]>();
  dryRun = false;
  /** Set by the caller when it knows: seconds taken and the process's peak memory. */
  seconds?: number;
  peakRssMb?: number;

  count(kind: ImportKind, outcome: Outcome, n = 1) {
    this.kinds[kind][outcome] += n;
  }

  skip(kind: ImportKind, reason: string, n = 1) {
    if (n > 0) add(this.kinds[kind].skipped, reason, n);
  }

  note(what: string, n = 1) {
    if (n > 0) add(this.notes, what, n);
  }

  /** Names `item` under `what` (once, however often it is read). */
  list(what: string, item: string) {
    const items = this.lists.get(what) ?? [];
    if (!items.includes(item)) items.push(item);
    this.lists.set(what, items);
  }

  /** Comments imported or updated: the importer's throughput. */
  get commentsWritten(): number {
    return this.kinds.comments.imported + this.kinds.comments.updated;
  }

  toString(): string {
    const lines = [this.dryRun ? 'Dry run: nothing was written. The import would have done this:' : 'Import finished:'];
    for (const [kind, t] of Object.entries(this.kinds)) {
      lines.push(`  ${kind.padEnd(9)} ${t.imported} imported, ${t.updated} updated, ${t.unchanged} unchanged`);
      for (const [reason, n] of [...t.skipped].sort()) lines.push(`            ${n} skipped: ${reason}`);
    }
    if (this.notes.size) {
      lines.push('  notes:');
      for (const [what, n] of [...this.notes].sort()) lines.push(`            ${n} × ${what}`);
    }
    for (const [what, items] of [...this.lists].sort()) {
      lines.push(`  ${items.length} × ${what}:`);
      for (const item of items) lines.push(`            ${item}`);
    }
    if (this.seconds !== undefined) {
      const rate = this.seconds > 0 ? Math.round(this.commentsWritten / this.seconds) : 0;
      lines.push(`  took ${this.seconds.toFixed(1)} s (${rate} comments/s), peak RSS ${this.peakRssMb ?? '?'} MB`);
    }
    return lines.join('\n');
  }

  toJSON() {
    const kind = (t: Tally) => ({ imported: t.imported, updated: t.updated, unchanged: t.unchanged, skipped: Object.fromEntries(t.skipped) });
    return {
      dryRun: this.dryRun,
      authors: kind(this.kinds.authors),
      posts: kind(this.kinds.posts),
      comments: kind(this.kinds.comments),
      notes: Object.fromEntries(this.notes),
      lists: Object.fromEntries(this.lists),
      seconds: this.seconds,
      peakRssMb: this.peakRssMb,
    };
  }
}
