// ClickHouse over HTTP with the official client (streaming, keep-alive, typed; works against 18.16 and 26.x).
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type Logger as ClientLogger } from '@clickhouse/client';
import type { Logger } from './log.ts';

export type { ClickHouseClient };

export interface ClickHouseSettings { url: string; user: string; password: string; database?: string }

/** The client's own log lines as pino JSON, so an operator sees one format. */
function pinoBridge(log: Logger): new () => ClientLogger {
  const l = log.child({ component: 'clickhouse-client' });
  return class implements ClientLogger {
    trace(p: { module: string; message: string; args?: Record<string, unknown> }) { l.trace({ module: p.module, ...p.args }, p.message); }
    debug(p: { module: string; message: string; args?: Record<string, unknown> }) { l.debug({ module: p.module, ...p.args }, p.message); }
    info(p: { module: string; message: string; args?: Record<string, unknown> }) { l.info({ module: p.module, ...p.args }, p.message); }
    warn(p: { module: string; message: string; args?: Record<string, unknown>; err?: Error }) { l.warn({ module: p.module, err: p.err, ...p.args }, p.message); }
    error(p: { module: string; message: string; args?: Record<string, unknown>; err: Error }) { l.error({ module: p.module, err: p.err, ...p.args }, p.message); }
  };
}

export function createClickHouse(s: ClickHouseSettings, log?: Logger): ClickHouseClient {
  return createClient({
    ...(log ? { log: { LoggerClass: pinoBridge(log), level: ClickHouseLogLevel.WARN } } : {}),
    url: s.url,
    username: s.user,
    password: s.password,
    ...(s.database ? { database: s.database } : {}),
    request_timeout: 60_000,
    // A socket idle past its TTL is destroyed, not reused: after the event loop was busy (a long batch, a child process
    // waited for) ClickHouse has closed it, and reusing it fails the next query with "socket hang up".
    keep_alive: { eagerly_destroy_stale_sockets: true },
    // Async inserts are off (the 18.16 default and unknown to it): an acknowledged insert is on disk.
    clickhouse_settings: {},
  });
}

/** Rows of a SELECT as objects; 64-bit integers arrive as strings (ClickHouse quotes them in JSON). */
export async function select<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
