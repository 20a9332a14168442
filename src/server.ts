import { createServer, type IncomingMessage } from 'node:http';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createDb, DatabaseInUseError, surviveDroppedPostgresWrites, type Database } from './db/client.js';
import { analyze, isEmpty } from './db/queries/import.js';
import { migrate } from './db/migrate.js';
import { createFirstAdminToken } from './domain/authors.js';
import { seedDemo } from './domain/demo.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const logger = createLogger(config.logLevel, { format: config.logFormat });
surviveDroppedPostgresWrites((message) => logger.warn(message));

let database: Database;
try {
  database = createDb({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.pgliteDir,
    poolSize: config.databasePoolSize,
    connectTimeoutSeconds: config.databaseConnectTimeoutSeconds,
    whenInUse: 'Stop it first; to run several API processes, use Postgres (DATABASE_URL).',
  });
} catch (error) {
  // Another process has the embedded database open: refuse before touching it, in one line.
  if (!(error instanceof DatabaseInUseError)) throw error;
  console.error(error.message);
  process.exit(1);
}
logger.info(
  database.kind === 'pglite'
    ? `Database: embedded PGlite in ${config.pgliteDir}`
    : `Database: Postgres at ${new URL(config.databaseUrl!).host}`,
);

try {
  await database.exclusive(async () => {
    await migrate(database);
    if (config.seedDemo && (await isEmpty(database.db))) {
      const seeded = await seedDemo(database.db);
      logger.info(`Seeded the demo post with ${seeded.comments} comments`);
    }
    // A database that never had a token (the first start, on PGlite or Postgres, demo or not):
    // hand its operator the keys, once. Under the startup lock, so one process of several makes it.
    const first = await createFirstAdminToken(database.db);
    if (first) {
      const { name, slug } = first.author;
      const holder = first.newAuthor ? `a new admin author, "${name}" (slug ${slug})` : `${name} (${slug})`;
      console.log(
        `\nAn admin token was created for ${holder}, shown only this once ` +
          `(make more with palaver token create, or npm run token:create in a checkout):\n\n` +
          `  ${first.token}\n\n` +
          (config.graphiql
            ? `In GraphiQL, open the Headers tab (bottom left) and replace its contents with this, once (every tab sends it):\n\n` +
              `  { "Authorization": "Bearer ${first.token}" }\n`
            : `Send it as the header  Authorization: Bearer ${first.token}\n`),
      );
    }
    // PGlite runs no autovacuum: refresh the planner's statistics at every start instead.
    if (database.kind === 'pglite') await analyze(database.db);
  });
} catch (error) {
  logger.error('Could not prepare the database:', error instanceof Error ? error.message : error);
  logger.debug(error);
  process.exit(1);
}

const app = createApp({ db: database.db, config, logger });
const metrics = config.metrics
  ? createMetrics(
      { statements: () => database.statements.count, cache: app.stats, subscriptions: () => app.subscriptions },
      { registeredOperations: app.registeredOperations },
    )
  : null;
const listener = metrics ? metrics.measured(app.listener) : app.listener;
const isMetricsRequest = (req: IncomingMessage) => req.method === 'GET' && req.url?.split('?')[0] === '/metrics';
const server = createServer((req, res) => {
  if (metrics && config.metricsPort === undefined && isMetricsRequest(req)) return void metrics.expose(res);
  listener(req, res);
});
// METRICS_PORT: the metrics on a port of their own (and nothing else there), not the API's.
const metricsServer =
  metrics && config.metricsPort !== undefined
    ? createServer((req, res) => {
        if (isMetricsRequest(req)) return void metrics.expose(res);
        res.writeHead(404).end();
      }).listen(config.metricsPort, config.host)
    : null;
server.on('error', (error) => {
  logger.error(`Cannot listen on ${config.host}:${config.port}: ${error.message}`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${config.port}/graphql`;
  logger.info(config.graphiql ? `GraphiQL ready at ${url}` : `GraphQL API ready at ${url} (GraphiQL off: GRAPHIQL=false)`);
});

// Stop taking connections, end subscription streams, let requests in flight finish, then close the database.
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal} received, shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000 + config.shutdownDrainSeconds * 1000).unref();
  // Draining: /ready says 503 so that load balancers stop sending, while requests that were already
  // on their way (on kept-alive connections, say) are still answered; each closes its connection.
  app.stop();
  if (config.shutdownDrainSeconds > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainSeconds * 1000));
  const closed = new Promise((resolve) => server.once('close', resolve));
  server.close();
  server.closeIdleConnections();
  metricsServer?.close();
  // Subscription streams keep their connections busy: end them (each sends `complete`, and
  // clients resume with their last cursor elsewhere), then close connections as they fall idle.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  await app.endSubscriptions();
  await closed;
  clearInterval(idle);
  await app.dispose();
  await database.close();
  clearTimeout(force);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
