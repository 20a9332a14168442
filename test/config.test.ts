import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      databasePoolSize: 10,
      pgliteDir: './.data/pglite',
      logLevel: 'info',
      logFormat: 'auto',
      seedDemo: true,
      metrics: false,
      metricsPort: undefined,
      databaseConnectTimeoutSeconds: 5,
      persistedOperations: 'auto',
      persistedOperationsFile: undefined,
      graphiql: true,
      responseCacheTtlSeconds: 300,
      redisUrl: undefined,
      redisPrefix: undefined,
      purgeWebhook: null,
      shutdownDrainSeconds: 0,
      corsOrigins: null,
      subscriptions: { perClient: 20, max: 10_000, buffer: 500, heartbeatMs: 15_000, retentionDays: 7 },
      comments: { maxDepth: 16, editWindowMs: 900_000, moderation: 'auto', floodMs: 15_000, blocklist: [] },
      trustedProxies: [],
      akismet: null,
      limits: { maxDepth: 32, maxAliases: 15, maxTokens: 2000, maxDocumentBytes: 20_000, maxCost: 50_000, commentBudget: 5000, commentDepth: 16 },
    });
  });

  it('reads every variable, and treats empty ones as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/palaver',
      DATABASE_POOL_SIZE: '20',
      PGLITE_DIR: '/var/lib/palaver',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      SEED_DEMO: 'false',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', databasePoolSize: 20, logLevel: 'debug', logFormat: 'json', seedDemo: false });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 4000, databaseUrl: undefined });
  });

  it('reads the subscription settings', () => {
    expect(
      loadConfig({
        SUBSCRIPTIONS_PER_CLIENT: '5',
        SUBSCRIPTIONS_MAX: '100',
        SUBSCRIPTION_BUFFER: '50',
        SUBSCRIPTION_HEARTBEAT_SECONDS: '30',
        THREAD_EVENTS_RETENTION_DAYS: '2',
      }).subscriptions,
    ).toEqual({ perClient: 5, max: 100, buffer: 50, heartbeatMs: 30_000, retentionDays: 2 });
    expect(() => loadConfig({ SUBSCRIPTION_BUFFER: '0' })).toThrow('SUBSCRIPTION_BUFFER="0": must be an integer from 1 to 100000');
  });

  it('reads the web and Redis settings', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example:8443/' }).corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBeNull();
    expect(loadConfig({ REDIS_PREFIX: 'blog-prod:' }).redisPrefix).toBe('blog-prod:');
    expect(loadConfig({ PURGE_WEBHOOK_URL: 'https://cdn.example/purge', PURGE_WEBHOOK_TOKEN: 't' }).purgeWebhook).toEqual({ url: 'https://cdn.example/purge', token: 't' });
    expect(() => loadConfig({ PURGE_WEBHOOK_URL: 'ftp://cdn.example' })).toThrow(/PURGE_WEBHOOK_URL/);
  });

  it('refuses a purge webhook without a token, unless PURGE_WEBHOOK_UNAUTHENTICATED=true says it takes none', () => {
    const url = 'https://cdn.example/purge';
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      return null;
    };
    const withoutToken: Record<string, string>[] = [
      { PURGE_WEBHOOK_URL: url },
      { PURGE_WEBHOOK_URL: url, PURGE_WEBHOOK_TOKEN: '' },
      { PURGE_WEBHOOK_URL: url, PURGE_WEBHOOK_UNAUTHENTICATED: 'false' },
    ];
    for (const env of withoutToken) {
      const message = refusal(env);
      expect(message, JSON.stringify(env)).toMatch(/^Invalid configuration: PURGE_WEBHOOK_TOKEN is required when PURGE_WEBHOOK_URL is set .*PURGE_WEBHOOK_UNAUTHENTICATED=true/);
      expect(message).not.toContain('\n');
    }
    expect(loadConfig({ PURGE_WEBHOOK_URL: url, PURGE_WEBHOOK_UNAUTHENTICATED: 'true' }).purgeWebhook).toEqual({ url, token: undefined });
    // Saying both is a mistake in one of them.
    expect(refusal({ PURGE_WEBHOOK_URL: url, PURGE_WEBHOOK_TOKEN: 't', PURGE_WEBHOOK_UNAUTHENTICATED: 'true' })).toMatch(
      /^Invalid configuration: PURGE_WEBHOOK_UNAUTHENTICATED=true contradicts PURGE_WEBHOOK_TOKEN/,
    );
    expect(refusal({ PURGE_WEBHOOK_UNAUTHENTICATED: 'yes' })).toMatch(/^Invalid configuration: PURGE_WEBHOOK_UNAUTHENTICATED="yes": must be true or false$/);
    // Without a webhook, neither matters.
    expect(loadConfig({ PURGE_WEBHOOK_UNAUTHENTICATED: 'true' }).purgeWebhook).toBeNull();
  });

  it('serves GraphiQL by default with the embedded database only', () => {
    expect(loadConfig({}).graphiql).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/palaver' }).graphiql).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/palaver', GRAPHIQL: 'true' }).graphiql).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false' }).graphiql).toBe(false);
    expect(loadConfig({ GRAPHIQL: '' }).graphiql).toBe(true);
  });

  it.each([
    ['GRAPHIQL', 'yes'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['DATABASE_POOL_SIZE', '0'],
    ['SEED_DEMO', 'yes'],
    ['CORS_ORIGINS', 'https://a.example/path'],
    ['CORS_ORIGINS', 'javascript:alert(1)'],
    ['REDIS_PREFIX', 'a b'],
  ])('rejects %s=%s with one line naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name}=`));
    expect(message).not.toContain('\n');
  });
});
