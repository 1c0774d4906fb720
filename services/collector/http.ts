// The collector's HTTP adapter: routing, CORS, write-key auth, body reading, and answers after Kafka acknowledged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../kit/log.ts';
import type { Ops } from '../kit/ops.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { authorise, mask, writeKeyFromBody, writeKeyFromHeader, type WriteKeys } from './auth.ts';
import { readBody } from './body.ts';
import { parseBody } from './json-body.ts';
import type { CollectorMetrics } from './metrics.ts';
import { bodyLimit, bodyTooLarge, planRequest, ROUTES, successBody, type ErrorAnswer, type RefusedCall } from './request.ts';
import type { KafkaSink, OutboundMessage } from './sink.ts';
import type { ConsentCategories } from '../contract/consent.ts';

export interface HandlerContext {
  writeKeys: WriteKeys;
  defaultSource: string;
  corsOrigins: string[];
  maxFutureMs: number;
  /** The consent tool's categories (TESSERA_CONSENT_CATEGORIES); Segment's example categories when absent. */
  consentCategories?: ConsentCategories;
  retryAfterSeconds: number;
  clock: () => number;
  sink: KafkaSink;
  /** Encodes touchpoints and refused calls for Kafka; null until the schemas are registered. */
  encoder: () => Encoder | null;
  ops: Ops;
  metrics: CollectorMetrics;
  log: Logger;
}

export interface Encoder {
  touchpoint(t: Touchpoint): OutboundMessage;
  refused(r: RefusedCall, route: string, receivedAt: number): OutboundMessage;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      ctx.log.error({ err, url: req.url }, 'request handler failed');
      if (!res.headersSent) send(ctx, res, '(error)', 500, { success: false, code: 'TSR_COLLECT_INTERNAL', message: 'internal error; retry later' });
      else res.destroy();
    });
  };
}

function send(ctx: HandlerContext, res: ServerResponse, route: string, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.metrics.requests.inc({ route, status: String(status) });
  res.writeHead(status, { ...JSON_TYPE, ...headers }).end(`${JSON.stringify(body)}\n`);
}

function answerError(ctx: HandlerContext, res: ServerResponse, route: string, a: ErrorAnswer, headers: Record<string, string> = {}): void {
  const { status, ...rest } = a;
  send(ctx, res, route, status, { success: false, ...rest }, headers);
}

function cors(ctx: HandlerContext, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  const allowed = ctx.corsOrigins.includes('*') || ctx.corsOrigins.includes(origin);
  if (!allowed) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    vary: 'Origin',
  };
}

function peerIp(req: IncomingMessage): string | null {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.socket.remoteAddress || null;
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return opsEndpoint(ctx, path, res);

  const route = ROUTES.get(path);
  if (!route) {
    return send(ctx, res, 'other', 404, { success: false, code: 'TSR_COLLECT_NOT_FOUND', message: `no endpoint ${path}: use /v1/track, /v1/identify, /v1/page, /v1/screen, /v1/alias, /v1/group or /v1/batch` });
  }
  const corsHeaders = cors(ctx, req);
  if (req.method === 'OPTIONS') {
    ctx.metrics.requests.inc({ route: path, status: '204' });
    res.writeHead(204, {
      ...corsHeaders,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'Content-Type, Authorization, Content-Encoding',
      'access-control-max-age': '86400',
    }).end();
    return;
  }
  if (req.method !== 'POST') {
    return send(ctx, res, path, 405, { success: false, code: 'TSR_COLLECT_METHOD', message: `${req.method} is not allowed on ${path}: use POST` }, { ...corsHeaders, allow: 'POST, OPTIONS' });
  }

  // A bad key in the header is refused before the body is read; without a header the body may carry the key.
  const headerKey = writeKeyFromHeader(req.headers.authorization);
  if (headerKey !== null && !ctx.writeKeys.has(headerKey)) return unauthorised(ctx, res, path, corsHeaders, authorise(ctx.writeKeys, headerKey, null));

  const unavailable = unavailableReason(ctx);
  if (unavailable) return serviceUnavailable(ctx, res, path, corsHeaders, 'TSR_COLLECT_KAFKA_UNAVAILABLE', unavailable);

  const body = await readBody(req, bodyLimit(route));
  if (!body.ok) {
    if (body.reason === 'aborted') return;
    if (body.reason === 'too_large') return answerError(ctx, res, path, { ...bodyTooLarge(route), message: `${bodyTooLarge(route).message} (${body.message})` }, { ...corsHeaders, connection: 'close' });
    const status = body.reason === 'unsupported_encoding' ? 415 : 400;
    return answerError(ctx, res, path, { status, code: status === 415 ? 'TSR_COLLECT_ENCODING' : 'TSR_COLLECT_BAD_BODY', message: body.message }, corsHeaders);
  }
  const json = parseBody(body.text);
  if (!json.ok) return answerError(ctx, res, path, { status: 400, code: 'TSR_COLLECT_BAD_JSON', message: json.message }, corsHeaders);
  const parsed = json.value;

  const auth = authorise(ctx.writeKeys, headerKey, writeKeyFromBody(parsed));
  if (!auth.ok) return unauthorised(ctx, res, path, corsHeaders, auth);

  const receivedAt = ctx.clock();
  const plan = planRequest(route, parsed, body.bytes, {
    receivedAt, channel: auth.channel, defaultSource: ctx.defaultSource, maxFutureMs: ctx.maxFutureMs,
    ip: peerIp(req), scope: auth.writeKey, ...(ctx.consentCategories ? { consentCategories: ctx.consentCategories } : {}),
  });
  for (const r of plan.refused) ctx.metrics.events.inc({ outcome: 'rejected', reason: r.code });
  const encoder = ctx.encoder();
  if (!encoder) return serviceUnavailable(ctx, res, path, corsHeaders, 'TSR_COLLECT_KAFKA_UNAVAILABLE', 'touchpoint schema not registered yet; retry later');
  const dead = plan.refused.map((r) => encoder.refused(r, path, receivedAt));

  if (!plan.ok) {
    if (plan.answer.status === 413) ctx.metrics.events.inc({ outcome: 'rejected', reason: plan.answer.code });
    // Refused calls still reach the DLQ, but a client error is answered without waiting for Kafka.
    if (dead.length > 0) {
      void ctx.sink.publish(dead).then((r) => { if (!r.ok) ctx.log.warn({ code: r.code, calls: dead.length }, `refused calls not written to the DLQ: ${r.message}`); });
    }
    ctx.log.debug({ route: path, writeKey: mask(auth.writeKey), code: plan.answer.code, problems: plan.answer.problems }, plan.answer.message);
    return answerError(ctx, res, path, plan.answer, corsHeaders);
  }

  const messages = [...plan.accepted.map((t) => encoder.touchpoint(t)), ...dead];
  const result = await ctx.sink.publish(messages);
  if (!result.ok) return serviceUnavailable(ctx, res, path, corsHeaders, result.code, result.message);
  ctx.metrics.events.inc({ outcome: 'accepted', reason: 'ok' }, plan.accepted.length);
  send(ctx, res, path, 200, successBody(plan.accepted.length, plan.refused), corsHeaders);
}

function unavailableReason(ctx: HandlerContext): string | null {
  if (!ctx.sink.connected) return 'not connected to Kafka yet; retry later';
  if (ctx.sink.stalled) return 'Kafka is not acknowledging produces; retry later';
  if (!ctx.encoder()) return 'touchpoint schema not registered yet; retry later';
  return null;
}

function unauthorised(ctx: HandlerContext, res: ServerResponse, route: string, headers: Record<string, string>, auth: { ok: false; message: string } | { ok: true }): void {
  const message = auth.ok ? 'unauthorised' : auth.message;
  answerError(ctx, res, route, { status: 401, code: 'TSR_COLLECT_UNAUTHORIZED', message }, { ...headers, 'www-authenticate': 'Basic realm="tessera"' });
}

function serviceUnavailable(ctx: HandlerContext, res: ServerResponse, route: string, headers: Record<string, string>, code: string, message: string): void {
  ctx.log.warn({ route, code }, message);
  answerError(ctx, res, route, { status: 503, code, message }, { ...headers, 'retry-after': String(ctx.retryAfterSeconds) });
}

function opsEndpoint(ctx: HandlerContext, path: string, res: ServerResponse): void {
  if (path === '/healthz') {
    res.writeHead(200, JSON_TYPE).end('{"status":"ok"}\n');
  } else if (path === '/readyz') {
    const r = ctx.ops.ready;
    res.writeHead(r.ready ? 200 : 503, JSON_TYPE).end(`${JSON.stringify({ status: r.ready ? 'ready' : 'not ready', reason: r.reason })}\n`);
  } else {
    ctx.ops.metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': ctx.ops.metrics.contentType }).end(text),
      (err: unknown) => { ctx.log.error({ err }, 'metrics collection failed'); res.writeHead(500).end(); },
    );
  }
}
