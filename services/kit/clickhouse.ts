// ClickHouse over HTTP with the official client (streaming, keep-alive, typed; works against 18.16 and 26.x).
import { createClient, type ClickHouseClient } from '@clickhouse/client';

export type { ClickHouseClient };

export interface ClickHouseSettings { url: string; user: string; password: string; database?: string }

export function createClickHouse(s: ClickHouseSettings): ClickHouseClient {
  return createClient({
    url: s.url,
    username: s.user,
    password: s.password,
    ...(s.database ? { database: s.database } : {}),
    request_timeout: 60_000,
    // Async inserts are off (the 18.16 default and unknown to it): an acknowledged insert is on disk.
    clickhouse_settings: {},
  });
}

/** Rows of a SELECT as objects; 64-bit integers arrive as strings (ClickHouse quotes them in JSON). */
export async function select<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
