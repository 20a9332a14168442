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
export async function freeSlug(text: string, fallback: string, taken: (bases: readonly string[]) => Promise<readonly string[]>): Promise<string> {
  const [slug] = await freeSlugs([text], fallback, taken);
  return slug!;
}

/** Free slugs for several texts at once (an import's batch of posts): each as `freeSlug`, and none twice. */
export async function freeSlugs(
  texts: readonly string[],
  fallback: string,
  taken: (bases: readonly string[]) => Promise<readonly string[]>,
): Promise<string[]> {
  const bases = texts.map((text) => slugify(text) || fallback);
  const used = new Set(await taken([...new Set(bases)]));
  return bases.map((base) => {
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}
