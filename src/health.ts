import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';

/*
 * Liveness and readiness, for load balancers, orchestrators and the Dockerfile's HEALTHCHECK:
 * - GET /health: the process answers (200 always; nothing is checked, so a database outage never
 *   gets a healthy process restarted);
 * - GET /ready: it can serve: every check passes within READY_TIMEOUT_MS (the database answers and
 *   holds every migration this build ships; Redis answers when REDIS_URL is set). 503 otherwise,
 *   with a short reason per check; the error behind a reason (host names, drivers' messages) is
 *   logged, never sent.
 * Both are answered before yoga, without a request body, and are never cached. Once the process is
 * stopping (SIGTERM), /ready answers 503 `stopping` at once, so that load balancers stop sending.
 */

/** A readiness check: resolves to null when ready, else to a short reason. */
export interface ReadinessCheck {
  name: string;
  run: () => Promise<string | null>;
}

/** How long a check may take before it counts as failed: a hung database must not hang /ready. */
export const READY_TIMEOUT_MS = 2000;

async function outcome(check: ReadinessCheck, logger: Logger): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
  });
  try {
    const reason = await Promise.race([check.run().catch((error: unknown) => {
      logger.warn(`Readiness check "${check.name}" failed:`, error);
      return 'unreachable';
    }), timeout]);
    return reason ?? 'ok';
  } finally {
    clearTimeout(timer);
  }
}

const send = (res: ServerResponse, status: number, body: unknown) =>
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));

/** Answers /health and /ready (GET or HEAD) and says true, or says false for any other request. */
export function healthRoutes(checks: ReadinessCheck[], logger: Logger, stopping: () => boolean) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = req.url?.split('?')[0];
    if ((path !== '/health' && path !== '/ready') || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    if (path === '/health') {
      send(res, 200, { status: 'ok' });
      return true;
    }
    if (stopping()) {
      send(res, 503, { status: 'stopping' });
      return true;
    }
    void Promise.all(checks.map(async (check) => [check.name, await outcome(check, logger)] as const)).then((results) => {
      const ready = results.every(([, result]) => result === 'ok');
      send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) });
    });
    return true;
  };
}
