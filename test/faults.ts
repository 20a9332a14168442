import { sql } from 'drizzle-orm';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createDb, queryRows, type Database, type Db } from '../src/db/client.js';

/*
 * Faults without killing a real server: a TCP proxy in the test process, in front of Postgres or
 * Redis, that the test cuts (every open connection dropped, new ones held without an answer, as a
 * network partition looks to a client) and restores.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let partitioned = false;
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    // Partitioned: accepted, then silence (a client must not wait forever on that).
    if (partitioned) return;
    const upstream = connect(target.port, target.host);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      partitioned = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      partitioned = false;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The Postgres database `db` is connected to (on the server at TEST_DATABASE_URL), reached again
 * through a proxy: a second pool, which the test cuts off while `db` still answers.
 */
export async function proxiedPostgres(db: Db, options: { poolSize: number; connectTimeoutSeconds: number }): Promise<{ proxy: TcpProxy; database: Database }> {
  const [row] = await queryRows<{ name: string }>(db, sql`select current_database() as name`);
  const target = new URL(process.env.TEST_DATABASE_URL!);
  const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  url.pathname = `/${row!.name}`;
  return { proxy, database: createDb({ databaseUrl: url.toString(), ...options }) };
}
