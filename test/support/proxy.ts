// A TCP proxy in front of a server that a test can cut and restore, to simulate an outage.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Listens on a free local port and forwards to `target`; cut() drops every connection and stops listening. */
export async function tcpProxy(target: URL): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  let listening = false;
  const listen = () => new Promise<void>((resolve) => {
    if (listening) return resolve();
    listening = true;
    server = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      for (const x of [client, upstream]) { sockets.add(x); x.on('close', () => sockets.delete(x)); x.on('error', () => x.destroy()); }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server.address() as { port: number }).port; resolve(); });
  });
  const cut = async () => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => { server.close(() => resolve()); for (const x of sockets) x.destroy(); });
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

