import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values clients may rely on (DESIGN.md, "Choices already made"). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'DUPLICATE'
  | 'RATE_LIMITED'
  | 'LIMIT_EXCEEDED';

/** An expected failure, shown to the client as is (unexpected errors are masked in app.ts). */
export function clientError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Invalid input; `argument` names the offending argument or field. */
export function badInput(message: string, argument?: string) {
  return clientError('BAD_USER_INPUT', message, argument ? { argument } : {});
}
