import type { SQL } from 'drizzle-orm';
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type ExecutionArgs, type FragmentDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { budgetExceeded, isBudgetStop } from '../budget.js';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { queryJson, renderStatement, type Db, type Statement } from '../db/client.js';
import type { Logger } from '../logger.js';
import { schema } from '../schema/index.js';
import { isSingleJsonResponse, keyedRequest, type Shortcut } from '../shortcuts.js';
import { measureOf } from '../limits.js';
import { NotCompiled, planRead, type CompiledRead, type PlanOptions, type Viewer } from './plan.js';

/*
 * The read engine: every query it can answer exactly as the resolvers would (plan.ts says which,
 * from the declarations beside each field) is one SQL statement that builds the response's `data`
 * as JSON in Postgres, for the public and for token holders alike (their visibility is part of
 * the statement). Everything else (mutations, `viewer`, `ownComment`, the moderation queue, an
 * argument the resolvers refuse, a field the viewer may not read) runs through the resolvers,
 * which are also the reference the engine is tested against (test/engine.test.ts), and which
 * `createApp({ engine: 'reference' })` uses for everything.
 *
 * It replaces `execute`, so it runs after validation and the limits, and inside the response
 * cache, whose `__typename`/`id` fields it answers like any other selection.
 */

type Variables = Record<string, unknown>;

/** JSON text as the driver hands it over (see queryJson). */
export type JsonText = Buffer | string;

/** The request's viewer as the planner needs it: visibility, and the scope-auth rules of builder.ts. */
export function viewerOf(context: Pick<Context, 'access' | 'viewer' | 'loaders'>): Viewer {
  const rules = builder.options.scopeAuth!.authScopes(context as Context) as Record<string, unknown>;
  return {
    access: context.access,
    meets: (scopes) =>
      Object.entries(scopes).some(([name, parameter]) => {
        const rule = rules[name];
        if (typeof rule === 'function') {
          const met = (rule as (parameter: unknown) => unknown)(parameter);
          // A rule that must load something (editPost…) is the resolvers' to apply.
          if (met instanceof Promise) throw new NotCompiled('an asynchronous scope');
          return met === true;
        }
        return rule === parameter;
      }),
  };
}

/** The compiled form of a request, or null when the resolvers must answer it. */
export function compile(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables,
  viewer: Viewer,
  options: PlanOptions,
): CompiledRead | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  try {
    return planRead(schema, fragments, operation, variables, viewer, options);
  } catch (error) {
    if (error instanceof NotCompiled) return null;
    throw error;
  }
}

/**
 * How a request's statement is planned: it counts its own comments only when the static bound on
 * them (src/limits.ts, measured before execution) is past the budget; otherwise that bound is the
 * proof that the response fits.
 */
export function planOptions(context: Context): PlanOptions {
  const { limits } = context.services.config;
  const comments = measureOf(context)?.comments ?? Number.POSITIVE_INFINITY;
  return { limits, countComments: comments > limits.commentBudget ? limits.commentBudget : null };
}

/**
 * Runs a compiled read: the response body in pieces (Postgres's JSON among them, as the driver
 * handed it over), or the comment budget's refusal when the statement stopped for it.
 */
async function run(db: Db, query: SQL | Statement, budget: number): Promise<JsonText[] | GraphQLError> {
  try {
    const json = (await queryJson(db, query)) ?? 'null';
    return ['{"data":', json, '}'];
  } catch (error) {
    if (isBudgetStop(error)) return budgetExceeded(budget);
    throw error;
  }
}

const bodyText = (body: JsonText[]) => body.map((piece) => piece.toString()).join('');

/**
 * Compiled plans, a shortcut past yoga (see shortcuts.ts): for a request that yoga answered with
 * a compiled read, what it ran and the headers it sent, so that a byte-identical repeat runs the
 * same statement for fresh data without parsing, validating or executing anything. A plan
 * depends only on the request's bytes, never on the data, so it stays right as the data changes.
 */
export class CompiledPlans implements Shortcut {
  readonly kind = 'plan';
  private readonly plans: LRUCache<string, Plan>;
  /** Requests answered from a plan, and those of them that joined a run in flight (tests read them). */
  served = 0;
  joined = 0;

  constructor(
    private readonly db: Db,
    private readonly budget: number,
    private readonly logger: Logger,
    capBytes = PLAN_BYTES,
  ) {
    this.plans = new LRUCache({ maxSize: capBytes, maxEntrySize: capBytes / 8, sizeCalculation: (plan, key) => planSize(key, plan) });
  }

  async answer(key: string, res: ServerResponse): Promise<boolean> {
    const plan = this.plans.get(key);
    if (!plan) return false;
    let body: JsonText[] | GraphQLError;
    try {
      body = await this.runOnce(key, plan.compiled);
    } catch (error) {
      this.logger.warn('A compiled read failed; answering it through yoga:', error);
      return false;
    }
    // Past its comment budget now (the thread grew): yoga answers with the refusal.
    if (!Array.isArray(body)) return false;
    this.served++;
    const length = body.reduce((sum, piece) => sum + Buffer.byteLength(piece), 0);
    res.writeHead(200, { ...plan.headers, 'content-length': length });
    // Corked: the pieces leave in one write. Uncorked before end(), never by it: when the response
    // is compressed, end() waits for the compressor, which waits for the socket to drain, which a
    // corked socket never did (a megabyte thread asked twice with Accept-Encoding hung forever).
    res.cork();
    for (const piece of body) res.write(piece);
    res.uncork();
    res.end();
    return true;
  }

  /**
   * Identical requests in flight share one run of the statement (and its bytes, which are only
   * read): when a popular page is asked by many at once, Postgres answers it once. The entry goes
   * as the run settles, so a request arriving after that runs afresh.
   */
  private runOnce(key: string, compiled: PlannedRead): Promise<JsonText[] | GraphQLError> {
    let running = this.running.get(key);
    if (running) this.joined++;
    else {
      running = run(this.db, compiled.query, this.budget).finally(() => this.running.delete(key));
      this.running.set(key, running);
    }
    return running;
  }

  private readonly running = new Map<string, Promise<JsonText[] | GraphQLError>>();

  remember(key: string, { query }: CompiledRead, headers: OutgoingHttpHeaders) {
    const { 'content-length': _length, ...rest } = headers;
    this.plans.set(key, { compiled: { query: renderStatement(query) }, headers: rest });
  }

  /** Bytes held now (tests read it). */
  get size(): number {
    return this.plans.calculatedSize;
  }
}

/**
 * A compiled read as a plan keeps it: its statement as text. Drizzle's statement object holds its
 * pieces, ≈150 KB for a Relay post page (a heap snapshot: 200 such plans kept 31 MB alive, their
 * text 1 MB).
 */
interface PlannedRead {
  query: Statement;
}

interface Plan {
  compiled: PlannedRead;
  headers: OutgoingHttpHeaders;
}

/** Plans take at most this much memory per process (the least recently used go first). */
export const PLAN_BYTES = 16 * 1024 * 1024;

/** What a plan keeps alive, about: its statement's text and parameters, key and headers. */
function planSize(key: string, { compiled, headers }: Plan): number {
  const { sql, params } = compiled.query;
  let size = sql.length + JSON.stringify(params).length + key.length + 500;
  for (const [name, value] of Object.entries(headers)) size += name.length + String(value).length;
  return size;
}

/**
 * A large response, for the response cache: its data, and the objects it names (what a write that
 * changes one of them must drop). Envelop's response cache walks every object of a response it
 * may store, cloning it to remove the fields it added to the document (`__responseCacheTypeName`,
 * `__responseCacheId`) and collecting each object's type and id (removeMetadataFieldsFromResult),
 * ≈35 µs an object here: Relay's deep thread (25,000 objects, 1.4 MB) held the event loop ≈0.9 s
 * (1,046 ms a request with the cache, 122 ms without, most of that Postgres's). Past
 * LARGE_RESPONSE_BYTES, the engine does both as it parses the text instead (a JSON.parse reviver:
 * ≈50 ms for that thread), and hands over data whose root is no plain object, where the walk
 * stops; src/cache.ts stores it under the objects collected here.
 */
export class LargeResponseData {
  /** Every object of the response with a type and an id (the ones the walk would have named). */
  static entities = new WeakMap<LargeResponseData, { typename: string; id: string }[]>();
}
export const LARGE_RESPONSE_BYTES = 128 * 1024;

function largeResponseData(text: string): Record<string, unknown> {
  const typenames = new Map<object, unknown>();
  const ids = new Map<object, unknown>();
  const entities: { typename: string; id: string }[] = [];
  // Called for each member once its own members are done: an object's cache fields come first.
  const { data } = JSON.parse(text, function (this: object, key: string, value: unknown) {
    if (key === '__responseCacheTypeName') return void typenames.set(this, value);
    if (key === '__responseCacheId') return void ids.set(this, value);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const fields = value as { __typename?: unknown; id?: unknown };
      const typename = typenames.get(value) ?? fields.__typename;
      const id = ids.get(value) ?? fields.id;
      if (typeof typename === 'string' && (typeof id === 'string' || typeof id === 'number')) entities.push({ typename, id: String(id) });
    }
    return value;
  }) as { data: Record<string, unknown> };
  const large = Object.assign(new LargeResponseData(), data);
  LargeResponseData.entities.set(large, entities);
  return large;
}

/**
 * The plugin. `plans`: answer with Postgres's JSON text as it is (instead of serializing `data`
 * again) and record plans for repeats. Only without the response cache, which must see every
 * response's `data` (and would keep the text alive with it).
 */
export function useReadEngine(plans: CompiledPlans | null): Plugin<Context> {
  // Requests that a compiled read answered, by their Node request, to record their plans.
  const answered = new WeakMap<object, CompiledRead>();
  return {
    onExecute({ setExecuteFn, executeFn }) {
      setExecuteFn(async (args: ExecutionArgs) => {
        const context = args.contextValue as Context;
        const options = planOptions(context);
        const compiled = compile(args.document, args.operationName, (args.variableValues ?? {}) as Variables, viewerOf(context), options);
        if (!compiled) return executeFn(args);
        let body: JsonText[] | GraphQLError;
        try {
          body = await run(context.db, compiled.query, context.services.config.limits.commentBudget);
        } catch (error) {
          // The resolvers answer it (a field error, masked, logged) as for any other read.
          context.services.logger.warn('A compiled read failed; answering it through the resolvers:', error);
          return executeFn(args);
        }
        // The statement stopped at the comment budget: refused as a whole, as the resolvers would.
        if (!Array.isArray(body)) return { data: null, errors: [body] };
        const text = bodyText(body);
        const parse = () => (JSON.parse(text) as { data: Record<string, unknown> }).data;
        if (!plans) return { data: text.length > LARGE_RESPONSE_BYTES ? largeResponseData(text) : parse() };
        const keyed = keyedRequest(args.contextValue as object);
        if (keyed) answered.set(keyed.req, compiled);
        // `data` is parsed only if something asks for it; the response is the text itself.
        let data: Record<string, unknown> | undefined;
        return {
          get data() {
            return (data ??= parse());
          },
          // Unless a plugin added errors or extensions, which the text does not hold.
          stringify: (result: { errors?: unknown; extensions?: unknown }) =>
            result.errors === undefined && result.extensions === undefined ? text : JSON.stringify(result),
        };
      });
    },
    onResponse({ response, serverContext }) {
      const keyed = keyedRequest(serverContext);
      const compiled = keyed && answered.get(keyed.req);
      if (plans && compiled && isSingleJsonResponse(response)) plans.remember(keyed.key, compiled, Object.fromEntries(response.headers));
    },
  };
}
