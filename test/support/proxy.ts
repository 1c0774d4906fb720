// A TCP proxy in front of a server that a test can cut (refuse) or hang (stall) and restore, to simulate an outage.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';

export interface TcpProxy {
  url: string;
  /** Refuses: drops every connection and stops listening (a server that is down). */
  cut(): Promise<void>;
  /** Stalls: connections stay open but nothing flows either way (a server that hangs, or packets dropped). */
  hang(): Promise<void>;
  /** Back to forwarding after cut() or hang(); what a hung connection held is delivered. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Listens on a free local port and forwards to `target`, until the test cuts or hangs it. */
export async function tcpProxy(target: URL): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let server: Server;
  let port = 0;
  let listening = false;
  let hung = false;
  const flow = ([client, upstream]: [Socket, Socket], on: boolean) => {
    if (on) { client.pipe(upstream); upstream.pipe(client); return; }
    client.unpipe(upstream); upstream.unpipe(client);
    client.pause(); upstream.pause();
  };
  const listen = () => new Promise<void>((resolve) => {
    if (listening) return resolve();
    listening = true;
    server = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      for (const x of pair) { sockets.add(x); x.on('close', () => { sockets.delete(x); pairs.delete(pair); }); x.on('error', () => x.destroy()); }
      flow(pair, !hung);
    });
    server.listen(port, '127.0.0.1', () => { port = (server.address() as { port: number }).port; resolve(); });
  });
  const cut = async () => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => { server.close(() => resolve()); for (const x of sockets) x.destroy(); });
  };
  const hang = async () => {
    hung = true;
    for (const p of pairs) flow(p, false);
  };
  const restore = async () => {
    if (hung) {
      hung = false;
      for (const p of pairs) flow(p, true);
    }
    await listen();
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, hang, restore, close: async () => { hung = false; await cut(); } };
}

/**
 * A Kafka client whose every connection goes through `proxy`, whatever broker address the metadata names (Kafka
 * tells clients to connect to its advertised listener, which would bypass a proxy given only as the bootstrap
 * server). Single-broker stacks only. Settings as services/kit/kafka.ts createKafka, logs off.
 */
export function kafkaThrough(proxyUrl: string, clientId: string): Kafka {
  const { hostname, port } = new URL(proxyUrl);
  return new Kafka({
    clientId,
    brokers: [`${hostname}:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 8 },
    socketFactory: ({ onConnect }) => {
      const socket = connect({ host: hostname, port: Number(port) }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
  });
}
