import type { Plugin } from 'graphql-yoga';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * Metrics in Prometheus's text format (METRICS=true, GET /metrics; METRICS_PORT serves them on a
 * port of their own so that they need not be public). Node's defaults (CPU, memory, event-loop
 * lag, GC, handles) under their usual names, and Palaver's own:
 * - palaver_requests_total{operation, outcome} and palaver_request_duration_seconds{operation}:
 *   every HTTP request, by GraphQL operation name and outcome (from the status: ok, client_error,
 *   server_error; aborted when the client left first);
 * - palaver_sql_statements_total: statements per request is its rate over the requests' (a
 *   histogram per request would need each statement traced to its request: an AsyncLocalStorage
 *   around every request, which cost the front page 15% of its CPU);
 * - palaver_response_cache_total{result}: hits and misses of the response cache, replays (the
 *   exact bytes of a cached response, past yoga) and plans (the engine's statement rerun past yoga);
 * - palaver_requests_in_flight: HTTP requests received and not yet answered (event streams
 *   included while open);
 * - palaver_subscriptions_open and palaver_subscription_events_total: `threadEvents` streams open
 *   now, and the events they sent;
 * - palaver_process_max_rss_bytes: the process's peak RSS (the benchmark reads it).
 * The database pool's use is not among them: postgres.js exposes no pool state.
 */

/** Counts kept elsewhere (the database, the cache, the shortcuts), read when Prometheus scrapes. */
export interface MetricSources {
  statements: () => number;
  cache: () => { hits: number; misses: number; replays: number; plans: number };
  subscriptions: () => { open: number; sent: number };
}

// Operation names are the client's: bounded, so that no client can grow the label set forever.
const MAX_OPERATIONS = 500;
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'palaver_requests_total',
    help: 'HTTP requests, by GraphQL operation name (anonymous, or other past 500 names) and outcome.',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'palaver_request_duration_seconds',
    help: 'Time from the request to the end of its response, by GraphQL operation name.',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Counter({
    name: 'palaver_sql_statements_total',
    help: 'SQL statements run since start.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.statements());
    },
  });
  new Counter({
    name: 'palaver_response_cache_total',
    help: 'Response cache hits and misses, and repeats answered past yoga: replays of cached bytes, plans of the read engine.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      const { hits, misses, replays, plans } = sources.cache();
      for (const [result, count] of [['hit', hits], ['miss', misses], ['replay', replays], ['plan', plans]] as const) this.inc({ result }, count);
    },
  });
  const inFlight = new Gauge({
    name: 'palaver_requests_in_flight',
    help: 'HTTP requests received and not yet answered (open event streams included).',
    registers: [registry],
  });
  new Gauge({
    name: 'palaver_subscriptions_open',
    help: 'threadEvents subscriptions open now.',
    registers: [registry],
    collect() {
      this.set(sources.subscriptions().open);
    },
  });
  new Counter({
    name: 'palaver_subscription_events_total',
    help: 'Events sent to threadEvents subscribers since start.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.subscriptions().sent);
    },
  });
  new Gauge({
    name: 'palaver_process_max_rss_bytes',
    help: 'Peak resident set size of the process since it started.',
    registers: [registry],
    collect() {
      this.set(process.resourceUsage().maxRSS * 1024);
    },
  });

  const namesSeen = new Set<string>();
  const operationLabel = (name: string | null) => {
    if (name === null) return 'anonymous';
    if (name === 'invalid') return name;
    if (!namesSeen.has(name)) {
      if (namesSeen.size >= MAX_OPERATIONS) return 'other';
      namesSeen.add(name);
    }
    return name;
  };

  // The labelled series, looked up once each: prom-client hashes the labels on every call otherwise.
  const counted = new Map<string, ReturnType<typeof requests.labels>>();
  const seriesOf = (operation: string, outcome: string) => {
    const key = `${operation} ${outcome}`;
    let series = counted.get(key);
    if (!series) counted.set(key, (series = requests.labels(operation, outcome)));
    return series;
  };
  const timed = new Map<string, ReturnType<typeof duration.labels>>();
  const latencyOf = (operation: string) => {
    let series = timed.get(operation);
    if (!series) timed.set(operation, (series = duration.labels(operation)));
    return series;
  };

  /** `listener`, measured: each request counted and timed when its response ends. */
  function measured(listener: RequestListener): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const started = process.hrtime.bigint();
      let done = false;
      inFlight.inc();
      const record = (outcome: string) => {
        if (done) return;
        done = true;
        inFlight.dec();
        const operation = operationLabel(operationOf(req));
        seriesOf(operation, outcome).inc();
        latencyOf(operation).observe(Number(process.hrtime.bigint() - started) / 1e9);
      };
      res.on('finish', () => record(res.statusCode < 400 ? 'ok' : res.statusCode < 500 ? 'client_error' : 'server_error'));
      res.on('close', () => record('aborted'));
      listener(req, res);
    };
  }

  return {
    measured,
    /** The exposition, as Prometheus scrapes it. */
    async expose(res: ServerResponse) {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text);
    },
  };
}

/** Each request's GraphQL operation name, as whoever read its parameters noted it. */
const operationNames = new WeakMap<IncomingMessage, string>();

/**
 * The request's GraphQL operation name, for the metrics and the access log: null without one,
 * `invalid` for a client's string that is no GraphQL name (or longer than 64 characters).
 */
export function operationOf(req: IncomingMessage): string | null {
  const name = operationNames.get(req);
  if (name === undefined || name === '') return null;
  return NAME.test(name) ? name : 'invalid';
}

/** Names the request's GraphQL operation for the metrics and the access log (the first name noted wins). */
export function noteOperation(req: IncomingMessage | undefined, name: unknown) {
  if (req && typeof name === 'string' && !operationNames.has(req)) operationNames.set(req, name);
}

/** The yoga plugin that names each request's operation for the metrics and the access log. */
export const useOperationNames = (): Plugin<object, { req?: IncomingMessage }> => ({
  onParams({ params, context }) {
    noteOperation(context.req, params.operationName);
  },
});
