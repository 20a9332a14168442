import { builder } from '../builder.js';
import { ERROR_CODES } from '../errors.js';
import {
  ConflictError,
  DomainError,
  DuplicateError,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from '../domain/errors.js';

/*
 * Expected failures of mutations are results, not exceptions: each mutation's result is a union
 * of its success type and the errors below, all implementing `Error` with a stable `code`.
 * (Authentication and authorization failures are GraphQL errors with codes UNAUTHENTICATED and
 * FORBIDDEN, raised before a mutation runs.)
 */
/** The stable codes, as an enum so that generated clients can switch on them (the same as `extensions.code`). */
const ErrorCode = builder.enumType('ErrorCode', {
  description: 'What went wrong, for programs: the same codes as the `extensions.code` of GraphQL errors.',
  values: ERROR_CODES,
});

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure of a mutation. Nothing was changed.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'For people: what went wrong and what to do.' }),
    code: t.field({
      type: ErrorCode,
      description: 'For programs: which failure this is.',
      resolve: (error) => error.code,
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input field is invalid (code BAD_USER_INPUT).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'The input field at fault.' }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object does not exist, or not for you (code NOT_FOUND).',
  interfaces: [ErrorInterface],
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The action is not possible now, e.g. comments are closed (code FORBIDDEN).',
  interfaces: [ErrorInterface],
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'Someone changed the object first, or a unique value is taken (code CONFLICT).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: '"version" when someone saved first; else the field whose value is taken.' }),
    currentVersion: t.exposeInt('currentVersion', { nullable: true, description: 'The version to start again from.' }),
  }),
});

builder.objectType(DuplicateError, {
  name: 'DuplicateError',
  description: 'The same comment was already posted (code DUPLICATE).',
  interfaces: [ErrorInterface],
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too many comments too quickly (code RATE_LIMITED).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

builder.objectType(LimitExceededError, {
  name: 'LimitExceededError',
  description: 'A configured limit was reached (code LIMIT_EXCEEDED).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ limit: t.exposeInt('limit') }),
});
