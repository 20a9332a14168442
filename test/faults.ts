import { connect, createServer, type Server, type Socket } from 'node:net';

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
