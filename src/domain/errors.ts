import type { ErrorCode } from '../errors.js';

/*
 * Expected failures of the domain. Mutations list the ones they can raise, and the GraphQL layer
 * returns them as typed results (src/schema/error.ts) instead of throwing them at the client.
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
}

/** Invalid input; `field` names the input field at fault. */
export class ValidationError extends DomainError {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
}

/** The object changed since the caller read it (field "version"), or a unique value is taken. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
  constructor(
    message: string,
    readonly field: string,
    readonly currentVersion: number | null = null,
  ) {
    super(message);
  }
}

export class DuplicateError extends DomainError {
  readonly code = 'DUPLICATE' as const;
}

export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class LimitExceededError extends DomainError {
  readonly code = 'LIMIT_EXCEEDED' as const;
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}
