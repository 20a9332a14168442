import { migrate } from '../../src/db/migrate.js';
import { analyze } from '../../src/db/queries/import.js';
import { importDisqus, type DisqusMatch } from '../../src/domain/import/disqus.js';
import type { ImportReport } from '../../src/domain/import/report.js';
import { importWordPress } from '../../src/domain/import/wordpress.js';
import { XmlSyntaxError, XmlTooDeepError } from '../../src/domain/import/xml-stream.js';
import { progressBar } from '../progress.js';
import { describeError, fail, openConfiguredDatabase, parseArgsOrFail, usageError } from '../cli.js';

export const usage = `Usage:
  palaver import wordpress FILE.xml [--dry-run] [--json]
  palaver import disqus FILE.xml [--match link|identifier] [--dry-run] [--json]

Imports a WordPress export (WXR) or a Disqus export into the configured database (DATABASE_URL,
or the embedded PGlite in PGLITE_DIR), in one transaction: a malformed file or any error leaves
the database as it was. Importing the same file again changes nothing; a newer export updates
what changed and adds what is new. In a checkout: npm run import:wordpress -- FILE.xml, or
npm run import:disqus -- FILE.xml.

  --dry-run   read and check everything, write nothing, print the report
  --match     Disqus: match threads to posts by their link (default) or their identifier
  --json      print the report as JSON on stdout (the progress bar stays on stderr)

On the embedded database, stop the server first: one process at a time can open it.`;

/** `palaver import wordpress|disqus FILE.xml …` */
export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parseArgsOrFail({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      match: { type: 'string', default: 'link' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }, 'import');
  if (values.help) fail(usage, 0);
  const [source, file, ...extra] = positionals;
  if (source !== 'wordpress' && source !== 'disqus') usageError('import', source ? `unknown source "${source}": wordpress or disqus` : 'say what to import: wordpress or disqus');
  if (!file || extra.length > 0) usageError('import', 'give exactly one file to import');
  if (!['link', 'identifier'].includes(values.match!)) usageError('import', '--match must be link or identifier');

  const database = openConfiguredDatabase('Stop it first, then import.');
  const started = performance.now();
  const bar = progressBar();
  const progress = (bytes: number, total: number) => bar('reading', Math.round(bytes / 1024), Math.round(total / 1024));
  let report: ImportReport | undefined;
  try {
    await migrate(database);
    const options = { dryRun: values['dry-run'], progress };
    report =
      source === 'wordpress'
        ? await importWordPress(database.db, file!, options)
        : await importDisqus(database.db, file!, { ...options, match: values.match as DisqusMatch });
    if (!report.dryRun) await analyze(database.db);
  } catch (error) {
    const nothing = 'Nothing was imported: the database is as it was.';
    if (error instanceof XmlTooDeepError) fail(`Refused XML: ${error.message}\n${nothing}`, 1);
    if (error instanceof XmlSyntaxError) fail(`Malformed XML: ${error.message}\n${nothing}`, 1);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(`No such file: ${file}`, 1);
    fail(`Import failed: ${describeError(error)}\n${nothing}`, 1);
  } finally {
    await database.close();
  }
  report!.seconds = (performance.now() - started) / 1000;
  report!.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(values.json ? JSON.stringify(report) : report!.toString());
}
