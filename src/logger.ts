import { inspect } from 'node:util';
import { pino } from 'pino';
import type { LogFormat, LogLevel } from './config.js';

/*
 * Logs: pino, one JSON object per line on stderr (stdout is left to what is printed for a human
 * on purpose, such as the first start's admin token), or, when stderr is a terminal
 * (LOG_FORMAT=auto) or LOG_FORMAT=pretty, one readable line per entry (`prettyLine`). Written
 * synchronously: a line logged just before the process exits is not lost, and no worker thread
 * is spawned (as pino's transports would).
 *
 * Callers keep the plain leveled interface (graphql-yoga's too): strings make the message, an
 * Error is `err` (its type, message, stack, code and causes), a plain object adds its fields.
 *
 * Nothing secret reaches a line: the fields that could hold one are redacted by name, errors are
 * reduced to their type, message, stack and code (never a driver's `params`, `detail` or query
 * parameters: drizzle's "Failed query … params: …" message loses its parameters), and, last,
 * every line is scrubbed of anything shaped like a token, a guest token or an email address.
 */

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /** Whether lines of `level` are written (a logger without it writes every level). */
  enabled?(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** `auto` (the default): pretty when the destination is a terminal, JSON otherwise. */
  format?: LogFormat;
  /** Where lines go: stderr, or (tests) any object with `write`. */
  destination?: { write(line: string): unknown; isTTY?: boolean };
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function createLogger(level: LogLevel, { format = 'auto', destination = process.stderr }: LoggerOptions = {}): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
      hooks: { streamWrite: scrubSecrets },
    },
    pretty ? { write: (line: string) => destination.write(prettyLine(line)) } : destination,
  );
  const at = (name: LogLevel) => (...args: unknown[]) => {
    if (!log.isLevelEnabled(name)) return;
    const { fields, message } = entryOf(args);
    log[name](fields, message);
  };
  return { ...(Object.fromEntries(LEVELS.map((name) => [name, at(name)])) as Omit<Logger, 'enabled'>), enabled: (name) => log.isLevelEnabled(name) };
}

/** A log call's arguments as pino's fields and message. */
function entryOf(args: readonly unknown[]): { fields: Record<string, unknown>; message: string } {
  const fields: Record<string, unknown> = {};
  const words: string[] = [];
  for (const arg of args) {
    if (arg instanceof Error && fields.err === undefined) fields.err = arg;
    else if (isPlainObject(arg)) Object.assign(fields, arg);
    else words.push(typeof arg === 'string' ? arg : inspect(arg, { depth: 2, breakLength: Infinity }));
  }
  if (words.length === 0 && fields.err instanceof Error) words.push(messageOf(fields.err));
  return { fields, message: words.join(' ') };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Fields that may hold a secret, wherever a caller puts them. Query variables are never logged
// (they hold emails and guest tokens): a `variables` field is redacted whole.
const REDACTED_FIELDS = [
  'authorization', 'cookie', 'token', 'guestToken', 'email', 'password', 'variables', 'headers',
  '*.authorization', '*.cookie', '*.token', '*.guestToken', '*.email', '*.password', '*.variables', '*.headers',
];

/** An error as logged: what says what went wrong and where, and nothing of the data involved. */
function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const message = messageOf(error);
  const type = error.constructor?.name ?? error.name;
  const frames = error.stack?.indexOf('\n    at ') ?? -1;
  const serialized: Record<string, unknown> = {
    type,
    message,
    stack: frames >= 0 ? `${error.name}: ${message}${error.stack!.slice(frames)}` : undefined,
  };
  const { code, cause, originalError } = error as { code?: unknown; cause?: unknown; originalError?: unknown };
  if (typeof code === 'string' || typeof code === 'number') serialized.code = code;
  const inner = originalError ?? cause;
  if (inner !== undefined && inner !== null && depth < 5) serialized.cause = serializeError(inner, depth + 1);
  return serialized;
}

/** An error's message without the statement parameters drizzle appends to it. */
function messageOf(error: Error): string {
  return error.message.replace(/\nparams: [\s\S]*$/, '');
}

// API and guest tokens (src/domain/tokens.ts: a prefix and 43 base64url characters) and email
// addresses, anywhere in a line (an error message quoting a value, say).
const TOKEN = /\b(pal|guest)_[A-Za-z0-9_-]{16,}/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** A line with every token and email address replaced. */
export function scrubSecrets(line: string): string {
  return line.replace(TOKEN, '$1_[redacted]').replace(EMAIL, '[email]');
}

/**
 * A JSON line as a person reads it: `15:04:05.123 INFO  message key=value …`, and an error's
 * stack and causes on the lines below.
 */
function prettyLine(line: string): string {
  const { time, level, msg, err, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const head = `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${msg ?? ''}`;
  const rest = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const below: string[] = [];
  for (let e = err as { stack?: string; message?: string; cause?: unknown } | undefined, first = true; e; e = e.cause as typeof e, first = false) {
    below.push(first ? (e.stack ?? String(e.message)) : `caused by: ${e.message}`);
  }
  return `${[head, ...rest].join(' ')}\n${below.map((text) => `${text.replace(/^/gm, '    ')}\n`).join('')}`;
}
