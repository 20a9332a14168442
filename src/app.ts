import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga } from 'graphql-yoga';
import { createContext } from './context.js';
import type { Db } from './db/client.js';
import { graphiqlTabs } from './graphiql.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';

export interface AppDeps {
  db: Db;
  logger: Logger;
}

/** The GraphQL HTTP handler (a Fetch-API `Request → Response` function); server.ts listens. */
export function createApp({ db, logger }: AppDeps) {
  return createYoga({
    schema,
    context: () => createContext(db),
    logging: logger,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL with its assets inlined: no CDN, so it works offline and under a strict CSP.
    renderGraphiQL,
    graphiql: { title: 'Palaver GraphiQL', defaultTabs: graphiqlTabs },
    // Expected errors carry an `extensions.code` and pass through. Anything else reaches the client
    // as "Unexpected error." without details in every environment (never NODE_ENV-dependent),
    // and yoga logs the original error with its stack through `logger`.
    maskedErrors: { isDev: false },
  });
}

export type App = ReturnType<typeof createApp>;
