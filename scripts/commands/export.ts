import { migrate } from '../../src/db/migrate.js';
import { exportWordPress } from '../../src/domain/import/wordpress-export.js';
import { fail, openConfiguredDatabase, parseArgsOrFail, usageError } from '../cli.js';

export const usage = `Usage: palaver export wordpress OUT.xml [--site-url URL] [--title TITLE]

Writes every author, post (with tags and statuses) and comment (with threads and statuses) of the
configured database (DATABASE_URL, or the embedded PGlite in PGLITE_DIR) to OUT.xml as a WordPress
export (WXR 1.2), for WordPress's importer (Tools → Import → WordPress) or palaver import wordpress.
In a checkout: npm run export:wordpress -- OUT.xml.

  --site-url   the site's address in the file: links and guids (default http://localhost:4000)
  --title      the site's title (default Palaver)

On the embedded database, stop the server first: one process at a time can open it.`;

/** `palaver export wordpress OUT.xml …` */
export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgsOrFail({
    args,
    allowPositionals: true,
    options: { 'site-url': { type: 'string', default: 'http://localhost:4000' }, title: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }, 'export');
  if (values.help) fail(usage, 0);
  const [format, file, ...extra] = positionals;
  if (format !== 'wordpress') usageError('export', format ? `unknown format "${format}": only wordpress` : 'say what to export: wordpress');
  if (!file || extra.length > 0) usageError('export', 'give exactly one file to write');

  const database = openConfiguredDatabase('Stop it first, then export.');
  try {
    await migrate(database);
    const counts = await exportWordPress(database.db, file!, { siteUrl: values['site-url']!, title: values.title });
    console.log(`Exported ${counts.authors} authors, ${counts.posts} posts and ${counts.comments} comments to ${file}.`);
  } finally {
    await database.close();
  }
}
