// Operator endpoints of a service: /healthz (alive), /readyz (doing its job), /metrics (Prometheus).
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from './log.ts';

export interface Readiness { ready: boolean; reason: string }

export class Ops {
  readonly metrics = new Registry();
  private readiness: Readiness = { ready: false, reason: 'starting' };
  private probe: (() => Readiness) | null = null;
  private server: Server | null = null;

  constructor(service: string) {
    this.metrics.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.metrics, prefix: 'tessera_' });
  }

  setReady(ready: boolean, reason: string): void {
    this.probe = null;
    this.readiness = { ready, reason };
  }

  /** Readiness computed on every request (e.g. StageReadiness), so it cannot go stale between events. */
  readinessFrom(probe: () => Readiness): void {
    this.probe = probe;
  }

  get ready(): Readiness {
    return this.probe ? this.probe() : this.readiness;
  }

  /** Listens on `port` (0 picks a free one); resolves with the bound port. */
  listen(port: number, host: string, log: Logger): Promise<number> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed: use GET\n');
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
      } else if (path === '/readyz') {
        const r = this.ready;
        res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' })
          .end(`${JSON.stringify({ status: r.ready ? 'ready' : 'not ready', reason: r.reason })}\n`);
      } else if (path === '/metrics') {
        this.metrics.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text),
          (err: unknown) => { log.error({ err }, 'metrics collection failed'); res.writeHead(500).end(); },
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
      }
    });
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    const s = this.server;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits; a second signal exits at once.
 * Exit code 0 after a clean stop, 1 if stopping failed.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => { log.info('stopped cleanly'); process.exit(0); },
      (err: unknown) => { log.error({ err }, 'shutdown failed'); process.exit(1); },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
