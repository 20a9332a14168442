import { isUniqueViolation, type Db } from '../db/client.js';
import { authorsByIds, firstAdmin, insertAuthor, updateAuthor, type AuthorValues } from '../db/queries/authors.js';
import { anyTokenEver, insertToken, listTokens, revokeToken } from '../db/queries/tokens.js';
import type { AuthorRow, Role } from '../db/schema.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { SLUG, slugify } from './slug.js';
import { hashSecret, newSecret } from './tokens.js';

/* Admins' writes: authors and their API tokens. */

export interface AuthorInput {
  slug?: string | null;
  name?: string | null;
  bio?: string | null;
  avatarUrl?: string | null;
  website?: string | null;
  role?: Role | null;
}

function httpUrl(field: string, value: string | null | undefined): string | null | undefined {
  if (value == null || value === '') return value === '' ? null : value;
  try {
    if (['http:', 'https:'].includes(new URL(value).protocol) && value.length <= 500) return value;
  } catch {
    // reported below
  }
  throw new ValidationError(field, `${field} must be an http(s) URL of at most 500 characters.`);
}

function validate(input: AuthorInput, creating: boolean): Partial<AuthorValues> {
  const patch: Partial<AuthorValues> = {};
  if (input.name != null || creating) {
    const name = input.name?.trim() ?? '';
    if (!name || name.length > 200) throw new ValidationError('name', 'A name of 1 to 200 characters is required.');
    patch.name = name;
  }
  if (input.slug != null || creating) {
    const slug = input.slug ?? slugify(patch.name ?? '');
    if (!SLUG.test(slug) || slug.length > 100) throw new ValidationError('slug', 'A slug is lower-case words joined by hyphens.');
    patch.slug = slug;
  }
  if (input.bio !== undefined) patch.bio = input.bio?.slice(0, 5000) ?? null;
  const avatarUrl = httpUrl('avatarUrl', input.avatarUrl);
  if (avatarUrl !== undefined) patch.avatarUrl = avatarUrl;
  const website = httpUrl('website', input.website);
  if (website !== undefined) patch.website = website;
  if (input.role != null) patch.role = input.role;
  return patch;
}

const slugTaken = (slug: string) => new ConflictError(`The slug "${slug}" is taken by another author.`, 'slug');

export async function createAuthor(db: Db, input: AuthorInput): Promise<AuthorRow> {
  const { slug, name, ...rest } = validate(input, true);
  const values: AuthorValues = { slug: slug!, name: name!, bio: null, avatarUrl: null, website: null, role: 'author' };
  const author = await insertAuthor(db, Object.assign(values, rest));
  if (!author) throw slugTaken(values.slug);
  return author;
}

export async function editAuthor(db: Db, id: number, input: AuthorInput): Promise<AuthorRow> {
  const patch = validate(input, false);
  try {
    const author = await updateAuthor(db, id, patch);
    if (!author) throw new NotFoundError('There is no such author.');
    return author;
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(patch.slug!);
    throw error;
  }
}

/** A new API token for an author; the token itself is returned here and never again. */
export async function createToken(db: Db, input: { authorId: number; role: Role; name?: string | null }) {
  const [author] = await authorsByIds(db, [input.authorId]);
  if (!author) throw new ValidationError('authorId', 'There is no such author.');
  const token = newSecret('pal');
  const name = input.name?.trim() || `${author.slug} (${input.role})`;
  const row = await insertToken(db, { authorId: author.id, role: input.role, name, tokenHash: hashSecret(token) });
  return { token, apiToken: row, author };
}

/**
 * The way into a database that never had a token (live or revoked): an admin token for its oldest
 * admin author (the demo's, when seeded), or for a new author "Admin" when it has none (an empty
 * production database). Null once any token was made, so it is handed out once. The caller
 * serializes it (database.exclusive): of processes starting together, only one may make it.
 */
export async function createFirstAdminToken(db: Db) {
  if (await anyTokenEver(db)) return null;
  return db.transaction(async (tx) => {
    const existing = await firstAdmin(tx);
    const author = existing ?? (await createAdminAuthor(tx));
    const created = await createToken(tx, { authorId: author.id, role: 'admin', name: 'first start' });
    return { ...created, newAuthor: !existing };
  });
}

/** An author "Admin" (slug `admin`, or `admin-2`… when an imported author has it), to rename at will. */
async function createAdminAuthor(db: Db): Promise<AuthorRow> {
  for (let n = 1; ; n++) {
    const values = { slug: n === 1 ? 'admin' : `admin-${n}`, name: 'Admin', bio: null, avatarUrl: null, website: null, role: 'admin' as const };
    const author = await insertAuthor(db, values);
    if (author) return author;
  }
}

export async function revoke(db: Db, id: number) {
  if (!(await revokeToken(db, id))) throw new NotFoundError('There is no such live token.');
  return (await listTokens(db)).find((token) => token.id === id)!;
}

export { listTokens };
