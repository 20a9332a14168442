import { sql, type SQL } from 'drizzle-orm';
import { Kind } from 'graphql';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';

function parse(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badInput('DateTime must be an ISO-8601 string');
  return date;
}

/** How the scalar serializes, in TypeScript (`serialize` below) and in SQL: ISO-8601, milliseconds, UTC. */
const serialize = (value: Date) => value.toISOString();
export const dateTimeSql = (value: SQL): SQL => sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time in UTC, e.g. "2020-02-24T16:05:00.000Z".',
  serialize,
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
});
