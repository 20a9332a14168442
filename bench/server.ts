import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * The API as the benchmarks start it: built (`npm run build`), run with the Dockerfile's CMD (what
 * the production image runs) and NODE_ENV=production, with METRICS on.
 */

/** The server's command line as the production image runs it (the Dockerfile's CMD), node's flags included. */
export function productionCommand(): string[] {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  const args = cmd ? (JSON.parse(cmd[1]!) as string[]) : [];
  if (args[0] !== 'node') throw new Error('The Dockerfile no longer runs `CMD ["node", …]`: update productionCommand.');
  return args.slice(1);
}

/** Starts the built API on 127.0.0.1:`port` with `env` on top of the benchmarks' settings; resolves once it answers. */
export async function startServer(port: number, env: Record<string, string>): Promise<ChildProcess> {
  // BENCH_NODE_ARGS: node's own flags in front of the image's command (e.g. `--cpu-prof
  // --cpu-prof-dir=/tmp/prof`, to profile the API under a benchmark), as arguments, not NODE_OPTIONS.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...productionCommand()], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      METRICS: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill();
  throw new Error(`server did not start:\n${output}`);
}
