import { getTypeBrand } from '@pothos/core';
import { sql, type SQL } from 'drizzle-orm';
import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { clientError } from './errors.js';
import type { Limits, MaxLength } from './limits.js';

/*
 * The comment budget: at most COMMENT_BUDGET comments in one response, counted as they are put in
 * it, on every path that answers a request. It is the run-time half of the limits: the static cost
 * (src/limits.ts) lets a walk down one post's reply tree cost the budget instead of the product of
 * its page sizes, and this is what makes that true.
 *
 * What counts: every comment a field puts in the response, each time it does. A page of a comment
 * list counts its comments once per page it is read for (with edges, or for its page info), a
 * comment-valued field (`parent`, `comment`, `node`…) its comment, a list (`ancestors`, `nodes`)
 * its comments. Comments a request already loaded count again when they appear again: repeats are
 * what re-entering the graph multiplies (a thread reached again from each of its comments).
 *
 * Both halves of the rule are here, side by side, and test/budget.test.ts holds them equal:
 * - in TypeScript, `CommentBudget`, one per request (context.ts), charged by the resolvers as they
 *   return comments (`chargeComments`, applied to the whole schema in src/schema/index.ts) and
 *   consulted by the loaders before a statement, so that none reads rows past what is left;
 * - in SQL, for the read engine's one statement: a counter in a transaction-local setting, started
 *   in the statement's FROM clause (`budgetStartSql`) and charged by each page and comment as
 *   Postgres builds them (`chargeSql`); the statement stops with SQLSTATE PB001 the moment it is
 *   spent (`palaver_comment_budget_exceeded`, drizzle/0008_comment_budget.sql), instead of building
 *   the rest of an oversized response first. The engine adds the counter only to statements whose
 *   static bound on comments (src/limits.ts) exceeds the budget: below it, the bound is the proof.
 * A spent budget refuses the whole request with LIMIT_EXCEEDED and no data (`useCommentBudget`).
 */

/** The refusal of a request past its comment budget. */
export const budgetExceeded = (max: number) =>
  clientError(
    'LIMIT_EXCEEDED',
    `This request would return more than ${max} comments; ask for smaller pages or fewer levels of replies.`,
    { limit: 'comments', max },
  );

/** A request's comment budget (TypeScript half). */
export class CommentBudget {
  private left: number;
  /** The refusal, once spent: every later charge throws it again, and the request answers with it alone. */
  exceeded: GraphQLError | null = null;

  constructor(readonly max: number) {
    this.left = max;
  }

  /** Comments the response may still hold. */
  get remaining(): number {
    return Math.max(this.left, 0);
  }

  /** Counts `comments` put in the response; throws LIMIT_EXCEEDED past the budget. */
  charge(comments: number): void {
    this.check();
    this.left -= comments;
    if (this.left < 0) throw (this.exceeded = budgetExceeded(this.max));
  }

  /** Throws LIMIT_EXCEEDED once the budget is spent (before starting more work). */
  check(): void {
    if (this.exceeded) throw this.exceeded;
  }

  /** Refuses at once (a statement found more comments than remain). */
  refuse(): never {
    throw (this.exceeded ??= budgetExceeded(this.max));
  }
}

// --- The same in SQL ---------------------------------------------------------------------

const SETTING = sql.raw(`'palaver.comment_budget'`);

/**
 * The FROM item that starts a statement's counter at `max`: a one-row subquery (OFFSET 0 keeps the
 * planner from pulling it up), read before the target list that charges it (its subqueries, even
 * uncorrelated ones, run when the projection needs them, after this row).
 */
export const budgetStartSql = (max: number) => sql`(select set_config(${SETTING}, ${sql.raw(`'${Math.trunc(max)}'`)}, true) offset 0) budget`;

/**
 * True, after counting `comments`; or the statement stops with SQLSTATE PB001 (set_config costs
 * ≈0.8 µs: 50,000 calls added 40 ms to a 170 ms aggregation here, so pages charge once each).
 */
export const chargeSql = (comments: SQL) =>
  sql`(set_config(${SETTING}, (current_setting(${SETTING})::int - ${comments})::text, true)::int >= 0 or palaver_comment_budget_exceeded((${comments})::int))`;

/** Whether a statement stopped because its counter was spent (chargeSql). */
export function isBudgetStop(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'PB001') return true;
  }
  return false;
}

// --- The resolvers' half: every field that puts comments in a response charges them ----------

/** What the charging needs of a request's context. */
interface BudgetContext {
  budget: CommentBudget;
  services: { config: { limits: Limits } };
}

/** How many comments a field's value puts in the response, or null for a field that puts none. */
type Counter = (value: unknown) => number;

const present = (value: unknown) => (value == null ? 0 : 1);
const items = (value: unknown) => (Array.isArray(value) ? value.filter((item) => item != null).length : present(value));
const brandedComments = (value: unknown) =>
  (Array.isArray(value) ? value : [value]).filter((item) => item != null && (getTypeBrand(item) as unknown) === 'Comment').length;
const pageItems = (value: unknown) => (value as { edges?: unknown[] } | null)?.edges?.length ?? 0;

/**
 * The comments a field returns, by its type: a comment or a list of comments; a connection of
 * comments its page (its edges' nodes are that page again, counted once, with the page); a Node
 * its comments (Pothos brands what `node`/`nodes` load with its type).
 */
function counterOf(field: GraphQLField<unknown, unknown>, edgeTypes: ReadonlySet<string>, parent: GraphQLObjectType): Counter | null {
  const named = getNamedType(field.type);
  if (named.name === 'Comment') return edgeTypes.has(parent.name) ? null : items;
  if (isObjectType(named) && edgeTypes.has(edgeTypeOf(named) ?? '') && getNamedType(nodeTypeOf(named)!).name === 'Comment') return pageItems;
  if (isInterfaceType(named) && named.name === 'Node') return brandedComments;
  return null;
}

/** A connection type's edge type, or null for anything else. */
function edgeTypeOf(type: GraphQLObjectType): string | null {
  const edges = type.getFields().edges;
  return edges ? getNamedType(edges.type).name : null;
}

function nodeTypeOf(connection: GraphQLObjectType): GraphQLOutputType | null {
  const edge = getNamedType(connection.getFields().edges!.type);
  return isObjectType(edge) ? (edge.getFields().node?.type ?? null) : null;
}

/**
 * Wraps every field of the schema that puts comments in a response so that it charges them to the
 * request's budget as it returns them, and every list field with a declared `maxLength` so that it
 * returns no more (src/limits.ts counts on both). Run once, on the built schema: a field added
 * later is covered by its type alone.
 */
export function chargeCommentsOnOutput(schema: GraphQLSchema): void {
  const types = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));
  const edgeTypes = new Set(types.map((type) => edgeTypeOf(type)).filter((name): name is string => name !== null));
  for (const type of types) {
    for (const field of Object.values(type.getFields())) {
      const count = counterOf(field, edgeTypes, type);
      const max = field.extensions.maxLength as MaxLength | undefined;
      if (!count && max === undefined) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const settle = (value: unknown, context: BudgetContext) => {
        let result = value;
        if (max !== undefined && Array.isArray(result)) {
          const length = typeof max === 'function' ? max(context.services.config.limits) : max;
          if (result.length > length) result = result.slice(0, length);
        }
        if (count) context.budget.charge(count(result));
        return result;
      };
      field.resolve = (source, args, context: BudgetContext, info) => {
        context.budget.check();
        const value = resolve(source, args, context, info);
        return isPromise(value) ? value.then((resolved) => settle(resolved, context)) : settle(value, context);
      };
    }
  }
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

/**
 * A request whose budget was spent answers with the refusal alone: no partial data, whichever
 * fields had finished before (the engine's statement stops itself: src/engine/index.ts).
 */
export function useCommentBudget(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const exceeded = (args.contextValue as Partial<BudgetContext>).budget?.exceeded;
          if (exceeded && !isAsyncIterable(result)) setResult({ data: null, errors: [exceeded] });
        },
      };
    },
  };
}
