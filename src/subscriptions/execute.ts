import {
  createSourceEventStream,
  execute,
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { CommentBudget } from '../budget.js';
import type { Context } from '../context.js';

/*
 * One execution per event for every subscriber that sees the same thing.
 *
 * GraphQL executes a subscription's selection once per event and per subscriber. With 2,000
 * anonymous subscribers of a post, that was 2,000 identical executions (and serializations) of
 * each event: a CPU profile of the fan-out put ≈18% of the API's time in the executor and ≈28%
 * in the garbage collector, most of it this (bench/README.md, "Subscriptions").
 *
 * The stream (stream.ts) hands every subscriber of one access the very same event object for the
 * same batch (`Subscriptions.view`): the public all share one; a token holder shares only with
 * streams of the same token; a subscriber with a guest token never shares. So an event object
 * is the privacy boundary, and the execution is shared by object identity: the first subscriber
 * that takes an event executes it, the others with the same document, operation name and
 * variables get the same result object (which sse.ts then serializes once). Anything else
 * (another document, other variables, another event object) executes on its own, as before.
 * A shared execution runs with the context of the subscriber that took the event first. The
 * others' contexts hold the same viewer and differ in their request (its id, in the log line of an
 * error), their client address and their own loaders: nothing a result depends on today. A field
 * whose value came to depend on those would have to be left out of sharing.
 *
 * This is GraphQL's own subscribe in its two halves (graphql-js: `createSourceEventStream`, then
 * `execute` with the event as root value, as its `subscribe` does), with the second shared. A
 * request whose variables are refused goes to yoga's subscribe, which answers it as it always
 * did (400, BAD_USER_INPUT) before anything opens.
 */

/** The executions of one event object, by request (document, operation name, variables). */
const executions = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();
/** A number per parsed document: yoga parses a query text once and hands out the same document. */
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

function requestKey(args: ExecutionArgs): string {
  let id = documentIds.get(args.document);
  if (id === undefined) documentIds.set(args.document, (id = ++nextDocumentId));
  return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
}

/** Executes `event` for this request, or hands back the execution of an identical request. */
function executeEvent(args: ExecutionArgs, key: string, event: unknown, counter: Counter): Promise<ExecutionResult> {
  if (typeof event !== 'object' || event === null) return runEvent(args, event, counter);
  let byRequest = executions.get(event);
  if (!byRequest) executions.set(event, (byRequest = new Map()));
  let run = byRequest.get(key);
  if (!run) byRequest.set(key, (run = runEvent(args, event, counter)));
  return run;
}

/**
 * Each event is a response of its own, with its own comment budget (src/budget.ts): a stream's
 * events run one after another, so the context's budget is the running event's. Past it, the
 * event is the refusal alone, for every subscriber sharing it.
 */
async function runEvent(args: ExecutionArgs, event: unknown, counter: Counter): Promise<ExecutionResult> {
  counter.executed++;
  const context = args.contextValue as Context;
  context.budget = new CommentBudget(context.services.config.limits.commentBudget);
  const result = await execute({ ...args, rootValue: event });
  return context.budget.exceeded ? { data: null, errors: [context.budget.exceeded] } : result;
}

type Subscribe = (args: ExecutionArgs) => unknown;
/** Where the executions actually run are counted (Subscriptions.executed). */
type Counter = { executed: number };

async function subscribeSharing(args: ExecutionArgs, original: Subscribe, counter: Counter) {
  // Unusable variables: the original answers with its errors (400, BAD_USER_INPUT), opening nothing.
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation || 'errors' in getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {})) return original(args);
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  return new EventResults(source as AsyncIterableIterator<unknown>, args, requestKey(args), counter);
}

/**
 * The source's events as results. A class, its methods on the prototype, rather than
 * mapAsyncIterator's closures and promise layers: each open stream holds one for as long as it
 * is open, mostly idle (0.6 KB less per stream in a heap snapshot of 1,000 idle subscribers).
 */
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

class EventResults implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly source: AsyncIterableIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly key: string,
    private readonly counter: Counter,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.source.next().then((item) => (item.done ? DONE : this.result(item.value)));
  }

  private async result(event: unknown): Promise<IteratorResult<ExecutionResult>> {
    return { done: false, value: await executeEvent(this.args, this.key, event, this.counter) };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.source.return?.();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

export function useSharedEventExecution(counter: Counter): Plugin {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(((args: ExecutionArgs) => subscribeSharing(args, subscribeFn as Subscribe, counter)) as never);
    },
  };
}
