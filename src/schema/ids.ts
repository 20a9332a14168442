import type DataLoader from 'dataloader';
import { sql, type SQL } from 'drizzle-orm';
import { ValidationError } from '../domain/errors.js';
import { badInput } from '../errors.js';

/*
 * Global IDs are opaque to clients, as the Relay server spec wants: base64 of "Type:key".
 * Decoding is strict so that a malformed ID is a BAD_USER_INPUT error, never a crash or a
 * silent mismatch; a well-formed ID of a missing object simply resolves to null.
 */
const NODE_TYPES = new Set(['Author', 'Comment', 'Post', 'Tag']);

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

/** The same, in SQL, for an integer key (base64 wraps lines past 57 bytes: IDs are far shorter). */
export function globalIdSql(typename: string, key: SQL): SQL {
  return sql`encode(convert_to(${sql.raw(`'${typename}:'`)} || ${key}, 'UTF8'), 'base64')`;
}

export function decodeGlobalId(globalId: string, allowTokens = false, argument = 'id'): { typename: string; id: string } {
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(globalId) ? Buffer.from(globalId, 'base64').toString() : '';
  const match = /^([A-Za-z]+):([1-9][0-9]{0,9})$/.exec(decoded);
  const known = NODE_TYPES.has(match?.[1] ?? '') || (allowTokens && match?.[1] === 'ApiToken');
  if (!match || !known || Number(match[2]) > 2 ** 31 - 1) {
    throw badInput(`Invalid ID: ${JSON.stringify(globalId.slice(0, 100))}`, argument);
  }
  return { typename: match[1]!, id: match[2]! };
}

/** Node ids are integer keys. */
export const parseKey = (id: string) => Number(id);

/**
 * `node`/`nodes` load through the request's DataLoaders (Pothos's `loadManyWithoutCache`), which
 * are the request's one cache. With Pothos's own cache on top (`loadMany`), a second lookup of an
 * id in the same request got the first lookup's promise, whose row Pothos had not yet branded with
 * its type, and the Node interface could not resolve it. Rows are awaited here because Pothos
 * brands exactly what this returns: given promises, it would brand the promises.
 */
export function loadNodes<T>(loader: DataLoader<number, T>, ids: number[]): Promise<T[]> {
  return Promise.all(ids.map((id) => loader.load(id)));
}

/** The integer key of a global ID that must name a `typename`. */
export function keyOf(globalId: string, typename: string, argument = 'id'): number {
  const decoded = decodeGlobalId(globalId, typename === 'ApiToken', argument);
  if (decoded.typename !== typename) throw badInput(`\`${argument}\` must be a ${typename} ID`, argument);
  return Number(decoded.id);
}

/** Root lookups take exactly one of `id` and `slug`. */
/** A lookup's arguments, e.g. `{ id, slug }`: exactly one must be given. */
export function oneOf(args: Record<string, unknown>): void {
  const names = Object.keys(args);
  if (names.filter((name) => args[name] != null).length !== 1) {
    const list = names.map((name) => `\`${name}\``);
    throw badInput(`Pass exactly one of ${list.slice(0, -1).join(', ')} and ${list.at(-1)}`, names[0]!);
  }
}

/** keyOf for mutation input: a malformed ID is a typed ValidationError naming the field. */
export function inputKey(globalId: string, typename: string, field: string): number {
  try {
    return keyOf(globalId, typename, field);
  } catch {
    throw new ValidationError(field, `\`${field}\` must be a ${typename} ID.`);
  }
}

/** For permission checks, which run before the resolver: a malformed ID names nothing (0). */
export function keyOrNothing(globalId: string, typename: string): number {
  try {
    return keyOf(globalId, typename);
  } catch {
    return 0;
  }
}
