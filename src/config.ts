import { isIP } from 'node:net';
import { z } from 'zod';

const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];
const logFormats = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof logFormats)[number];

const integer = (min: number, max: number) => {
  const message = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

// Every environment variable Palaver reads, with its default. The README's configuration table
// mirrors this list.
const schema = z.object({
  PORT: integer(0, 65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_SECONDS: integer(1, 300).default(5),
  PGLITE_DIR: z.string().min(1).default('./.data/pglite'),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(logFormats, { error: `must be one of ${logFormats.join(', ')}` }).default('auto'),
  SEED_DEMO: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true'),
  MAX_COMMENT_DEPTH: integer(1, 100).default(16),
  COMMENT_EDIT_MINUTES: integer(0, 10_080).default(15),
  COMMENT_MODERATION: z.enum(['auto', 'manual'], { error: 'must be auto or manual' }).default('auto'),
  COMMENT_FLOOD_SECONDS: integer(0, 86_400).default(15),
  SPAM_BLOCKLIST: z.string().default(''),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine((value) => list(value).every(isAddressOrSubnet), 'must be IP addresses or CIDR ranges, comma-separated'),
  AKISMET_API_KEY: z.string().optional(),
  AKISMET_SITE_URL: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the site' }).optional(),
  AKISMET_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://rest.akismet.com'),
  AKISMET_TIMEOUT_MS: integer(100, 60_000).default(2000),
  MAX_QUERY_DEPTH: integer(1, 1000).default(32),
  MAX_ALIASES: integer(0, 1000).default(15),
  MAX_TOKENS: integer(10, 1_000_000).default(2000),
  MAX_DOCUMENT_BYTES: integer(100, 10_000_000).default(20_000),
  MAX_QUERY_COST: integer(1, 100_000_000).default(50_000),
  COMMENT_BUDGET: integer(1, 10_000_000).default(5000),
  RESPONSE_CACHE_TTL_SECONDS: integer(0, 86_400).default(300),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,100}$/, 'must be 1–100 letters, digits or : . _ -')
    .optional(),
  PURGE_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  PURGE_WEBHOOK_TOKEN: z.string().min(1).optional(),
  // A purge endpoint that takes unauthenticated purges must be said so: anyone who can reach it
  // could empty the CDN (and send every reader to the origin) with the same request.
  PURGE_WEBHOOK_UNAUTHENTICATED: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .refine((value) => value.trim() === '*' || (list(value).length > 0 && list(value).every(isOrigin)), 'must be * or comma-separated origins like https://example.com'),
  SUBSCRIPTIONS_PER_CLIENT: integer(1, 100_000).default(20),
  SUBSCRIPTIONS_MAX: integer(1, 10_000_000).default(10_000),
  SUBSCRIPTION_BUFFER: integer(1, 100_000).default(500),
  SUBSCRIPTION_HEARTBEAT_SECONDS: integer(1, 3600).default(15),
  THREAD_EVENTS_RETENTION_DAYS: integer(1, 3650).default(7),
  SHUTDOWN_DRAIN_SECONDS: integer(0, 300).default(0),
  METRICS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
  METRICS_PORT: integer(1, 65535).optional(),
  PERSISTED_OPERATIONS: z.enum(['auto', 'only'], { error: 'must be auto or only' }).default('auto'),
  PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
  // Default: on with the embedded database (someone trying Palaver out), off with DATABASE_URL.
  GRAPHIQL: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

/** Comma- or newline-separated values, trimmed, without empties. */
const list = (value: string) =>
  value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);

/** `https://example.com` or `http://localhost:3000`: a scheme, a host and maybe a port, nothing else. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

function isAddressOrSubnet(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  const family = isIP(address ?? '');
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Seconds to wait for a Postgres connection before a request fails with SERVICE_UNAVAILABLE. */
  databaseConnectTimeoutSeconds: number;
  pgliteDir: string;
  logLevel: LogLevel;
  /** `json`: one JSON object per line; `pretty`: a line for a human; `auto`: pretty when stderr is a terminal. */
  logFormat: LogFormat;
  seedDemo: boolean;
  /** On SIGTERM, keep serving this long (not ready, connections closed after each response) before closing. */
  shutdownDrainSeconds: number;
  /** Serve GET /metrics (Prometheus text: requests, latency, SQL statements, cache, process) for benchmarks and ops. */
  metrics: boolean;
  /** Serve /metrics on this port instead of the API's, so that it need not be public. */
  metricsPort: number | undefined;
  /** `auto`: operation text, persisted ids and Apollo's APQ; `only`: anonymous requests run registered operations only. */
  persistedOperations: 'auto' | 'only';
  /** Registered operations: a JSON file of id → text (relay-compiler) or an Apollo persisted query manifest. */
  persistedOperationsFile: string | undefined;
  /** Serve GraphiQL to browsers at /graphql (and its files under /graphql/assets/). */
  graphiql: boolean;
  /** How long anonymous responses may be cached (writes invalidate them sooner); 0 disables. */
  responseCacheTtlSeconds: number;
  /** Keep the response cache in Redis, shared by every API process; otherwise in memory. */
  redisUrl: string | undefined;
  /** Prefix of every key Palaver writes to Redis; unset: derived from the database's identity. */
  redisPrefix: string | undefined;
  /**
   * Where writes POST the CDN keys they invalidated (cdn.ts), and the bearer token sent with them
   * (undefined only with PURGE_WEBHOOK_UNAUTHENTICATED=true).
   */
  purgeWebhook: Readonly<{ url: string; token: string | undefined }> | null;
  /** `threadEvents` subscriptions: caps, the per-subscriber buffer, heartbeats, how long events are kept. */
  subscriptions: Readonly<{ perClient: number; max: number; buffer: number; heartbeatMs: number; retentionDays: number }>;
  /** Browser origins allowed to call the API with credentials; null: any origin, without credentials. */
  corsOrigins: readonly string[] | null;
  comments: Readonly<{
    maxDepth: number;
    /** How long a guest may edit or delete their own comment, in milliseconds. */
    editWindowMs: number;
    /** auto: approve what passes the spam checks; manual: hold every guest comment. */
    moderation: 'auto' | 'manual';
    floodMs: number;
    blocklist: readonly string[];
  }>;
  trustedProxies: readonly string[];
  akismet: Readonly<{ apiKey: string; siteUrl: string; url: string; timeoutMs: number }> | null;
  limits: Readonly<{
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDocumentBytes: number;
    maxCost: number;
    /** Comments one response may hold, whatever its query looks like (src/budget.ts). */
    commentBudget: number;
    /** MAX_COMMENT_DEPTH: `ancestors` lists at most one fewer (src/limits.ts). */
    commentDepth: number;
  }>;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=`) means "not set", as in most shells' and compose files' usage.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid configuration: ${name}=${JSON.stringify(env[name])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.AKISMET_API_KEY && !e.AKISMET_SITE_URL) {
    throw new ConfigError('Invalid configuration: AKISMET_SITE_URL is required when AKISMET_API_KEY is set');
  }
  if (e.PURGE_WEBHOOK_URL && !e.PURGE_WEBHOOK_TOKEN && !e.PURGE_WEBHOOK_UNAUTHENTICATED) {
    throw new ConfigError(
      'Invalid configuration: PURGE_WEBHOOK_TOKEN is required when PURGE_WEBHOOK_URL is set (or set PURGE_WEBHOOK_UNAUTHENTICATED=true if the purge endpoint takes purges without one)',
    );
  }
  if (e.PURGE_WEBHOOK_TOKEN && e.PURGE_WEBHOOK_UNAUTHENTICATED) {
    throw new ConfigError('Invalid configuration: PURGE_WEBHOOK_UNAUTHENTICATED=true contradicts PURGE_WEBHOOK_TOKEN: set one or the other');
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseConnectTimeoutSeconds: e.DATABASE_CONNECT_TIMEOUT_SECONDS,
    pgliteDir: e.PGLITE_DIR,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    seedDemo: e.SEED_DEMO,
    shutdownDrainSeconds: e.SHUTDOWN_DRAIN_SECONDS,
    metrics: e.METRICS,
    metricsPort: e.METRICS_PORT,
    persistedOperations: e.PERSISTED_OPERATIONS,
    persistedOperationsFile: e.PERSISTED_OPERATIONS_FILE,
    graphiql: e.GRAPHIQL === undefined ? e.DATABASE_URL === undefined : e.GRAPHIQL === 'true',
    responseCacheTtlSeconds: e.RESPONSE_CACHE_TTL_SECONDS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    purgeWebhook: e.PURGE_WEBHOOK_URL ? Object.freeze({ url: e.PURGE_WEBHOOK_URL, token: e.PURGE_WEBHOOK_TOKEN }) : null,
    subscriptions: Object.freeze({
      perClient: e.SUBSCRIPTIONS_PER_CLIENT,
      max: e.SUBSCRIPTIONS_MAX,
      buffer: e.SUBSCRIPTION_BUFFER,
      heartbeatMs: e.SUBSCRIPTION_HEARTBEAT_SECONDS * 1000,
      retentionDays: e.THREAD_EVENTS_RETENTION_DAYS,
    }),
    corsOrigins: e.CORS_ORIGINS.trim() === '*' ? null : Object.freeze(list(e.CORS_ORIGINS).map((origin) => origin.replace(/\/$/, ''))),
    comments: Object.freeze({
      maxDepth: e.MAX_COMMENT_DEPTH,
      editWindowMs: e.COMMENT_EDIT_MINUTES * 60_000,
      moderation: e.COMMENT_MODERATION,
      floodMs: e.COMMENT_FLOOD_SECONDS * 1000,
      blocklist: Object.freeze(list(e.SPAM_BLOCKLIST).map((entry) => entry.toLowerCase())),
    }),
    trustedProxies: Object.freeze(list(e.TRUSTED_PROXIES)),
    akismet: e.AKISMET_API_KEY
      ? Object.freeze({
          apiKey: e.AKISMET_API_KEY,
          siteUrl: e.AKISMET_SITE_URL!,
          url: e.AKISMET_URL.replace(/\/$/, ''),
          timeoutMs: e.AKISMET_TIMEOUT_MS,
        })
      : null,
    limits: Object.freeze({
      maxDepth: e.MAX_QUERY_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
      maxCost: e.MAX_QUERY_COST,
      commentBudget: e.COMMENT_BUDGET,
      commentDepth: e.MAX_COMMENT_DEPTH,
    }),
  });
}
