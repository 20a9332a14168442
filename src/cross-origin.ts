import type { CORSOptions, Plugin } from 'graphql-yoga';
import type { Config } from './config.js';

/*
 * What pages on other sites may make a browser do here.
 *
 * CSRF: a page can make a browser POST a form (urlencoded, multipart or text/plain) anywhere
 * without asking first. GraphQL POSTs must therefore be JSON (`application/json` or
 * `application/graphql-response+json`), which a browser sends cross-site only after a CORS
 * preflight the API answers; anything else is refused with 415 before it is read. Queries may
 * also be GETs (yoga refuses mutations over GET).
 *
 * CORS: CORS_ORIGINS unset (or `*`): any origin may call the API, without credentials (a bearer
 * token is a header the caller sets, not something the browser attaches on its own). With a list,
 * only those origins are allowed, with credentials; an origin is never reflected with credentials
 * unless it is listed.
 * The CORS headers of an actual request depend on its Origin alone (the shortcuts key on it):
 * what a preflight may ask (Access-Control-Request-Method/-Headers) is reflected on preflights
 * only, which yoga always answers itself.
 */

const JSON_BODY = /^application\/(json|graphql-response\+json)\s*(;|$)/i;

// On actual requests (browsers read these only on preflights, but yoga would echo a request's
// Access-Control-Request-* there, and a shortcut would replay them to everyone).
const METHODS = ['GET', 'POST', 'OPTIONS'];
const ALLOWED_HEADERS = ['Accept', 'Authorization', 'Content-Type'];

/** yoga's `cors` option. */
export function corsPolicy(config: Config): (request: Request) => CORSOptions {
  const listed = config.corsOrigins;
  const base: CORSOptions = listed ? { origin: [...listed], credentials: true } : { origin: ['*'], credentials: false };
  const actual: CORSOptions = { ...base, methods: METHODS, allowedHeaders: ALLOWED_HEADERS };
  // Preflights reflect what they ask for (clients add tracing and client-name headers), and may
  // be cached by the browser for 10 minutes.
  const preflight: CORSOptions = { ...base, maxAge: 600 };
  return (request) => (request.method === 'OPTIONS' ? preflight : actual);
}

/** Refuses POST bodies that are not JSON (form posts, multipart, text/plain, application/graphql). */
export function useJsonBodiesOnly(): Plugin {
  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'POST' || JSON_BODY.test(request.headers.get('content-type') ?? '')) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: 'Send GraphQL requests as JSON (Content-Type: application/json), or queries as GET.',
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          }),
          { status: 415, headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' } },
        ),
      );
    },
  };
}
