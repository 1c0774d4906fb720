// The profile API's HTTP adapter: routing, token auth, JSON answers and coded errors, the explorer's static files,
// and the operator endpoints (/healthz, /readyz, /metrics) on the same port.
import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorSpec, type ErrorCode } from '../kit/error-catalog.ts';
import type { Logger } from '../kit/log.ts';
import type { Ops } from '../kit/ops.ts';
import type { ApiMetrics } from './metrics.ts';
import { ROUTES } from './route-table.ts';
import { ApiError, type Route, type RouteContext } from './routes.ts';
import { Router } from './router.ts';
import { errorBody } from './segment.ts';
import type { StaticFile } from './static-files.ts';
import { authorise, type Tokens } from './tokens.ts';
import { WarehouseUnavailable } from './warehouse.ts';

export interface HttpContext {
  routes: RouteContext;
  tokens: Tokens;
  statics: Map<string, StaticFile>;
  ops: Ops;
  metrics: ApiMetrics;
  log: Logger;
}

const JSON_TYPE = 'application/json; charset=utf-8';
// The explorer loads only its own scripts; ECharts sets element styles from script.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function createHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new Router<Route>(ROUTES);
  // Request ids: this process's random prefix and a counter (a random draw per request costs more than the lookup).
  const boot = randomBytes(6).toString('hex');
  let requests = 0;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = `${boot}${(++requests).toString(16).padStart(8, '0')}`;
    res.setHeader('request-id', requestId);
    let route = 'other';
    const done = (status: number) => {
      ctx.metrics.requests.inc({ route, status: String(status) });
      ctx.metrics.seconds.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    handle(ctx, router, req, res, (r) => { route = r; }).then(done, (err: unknown) => {
      const status = answerError(ctx, res, err, requestId, req.url ?? '');
      done(status);
    });
  };
}

/**
 * The request target as a URL: origin-form ("/path?query") read against a fixed origin, so "//host/…" stays a path;
 * absolute-form ("http://host/path", as proxies send) read as it is. Anything else cannot be routed.
 */
function requestUrl(target: string): URL {
  try {
    if (target.startsWith('/')) return new URL(`http://api${target}`);
    if (/^https?:\/\//i.test(target)) return new URL(target);
  } catch { /* answered below */ }
  throw new ApiError('TSR_API_BAD_REQUEST', 'the request target is neither a path starting with / nor an http URL');
}

/**
 * What Node's parser refuses before any handler runs (a request line or headers over --max-http-header-size, bytes that
 * are not HTTP): a coded answer like every other, instead of Node's bare status line.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'TSR_API_REQUEST_TOO_LARGE' : 'TSR_API_BAD_REQUEST';
  const status = errorSpec(code).status ?? 400;
  const message = code === 'TSR_API_REQUEST_TOO_LARGE'
    ? 'the request line and headers exceed 16 KiB: shorten the query (fewer include values, a shorter cursor)'
    : `the request is not readable HTTP (${err.code ?? 'parse error'})`;
  const text = `${JSON.stringify(errorBody(status, code, message))}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}

async function handle(ctx: HttpContext, router: Router<Route>, req: IncomingMessage, res: ServerResponse, named: (route: string) => void): Promise<number> {
  const url = requestUrl(req.url ?? '/');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const reads = method === 'GET' || method === 'HEAD';
  const file = ctx.statics.get(path);
  if (path === '/healthz' || path === '/readyz' || path === '/metrics' || path === '/' || path === '/explorer' || file) {
    if (!reads) throw new ApiError('TSR_API_METHOD', `${method} ${path} is not allowed: it only answers GET and HEAD`, { allow: 'GET, HEAD' });
    if (file) {
      named('static');
      return sendStatic(req, res, file);
    }
    if (path === '/' || path === '/explorer') {
      named('static');
      res.writeHead(302, { location: '/explorer/' }).end();
      return 302;
    }
    named(path.slice(1));
    return opsEndpoint(ctx, path, res);
  }
  const found = router.find(path, method);
  if (!found) throw new ApiError('TSR_API_NOT_FOUND', `no route ${path}: see /openapi.json`);
  if ('allow' in found) throw new ApiError('TSR_API_METHOD', `${method} ${path} is not allowed: it answers ${found.allow.join(', ')}`, { allow: found.allow.join(', ') });
  named(found.route.name);
  if (found.params === 'bad-encoding') throw new ApiError('TSR_API_BAD_IDENTIFIER', 'the path is not valid percent-encoding (encode + as %2B, / as %2F)');
  const auth = authorise(ctx.tokens, req.headers.authorization, found.route.scope);
  if (!auth.ok) {
    throw new ApiError(auth.status === 401 ? 'TSR_API_UNAUTHORIZED' : 'TSR_API_FORBIDDEN', auth.message,
      auth.status === 401 ? { 'www-authenticate': 'Bearer realm="tessera"' } : {});
  }
  const body = await found.route.handle(ctx.routes, { params: found.params, query: url.searchParams, url: `${path}${url.search}` });
  return sendJson(req, res, 200, body);
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
  return status;
}

function sendStatic(req: IncomingMessage, res: ServerResponse, f: StaticFile): number {
  const headers = { etag: f.etag, 'cache-control': f.cache, 'x-content-type-options': 'nosniff', ...(f.type.startsWith('text/html') ? { 'content-security-policy': CSP } : {}) };
  if (req.headers['if-none-match'] === f.etag) {
    res.writeHead(304, headers).end();
    return 304;
  }
  res.writeHead(200, { ...headers, 'content-type': f.type, 'content-length': f.body.length });
  res.end(req.method === 'HEAD' ? undefined : f.body);
  return 200;
}

function answerError(ctx: HttpContext, res: ServerResponse, err: unknown, requestId: string, url: string): number {
  let code: ErrorCode;
  let message: string;
  let headers: Record<string, string> = {};
  if (err instanceof ApiError) {
    ({ code, message, headers } = err);
  } else if (err instanceof WarehouseUnavailable) {
    code = 'TSR_API_WAREHOUSE_UNAVAILABLE';
    message = err.message;
    headers = { 'retry-after': '5' };
    ctx.log.warn({ requestId, url: url.split('?')[0] }, message);
  } else {
    code = 'TSR_API_INTERNAL';
    message = `internal error; request id ${requestId}`;
    ctx.log.error({ err, requestId, url: url.split('?')[0] }, 'request failed');
  }
  const status = errorSpec(code).status ?? 500;
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  const text = `${JSON.stringify(errorBody(status, code, message))}\n`;
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
  return status;
}

function opsEndpoint(ctx: HttpContext, path: string, res: ServerResponse): Promise<number> | number {
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': JSON_TYPE }).end('{"status":"ok"}\n');
    return 200;
  }
  if (path === '/readyz') {
    const r = ctx.ops.ready;
    res.writeHead(r.ready ? 200 : 503, { 'content-type': JSON_TYPE }).end(`${JSON.stringify({ status: r.ready ? 'ready' : 'not ready', reason: r.reason })}\n`);
    return r.ready ? 200 : 503;
  }
  return ctx.ops.metrics.metrics().then((text) => {
    res.writeHead(200, { 'content-type': ctx.ops.metrics.contentType }).end(text);
    return 200;
  });
}
