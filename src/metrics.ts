import { getOperationAST, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * Metrics in Prometheus's text format (METRICS=true, GET /metrics; METRICS_PORT serves them on a
 * port of their own so that they need not be public). Node's defaults (CPU, memory, event-loop
 * lag, GC, handles) under their usual names, and Palaver's own:
 * - palaver_requests_total{operation, outcome} and palaver_request_duration_seconds{operation}:
 *   every HTTP request, by the GraphQL operation it ran and outcome (from the status: ok,
 *   client_error, server_error; aborted when the client left first). See `operationLabel`: only
 *   an operation that ran is named, so that requests yoga refused (a name no operation has, a
 *   document that does not parse or validate) cannot spend the label set;
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
// Request keys whose operation a repeat answered past yoga is labelled by (see `ranByKey`).
const MAX_KEYS = 10_000;

export interface MetricOptions {
  /**
   * The names of the registered operations (PERSISTED_OPERATIONS_FILE): each always gets its own
   * label, however many other names came first.
   */
  registeredOperations?: Iterable<string>;
}

export function createMetrics(sources: MetricSources, { registeredOperations = [] }: MetricOptions = {}) {
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

  const registered = new Set(registeredOperations);
  const namesSeen = new Set<string>();
  // What each request key ran when yoga answered it, for its repeats that a shortcut answers past
  // yoga (shortcuts.ts): the same request, so the same operation. A repeat refreshes its key; a
  // key gone from here (10,000 other keys since) leaves its repeats unnamed, as `none`.
  const ranByKey = new LRUCache<string, string>({ max: MAX_KEYS });

  /**
   * The label of a request: the name of the operation it ran (`anonymous` for an operation without
   * one), or `none` when it ran none (refused by yoga before running anything: unparsable, invalid,
   * an operationName that names no operation of the document, over a limit; or no GraphQL request
   * at all: /health, GraphiQL's files). Registered operations' names are always labels; other names
   * take the first 500 places, then count as `other` until restart. A name any client may send is
   * only counted once an operation of that name ran, so refused requests never take a place.
   */
  const operationLabel = (req: IncomingMessage) => {
    let name = ran.get(req);
    const key = requestKeys.get(req);
    if (key !== undefined) {
      if (name !== undefined) ranByKey.set(key, name);
      else name = ranByKey.get(key);
    }
    if (name === undefined) return 'none';
    if (name === '') return 'anonymous';
    if (registered.has(name)) return name;
    if (!NAME.test(name)) return 'other';
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
        const operation = operationLabel(req);
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

/** Each request's GraphQL operation name as the client sent it (operationName), as whoever read its parameters noted it. */
const operationNames = new WeakMap<IncomingMessage, string>();
/** The operation each request ran, by name ('' for one without a name): what the metrics label. */
const ran = new WeakMap<IncomingMessage, string>();
/** The key a shortcut knows each request by (shortcuts.ts), for the metrics to name its repeats. */
const requestKeys = new WeakMap<IncomingMessage, string>();

/**
 * The GraphQL operation name the request sent, for the access log and the error log (the metrics
 * label what ran instead: `operationLabel`): null without one, `invalid` for a client's string that
 * is no GraphQL name (or longer than 64 characters).
 */
export function operationOf(req: IncomingMessage): string | null {
  const name = operationNames.get(req);
  if (name === undefined || name === '') return null;
  return NAME.test(name) ? name : 'invalid';
}

/** Notes the operation name a request sent, for the access log (the first name noted wins). */
export function noteOperation(req: IncomingMessage | undefined, name: unknown) {
  if (req && typeof name === 'string' && !operationNames.has(req)) operationNames.set(req, name);
}

/** The key a shortcut knows this request by (shortcuts.ts): its repeats ran what it ran. */
export function noteRequestKey(req: IncomingMessage, key: string) {
  requestKeys.set(req, key);
}

/** The yoga plugin that notes the operation name each request sent, for the access log. */
export const useOperationNames = (): Plugin<object, { req?: IncomingMessage }> => ({
  onParams({ params, context }) {
    noteOperation(context.req, params.operationName);
  },
});

/** Notes the operation a request is about to run; none when `operationName` names none of the document's. */
function noteRan(args: ExecutionArgs) {
  const req = (args.contextValue as { req?: IncomingMessage } | undefined)?.req;
  const operation = req && getOperationAST(args.document, args.operationName);
  if (operation) ran.set(req, operation.name?.value ?? '');
}

/**
 * The yoga plugin that notes the operation each request runs, for the metrics' labels. After the
 * plugins that refuse a request before it runs (the limits): what they refuse ran nothing.
 */
export const useOperationsRun = (): Plugin => ({
  onExecute({ args }) {
    noteRan(args);
  },
  onSubscribe({ args }) {
    noteRan(args);
  },
});
