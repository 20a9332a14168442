import type { LogLevel } from './config.js';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** A leveled logger writing to stderr; it also satisfies graphql-yoga's logger interface. */
export function createLogger(level: LogLevel): Logger {
  const at = (name: LogLevel) =>
    order[name] >= order[level]
      ? (...args: unknown[]) => console.error(`${new Date().toISOString()} ${name.toUpperCase()}`, ...args)
      : () => {};
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
