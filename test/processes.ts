import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/*
 * The real entry points as users run them, in child processes on an embedded (PGlite) database
 * directory: `npm start` (src/server.ts) and the scripts (`npm run token:…`, the generator).
 */

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment of a process on the PGlite directory `dir` (never a Postgres server). */
export const envFor = (dir: string, more: Record<string, string> = {}) => ({
  ...process.env,
  PGLITE_DIR: dir,
  DATABASE_URL: '',
  LOG_LEVEL: 'info',
  ...more,
});

export interface ServerProcess {
  child: ReturnType<typeof spawn>;
  /** Resolves once it listens; rejects (with its output) if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/** `npm start` (src/server.ts through tsx), or another `entry` (node's arguments: a compiled build), on `dir`. */
export function startServer(dir: string, env: Record<string, string> = {}, entry = ['--import', 'tsx', 'src/server.ts']): ServerProcess {
  const child = spawn(process.execPath, entry, { env: envFor(dir, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/(GraphiQL|GraphQL API) ready at/.test(output)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  return { child, ready, exited, output: () => output };
}

/** Stops a server as an operator would (SIGTERM) and resolves with its exit code. */
export function stopServer(server: ServerProcess): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

/** A script as `npm run …` runs it (through tsx), on `dir`. */
export function runScript(dir: string, file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', file, ...args], { env: envFor(dir) }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    ),
  );
}
