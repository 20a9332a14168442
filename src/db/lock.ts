import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

/*
 * One process at a time on a PGlite data directory. PGlite is Postgres compiled to WASM inside
 * one process: a second process opening the same directory (a second `npm start`, a token
 * script while the server runs) writes over the first one's files, and each loses the other's
 * writes or corrupts the directory. Postgres guards its data directory with postmaster.pid; PGlite
 * writes one too, but with a fake pid (-42) that nothing checks. So, like postmaster.pid: a lock
 * file created atomically (O_EXCL) in the directory, holding the pid, the command and the time;
 * a lock whose process is gone is stale and taken over; released on close and at process exit.
 */

/** The lock file, inside the PGlite directory (Postgres ignores files it does not know). */
export const LOCK_FILE = 'palaver.lock';

export interface LockHolder {
  pid: number;
  /** How the holder was started, e.g. `npm start` or `node dist/src/server.js`. */
  command: string;
  /** When it took the lock (ISO-8601). */
  since: string;
  /** Linux: the holder's start time in clock ticks after boot, from /proc, to tell a reused pid. */
  started?: string;
}

/** Another process (or this one) has the PGlite directory open. The message is one line. */
export class DatabaseInUseError extends Error {
  override name = 'DatabaseInUseError';
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
    advice: string,
  ) {
    const who =
      holder.pid === process.pid
        ? `is already open in this process (pid ${holder.pid}, since ${clock(holder.since)})`
        : `is in use by another Palaver process (pid ${holder.pid}, "${holder.command}", since ${clock(holder.since)})`;
    super(`The embedded database in ${dir} ${who}. ${advice}`);
  }
}

// Lock files this process holds, by path: a lock naming our own pid that is not in here was left
// by an earlier process that had the same pid (a container's pid 1 after a restart): stale.
const held = new Set<string>();

/**
 * Takes the lock on a PGlite directory (which must exist) or throws DatabaseInUseError, whose
 * message ends with `advice` (what the user should do). Returns the function that releases it.
 */
export function lockDataDir(dir: string, advice = 'Stop it first.'): () => void {
  const path = join(realpathSync(dir), LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, command: commandLine(), since: new Date().toISOString() };
  const started = procStat(process.pid)?.started;
  if (started) mine.started = started;
  const text = `${JSON.stringify(mine)}\n`;

  for (let attempt = 1; !create(path, text); attempt++) {
    if (attempt > 5) throw new Error(`Could not take the lock ${path}: it keeps changing.`);
    const found = read(path);
    if (found === undefined) continue; // released in the meantime
    if (found.holder && isAlive(found.holder, path)) throw new DatabaseInUseError(dir, found.holder, advice);
    // Stale (its process is gone) or unreadable for good (a crash between creating and writing
    // it): remove it, unless another process took it over since we read it, and try again.
    removeIf(path, found.text);
  }

  held.add(path);
  const release = () => {
    process.off('exit', release);
    if (!held.delete(path)) return;
    removeIf(path, text);
  };
  process.on('exit', release);
  return release;
}

/** Creates the lock file with `text` if there is none (O_EXCL: one process wins). */
function create(path: string, text: string): boolean {
  let fd;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw error;
  }
  closeSync(fd);
  return true;
}

/**
 * Reads the lock file: undefined when there is none, `holder: null` when it cannot be parsed.
 * Its creator writes it right after creating it, so an empty file is read again for a moment.
 */
function read(path: string): { text: string; holder: LockHolder | null } | undefined {
  for (let tries = 0; ; tries++) {
    let text;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const holder = parse(text);
    if (holder || tries >= 10) return { text, holder };
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function parse(text: string): LockHolder | null {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(holder.pid) || holder.pid! <= 0) return null;
    return {
      pid: holder.pid!,
      command: typeof holder.command === 'string' ? holder.command : 'unknown command',
      since: typeof holder.since === 'string' ? holder.since : '',
      ...(typeof holder.started === 'string' ? { started: holder.started } : {}),
    };
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder, path: string): boolean {
  if (holder.pid === process.pid) return held.has(path);
  try {
    process.kill(holder.pid, 0); // signal 0: only asks whether the process exists
  } catch (error) {
    // EPERM: it exists, under another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Where /proc tells: a zombie has let go of everything, and a pid that started at another time
  // than the lock's writer is another process reusing it.
  const stat = procStat(holder.pid);
  if (!stat) return true;
  return stat.state !== 'Z' && stat.state !== 'X' && (!holder.started || stat.started === holder.started);
}

/** Deletes the file if it still holds `text` (so as not to delete a lock another process took). */
function removeIf(path: string, text: string) {
  try {
    if (readFileSync(path, 'utf8') === text) unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Linux: a process's state and start time (fields 3 and 22 of /proc/<pid>/stat); undefined elsewhere. */
function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may contain anything.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ? { state: fields[0]!, started: fields[19] } : undefined;
  } catch {
    return undefined;
  }
}

/** `npm start`, `npm run token:create`, or `node <script> <args>` when not run by an npm script. */
function commandLine(): string {
  const [, script = '', ...args] = process.argv;
  const shown = isAbsolute(script) && !relative(process.cwd(), script).startsWith('..') ? relative(process.cwd(), script) : script;
  const event = process.env.npm_lifecycle_event;
  // npm's variables are inherited by everything an npm script starts: they describe this process
  // only when the script's command line names this file.
  if (event && shown && process.env.npm_lifecycle_script?.split(/\s+/).includes(shown)) {
    return ['start', 'stop', 'restart', 'test'].includes(event) ? `npm ${event}` : `npm run ${event}`;
  }
  return ['node', shown, ...args].filter(Boolean).join(' ');
}

/** `10:02` today, `2026-05-01 10:02` another day (local time). */
function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const now = new Date();
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return day === today ? time : `${day} ${time}`;
}
