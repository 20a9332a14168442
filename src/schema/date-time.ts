import { Kind } from 'graphql';
import { builder } from '../builder.js';
import { badInput } from '../errors.js';

function parse(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw badInput('DateTime must be an ISO-8601 string');
  return date;
}

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date and time in UTC, e.g. "2020-02-24T16:05:00.000Z".',
  serialize: (value) => value.toISOString(),
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : undefined),
});
