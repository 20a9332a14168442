import type { Changes } from './cache.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { tokenByHash } from './db/queries/tokens.js';
import { CommentBudget } from './budget.js';
import type { Akismet } from './domain/akismet.js';
import type { ClientInfo } from './domain/client.js';
import { accessOf, type Access, type Viewer } from './domain/roles.js';
import { hashSecret } from './domain/tokens.js';
import { clientError } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Logger } from './logger.js';
import type { ThreadEventBus } from './subscriptions/bus.js';
import type { Subscriptions } from './subscriptions/stream.js';

/** Built once per process (app.ts) and shared by every request. */
export interface Services {
  db: Db;
  /** Tells the response cache what a write changed. */
  changes: Changes;
  config: Config;
  logger: Logger;
  akismet: Akismet | null;
  clientIp: (peer: string | null | undefined, forwardedFor: string | null) => string | null;
  /** Announces committed thread events, and hears other processes' (src/subscriptions/bus.ts). */
  threadEvents: ThreadEventBus;
  /** The open `threadEvents` streams of this process, with their caps. */
  subscriptions: Subscriptions;
}

export interface Context {
  /** The request's id (X-Request-Id), which its log lines carry (src/access-log.ts). */
  requestId: string;
  db: Db;
  services: Services;
  /** The token holder making the request, or null for the public. */
  viewer: Viewer | null;
  access: Access;
  client: ClientInfo;
  /** Fresh for every request: a DataLoader's cache must never outlive the request it served. */
  loaders: Loaders;
  /** The comments the response may still hold (src/budget.ts); a subscription's, per event. */
  budget: CommentBudget;
  /** Comments whose guest token this request presented: their poster may read them. */
  unlockedComments: Set<number>;
}

const unauthenticated = (message: string) =>
  clientError('UNAUTHENTICATED', message, { http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });

/** Who is calling: no Authorization header is the public; a bad or revoked token is refused. */
async function authenticate(db: Db, header: string | null): Promise<Viewer | null> {
  if (header === null || header.trim() === '') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('Send the token as "Authorization: Bearer <token>".');
  const found = await tokenByHash(db, hashSecret(match[1]!));
  if (!found) throw unauthenticated('This token is not valid (revoked, or never issued).');
  return { tokenId: found.token.id, role: found.token.role, author: found.author };
}

export async function createContext(services: Services, request: Request, peer: string | null | undefined, requestId: string): Promise<Context> {
  const viewer = await authenticate(services.db, request.headers.get('authorization'));
  const access = accessOf(viewer);
  const context: Context = {
    requestId,
    db: services.db,
    services,
    viewer,
    access,
    client: {
      ip: services.clientIp(peer, request.headers.get('x-forwarded-for')),
      userAgent: request.headers.get('user-agent'),
      referrer: request.headers.get('referer'),
    },
    loaders: createLoaders(services.db, access, () => context.budget),
    budget: new CommentBudget(services.config.limits.commentBudget),
    unlockedComments: new Set(),
  };
  return context;
}
