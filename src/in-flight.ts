import { getOperationAST, print, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';

/*
 * In-flight reads. When a popular response expires (or is invalidated), every request that asks
 * for it before it is computed again would compute it again: under load, dozens of executions of
 * one deep thread at once, each with its statements, its objects and its share of the CPU (with
 * the response cache on, a deep thread fell from about 300 to 111 requests a second, p99 1.3 s,
 * whenever its entry expired). Here identical reads that arrive while one of them is executing
 * wait for that execution and share its outcome, data or errors alike.
 *
 * Identical means everything a result depends on is the same (`keyOf`): the document, the
 * operation name, the variables (guest tokens and IDs arrive there), the viewer's visibility
 * (the public, or one role of one author: `accessOf`, scope-auth and `viewer` derive from
 * nothing else), and freshness: a read never joins an execution that began before a write that
 * had completed when the read arrived (a mutation in this process, or an invalidation of the
 * response cache, which other processes move too through Redis). Mutations and subscriptions are
 * never shared, and neither is a request that already unlocked a comment before executing.
 *
 * The registry belongs to one app (two apps in one process may sit on two databases) and holds
 * an execution only while it runs: it is removed as soon as it settles, so a failure is shared
 * by those who waited for it and the next request executes afresh.
 */

type ExecuteFn = Parameters<NonNullable<Plugin['onExecute']>>[0]['executeFn'];
type ExecuteArgs = Parameters<ExecuteFn>[0];

export interface InFlightOptions {
  /**
   * What the response cache read for this request before it missed (its epoch, which every
   * invalidation moves on): a read only joins an execution that began in the same epoch.
   */
  epochOf?: (context: object) => unknown;
}

export class InFlightReads {
  private readonly running = new Map<string, Promise<unknown>>();
  /** Mutations completed in this process: executions that began before one are not joined after it. */
  private writes = 0;
  /** Reads executed (tests read these counters). */
  executions = 0;
  /** Reads that shared an execution in flight instead of executing. */
  shared = 0;
  /** Mutations that began executing (never shared). */
  mutations = 0;

  constructor(private readonly options: InFlightOptions = {}) {}

  /**
   * The key of a read: equal keys give equal results. Null for a request that must execute on
   * its own.
   */
  keyOf(args: ExecuteArgs): string | null {
    const context = args.contextValue as Context;
    if (context.unlockedComments.size > 0) return null;
    const visibility = context.viewer ? [context.viewer.role, context.viewer.author.id] : 'public';
    const freshness = [this.writes, this.options.epochOf?.(context) ?? null];
    return JSON.stringify([visibility, freshness, args.operationName ?? null, args.variableValues ?? null, documentText(args.document)]);
  }

  /**
   * `execute`'s outcome, or, when an execution with this key is in flight, that one's. Every
   * caller gets a result object of its own (see `own`); errors are shared as they are.
   */
  async share<T extends object>(key: string, execute: () => T | Promise<T>): Promise<T> {
    const running = this.running.get(key) as Promise<T> | undefined;
    if (running) {
      this.shared++;
      return own(await running);
    }
    this.executions++;
    let execution: Promise<T>;
    try {
      execution = Promise.resolve(execute());
    } catch (error) {
      execution = Promise.reject(error);
    }
    this.running.set(key, execution);
    // Forgotten before anyone sees the outcome: a request arriving after it executes afresh.
    const forget = () => {
      if (this.running.get(key) === execution) this.running.delete(key);
    };
    execution.then(forget, forget);
    return own(await execution);
  }

  /** A write completed: reads arriving from now on do not join executions that began before. */
  wrote(): void {
    this.writes++;
  }
}

// Printed once per document object (yoga caches parsed documents, and the response cache its
// documents with metadata fields), so that equal documents from different parses share too.
const texts = new WeakMap<DocumentNode, string>();
function documentText(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) texts.set(document, (text = print(document)));
  return text;
}

/**
 * An equal result object of its own for each request. The response cache replaces `data` on the
 * result it gets (with a copy of the tree without its metadata fields: nested objects are copied,
 * never changed), and other plugins replace the result with a new one: the top-level object is
 * all that anything downstream changes. Copied by property descriptors, so that a `data` parsed
 * lazily from Postgres's JSON (engine/index.ts) stays lazy; `errors` gets an array of its own.
 * Results are single ones: subscriptions never go through execute, and yoga serves no @defer/@stream.
 */
function own<T extends object>(result: T): T {
  const copy = Object.create(Object.getPrototypeOf(result), Object.getOwnPropertyDescriptors(result)) as T & { errors?: unknown };
  if (Array.isArray(copy.errors)) copy.errors = [...(copy.errors as unknown[])];
  return copy;
}

/**
 * `executeFn` with identical reads in flight sharing one execution (and mutations marking when
 * they completed). Composable: wrap whatever executes the request (graphql-js, the read engine).
 */
export function coalesced(executeFn: ExecuteFn, reads: InFlightReads): ExecuteFn {
  return (args) => {
    const operation = getOperationAST(args.document, args.operationName)?.operation;
    if (operation === 'mutation') {
      reads.mutations++;
      // Marked when it settles (failed ones too: they may have written something), before its
      // response goes out, so that the writer's next read is fresh.
      return Promise.resolve(executeFn(args)).finally(() => reads.wrote());
    }
    const key = operation === 'query' ? reads.keyOf(args) : null;
    if (key === null) return executeFn(args);
    // The execution runs with the first request's arguments (its context, its loaders): all that
    // differs in the others' is nothing a read's result depends on (the key says what does). (An
    // abort signal among them would cancel it for everyone; nothing passes one today.)
    return reads.share(key, () => executeFn(args) as Promise<object>) as ReturnType<ExecuteFn>;
  };
}

/**
 * The plugin: wraps the `execute` of the plugins registered before it, and is wrapped by those
 * after it (app.ts registers it inside the response cache, so that only misses reach it).
 */
export function useInFlightReads(reads: InFlightReads): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(coalesced(executeFn, reads));
    },
  };
}
