/** "Sanders Is the Kremlin’s Second-Favorite Candidate" → "sanders-is-the-kremlins-second-favorite-candidate". */
export function slugify(text: string, maxLength = 80): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
}

export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * A free slug for `text`: its slug (or `fallback` when it has none), or the first free "-2",
 * "-3"… after it. `taken` lists the slugs in use that equal a base or extend it with "-…".
 */
export async function freeSlug(text: string, fallback: string, taken: (base: string) => Promise<readonly string[]>): Promise<string> {
  const base = slugify(text) || fallback;
  const used = new Set(await taken(base));
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}
