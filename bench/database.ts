import postgres from 'postgres';

/** Creates the database `url` names on its server if it does not exist yet (a fresh machine has none of the benchmarks'). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const admin = postgres({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password) || undefined,
    database: 'postgres',
    max: 1,
    onnotice: () => {},
  });
  try {
    const name = decodeURIComponent(url.pathname.slice(1));
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}
