import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Config } from './config.js';
import { badInput, clientError } from './errors.js';

/*
 * Persisted operations: a client sends an operation's id instead of its text.
 * - Registered operations (PERSISTED_OPERATIONS_FILE): the JSON that relay-compiler's
 *   `persistConfig` writes (id → text) or an Apollo persisted query manifest
 *   (`operations: [{ id, body }]`). Relay sends the id as `doc_id` (yoga's own name, `documentId`,
 *   works too); Apollo's persisted-queries link sends it as below.
 * - Apollo's automatic persisted queries (APQ): `extensions.persistedQuery.sha256Hash`. A hash
 *   neither registered nor seen by this process yet is answered PERSISTED_QUERY_NOT_FOUND, and the
 *   link sends the operation again with its text, which must hash to it and is then remembered
 *   (per process, bounded: a miss after a restart or in another process costs one more round trip).
 * - PERSISTED_OPERATIONS=only: an anonymous request runs a registered operation or nothing (text,
 *   an unregistered id, or an APQ registration get FORBIDDEN). Token holders (editors in GraphiQL,
 *   scripts) may still send text: their token is checked before anything runs.
 * Everything else about the request (variables, limits, the caches) is as if the text was sent.
 */

type Params = { query?: unknown; extensions?: Record<string, unknown> | null } & Record<string, unknown>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Registered operations by id, from relay-compiler's map or an Apollo manifest. */
export function loadRegistered(file: string | undefined): Map<string, string> {
  if (!file) return new Map();
  const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (json && typeof json === 'object' && Array.isArray((json as { operations?: unknown }).operations)) {
    return new Map((json as { operations: { id: string; body: string }[] }).operations.map((op) => [op.id, op.body]));
  }
  if (!json || typeof json !== 'object') throw new Error(`${file}: expected a JSON object of id → operation text`);
  return new Map(Object.entries(json as Record<string, string>));
}

/**
 * The names of the operations in these texts (the registered ones): the metrics give each a label
 * of its own, beyond the places other names take (metrics.ts). By name rather than by id: the
 * name is what a dashboard reader knows an operation by, and ids (hashes) change with every edit
 * of its text. A text that does not parse names nothing (running it fails anyway).
 */
export function operationNamesIn(texts: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    try {
      for (const definition of parse(text, { noLocation: true }).definitions) {
        if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
      }
    } catch {
      // not GraphQL: no name
    }
  }
  return [...names];
}

/** The id a request names its operation by, if any: a registered id, or an APQ hash. */
function persistedId(params: Params, request: Request): { id: string; apq: boolean } | null {
  // Yoga reads only the standard parameters from a GET's URL.
  const search = request.method === 'GET' ? new URL(request.url).searchParams : null;
  const documentId = params.doc_id ?? params.documentId ?? search?.get('doc_id') ?? search?.get('documentId');
  if (typeof documentId === 'string') return { id: documentId, apq: false };
  const persisted = params.extensions?.persistedQuery as { sha256Hash?: unknown; version?: unknown } | undefined;
  if (persisted && typeof persisted.sha256Hash === 'string') return { id: persisted.sha256Hash, apq: true };
  return null;
}

/** The names yoga must let through beside query, variables, operationName and extensions. */
export const PERSISTED_PARAM_NAMES = ['doc_id', 'documentId'];

const notFound = () => clientError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
const registeredOnly = () =>
  clientError('FORBIDDEN', 'Only registered operations run here: send a persisted operation id (PERSISTED_OPERATIONS=only).', {
    http: { status: 403 },
  });

export function usePersistedOperations(
  config: Pick<Config, 'persistedOperations' | 'persistedOperationsFile'>,
  registered = loadRegistered(config.persistedOperationsFile),
): Plugin {
  const registeredTexts = new Set(registered.values());
  // Hashes Apollo's link registered here, with their text: at most 2,000 operations or 8 MB.
  const learned = new LRUCache<string, string>({ max: 2000, maxSize: 8 * 1024 * 1024, sizeCalculation: (text) => text.length || 1 });
  const only = config.persistedOperations === 'only';

  return {
    onParams({ params, setParams, request }) {
      const p = params as Params;
      const trusted = request.headers.has('authorization');
      const named = persistedId(p, request);
      const text = typeof p.query === 'string' ? p.query : null;
      if (named && text === null) {
        const found = registered.get(named.id) ?? (named.apq && !only ? learned.get(named.id) : undefined);
        if (found === undefined) throw named.apq && !only ? notFound() : only && !trusted ? registeredOnly() : badInput(`No registered operation has the id ${JSON.stringify(named.id.slice(0, 100))}.`, 'doc_id');
        setParams({ ...params, query: found });
        return;
      }
      if (only && !trusted && !(text !== null && registeredTexts.has(text))) throw registeredOnly();
      if (named?.apq && text !== null) {
        if (sha256(text) !== named.id) throw badInput('provided sha does not match query', 'extensions.persistedQuery.sha256Hash');
        learned.set(named.id, text);
      }
    },
  };
}
