// A current ClickHouse (chDB, in process) behind ClickHouse's HTTP interface, so unmodified Tessera code — the
// migration runner, the warehouse writer's sink and its insert format, @clickhouse/client — runs against it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface ChdbResult { bytes(): Uint8Array }
interface ChdbSession { queryAsync(sql: string, opts?: { format?: string }): Promise<ChdbResult>; close(): void }

export interface ChdbServer {
  /** Base URL for @clickhouse/client or any HTTP client. */
  url: string;
  /** The engine's version, e.g. 26.7.2.1. */
  version: string;
  /** Every statement that failed, with the engine's message, in order: a client that retries hides nothing here. */
  failures: { sql: string; error: string }[];
  /** How many statements ran (inserts included). */
  statements: () => number;
  close(): Promise<void>;
}

// URL parameters that belong to the HTTP protocol; any other parameter is a ClickHouse setting.
const PROTOCOL = new Set(['query', 'query_id', 'database', 'default_format', 'enable_http_compression', 'wait_end_of_query',
  'session_id', 'session_timeout', 'session_check', 'user', 'password', 'compress', 'decompress']);

/** `INSERT INTO t [(cols)] FORMAT F` with the data in the body: the form @clickhouse/client sends inserts in. */
const INSERT = /^\s*(INSERT\s+INTO\s+(?:TABLE\s+)?[\w.`"]+(?:\s*\([^)]*\))?)\s+FORMAT\s+(\w+)\s*$/is;

/** A setting's value as a SETTINGS literal: numbers bare, anything else quoted. */
const literal = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);

/** Starts the engine from the chdb package installed under `prefix` and serves it on a free loopback port. */
export async function serveChdb(prefix: string): Promise<ChdbServer> {
  const require = createRequire(join(prefix, 'node_modules', 'x.js'));
  const { Session } = require('chdb') as { Session: new (dir: string) => ChdbSession };
  const dir = mkdtempSync(join(tmpdir(), 'tessera-chdb-'));
  const session = new Session(join(dir, 'data'));
  const failures: ChdbServer['failures'] = [];
  let count = 0;
  // One session runs one statement at a time; requests queue.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = queue.then(f, f);
    queue = next.catch(() => undefined);
    return next;
  };
  const run = (sql: string) => serial(async () => { count += 1; return Buffer.from((await session.queryAsync(sql, { format: 'TabSeparated' })).bytes()); });
  const version = (await run('SELECT version()')).toString().trim();

  /** Turns one HTTP request into the statement chDB runs: settings from the URL, insert data through a file. */
  function statement(params: URLSearchParams, body: Buffer): string {
    const settings = [...params].filter(([k]) => !PROTOCOL.has(k)).map(([k, v]) => `${k} = ${literal(v)}`);
    const db = params.get('database');
    if (db && db !== 'default') throw new Error(`chdb-http: the database parameter (${db}) is not supported: qualify table names`);
    const head = params.get('query');
    const insert = head === null ? null : INSERT.exec(head);
    if (insert) {
      const file = join(dir, `insert-${count}.${insert[2]}`);
      writeFileSync(file, body);
      return `${insert[1]} FROM INFILE '${file}'${settings.length ? ` SETTINGS ${settings.join(', ')}` : ''} FORMAT ${insert[2]}`;
    }
    if (settings.length) throw new Error(`chdb-http: settings on a non-insert statement are not supported: ${settings.join(', ')}`);
    return head === null ? body.toString('utf8') : `${head}${body.length ? `\n${body.toString('utf8')}` : ''}`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') { res.writeHead(200).end('Ok.\n'); return; }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    let sql = '';
    try {
      sql = statement(url.searchParams, body);
      const out = await run(sql);
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-server-display-name': 'chdb' }).end(out);
    } catch (err) {
      // ClickHouse answers errors as text starting "Code: N. DB::Exception:"; the client parses that.
      const error = (err as Error).message.replace(/^Query failed: /, '');
      failures.push({ sql: sql.slice(0, 500), error });
      res.writeHead(500, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-exception-code': /^Code: (\d+)/.exec(error)?.[1] ?? '1000' })
        .end(/^Code: \d+/.test(error) ? error : `Code: 1000. DB::Exception: ${error}`);
    }
  }

  const server = createServer((req, res) => { void handle(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    version,
    failures,
    statements: () => count,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
