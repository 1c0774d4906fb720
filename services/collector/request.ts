// Endpoints, size limits and what one request body amounts to: calls to produce, calls refused, or an error (pure).
import type { Touchpoint, TouchpointType } from '../contract/touchpoint.ts';
import { isObject, kindOf, own } from '../contract/fields.ts';
import { jsonShapeProblem } from '../contract/json-shape.ts';
import { LIMITS } from '../contract/limits.ts';
import { normaliseCall, type NormaliseOptions } from '../contract/normalise.ts';

export type Route = { kind: 'call'; type: TouchpointType } | { kind: 'batch' };

const call = (type: TouchpointType): Route => ({ kind: 'call', type });

/**
 * Segment's endpoints, their one-letter forms (analytics.js in "short" mode), and /v1/import (Segment's old name for
 * batch). A Map: the path is the client's, and "/constructor" must not find Object.prototype's.
 */
export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/v1/track', call('track')], ['/v1/t', call('track')],
  ['/v1/identify', call('identify')], ['/v1/i', call('identify')],
  ['/v1/page', call('page')], ['/v1/p', call('page')],
  ['/v1/screen', call('screen')], ['/v1/s', call('screen')],
  ['/v1/alias', call('alias')], ['/v1/a', call('alias')],
  ['/v1/group', call('group')], ['/v1/g', call('group')],
  ['/v1/batch', { kind: 'batch' }], ['/v1/b', { kind: 'batch' }], ['/v1/import', { kind: 'batch' }],
]);

export const bodyLimit = (route: Route): number => (route.kind === 'batch' ? LIMITS.batchBytes : LIMITS.callBytes);

export interface RefusedCall {
  index: number;
  messageId: string | null;
  code: 'TSR_COLLECT_INVALID_EVENT' | 'TSR_COLLECT_EVENT_TOO_LARGE';
  problems: string[];
  /** The call as received, for the dead-letter topic. */
  original: unknown;
}

export interface ErrorAnswer {
  status: 400 | 401 | 404 | 405 | 413 | 415 | 503;
  code: string;
  message: string;
  problems?: string[];
  rejected?: Omit<RefusedCall, 'original'>[];
}

export type Plan =
  | { ok: true; accepted: Touchpoint[]; refused: RefusedCall[] }
  | { ok: false; answer: ErrorAnswer; refused: RefusedCall[] };

/**
 * What a parsed request body amounts to. A single call that fails validation is a 400 naming every problem.
 * In a batch, valid calls are accepted and invalid ones refused one by one (listed in the 200 answer and sent to
 * the DLQ), so one bad call never costs the others: SDKs drop a batch answered with a 4xx, they do not split it.
 * A batch in which no call is valid is a 400, and so is a batch whose own fields (batch, context) are wrong, as they
 * would make every call wrong. A call nested too deep is refused before anything measures or copies it.
 */
export function planRequest(route: Route, body: unknown, bodyBytes: number, opts: NormaliseOptions): Plan {
  if (route.kind === 'call') {
    if (bodyBytes > LIMITS.callBytes) return { ok: false, answer: tooLarge('call', bodyBytes, LIMITS.callBytes), refused: [] };
    const n = normaliseCall(body, route.type, opts);
    if (n.ok) return { ok: true, accepted: [n.touchpoint], refused: [] };
    const refused: RefusedCall = { index: 0, messageId: n.messageId, code: n.code, problems: n.problems, original: body };
    return {
      ok: false,
      answer: { status: 400, code: n.code, message: `invalid ${route.type} call: ${n.problems.join('; ')}`, problems: n.problems },
      refused: [refused],
    };
  }

  if (bodyBytes > LIMITS.batchBytes) return { ok: false, answer: tooLarge('batch', bodyBytes, LIMITS.batchBytes), refused: [] };
  if (!isObject(body)) return invalidBatch(`(body): expected a JSON object {"batch": [...]}, got ${kindOf(body)}`);
  const calls = own(body, 'batch');
  if (!Array.isArray(calls)) {
    return invalidBatch(calls === undefined ? 'batch: missing; expected an array of calls' : `batch: expected an array of calls, got ${kindOf(calls)}`);
  }
  if (calls.length === 0) return invalidBatch('batch: empty; send at least one call');
  const context = batchContext(own(body, 'context'));
  if (!context.ok) return invalidBatch(context.problem);
  const batchSentAt = own(body, 'sentAt');
  const accepted: Touchpoint[] = [];
  const refused: RefusedCall[] = [];
  calls.forEach((item: unknown, index) => {
    const messageId = isObject(item) && typeof own(item, 'messageId') === 'string' ? (own(item, 'messageId') as string).slice(0, LIMITS.messageIdLength) : null;
    // The normaliser checks the call's depth first, without recursion; only a call within it may be measured with
    // JSON.stringify (recursive). A refused call is checked again, rather than every accepted one twice.
    const n = normaliseCall(item, null, { ...opts, batchSentAt, batchContext: context.value });
    if (n.ok || jsonShapeProblem(item, LIMITS.depth) === null) {
      const bytes = Buffer.byteLength(JSON.stringify(item) ?? '');
      if (bytes > LIMITS.callBytes) {
        refused.push({ index, messageId, code: 'TSR_COLLECT_EVENT_TOO_LARGE', problems: [`(call): ${bytes} bytes, over the ${LIMITS.callBytes}-byte limit per call`], original: item });
        return;
      }
    }
    if (n.ok) accepted.push(n.touchpoint);
    else refused.push({ index, messageId: n.messageId, code: n.code, problems: n.problems, original: item });
  });
  if (accepted.length === 0) {
    return {
      ok: false,
      answer: {
        status: 400, code: 'TSR_COLLECT_INVALID_BATCH',
        message: `no valid call in the batch: ${refused.length} refused (see "rejected")`,
        rejected: refused.map(withoutOriginal),
      },
      refused,
    };
  }
  return { ok: true, accepted, refused };
}

export const withoutOriginal = ({ original: _o, ...rest }: RefusedCall): Omit<RefusedCall, 'original'> => rest;

function tooLarge(what: 'call' | 'batch', bytes: number, limit: number): ErrorAnswer {
  return {
    status: 413, code: what === 'call' ? 'TSR_COLLECT_EVENT_TOO_LARGE' : 'TSR_COLLECT_BATCH_TOO_LARGE',
    message: `${what} body is ${Number.isFinite(bytes) ? `${bytes} bytes, ` : ''}over the ${limit}-byte limit per ${what}${what === 'batch' ? ': split it into smaller batches' : ''}`,
  };
}

/** The 413 answer when the body stream passed the limit before it was fully read. */
export const bodyTooLarge = (route: Route): ErrorAnswer => tooLarge(route.kind === 'batch' ? 'batch' : 'call', Infinity, bodyLimit(route));

/**
 * The batch-level context, checked once: it is merged into every call, so it sits one level below a call (depth) and
 * is bounded in size (each call's normalisation reads it again).
 */
function batchContext(v: unknown): { ok: true; value: Record<string, unknown> | null } | { ok: false; problem: string } {
  if (v === undefined || v === null) return { ok: true, value: null };
  if (!isObject(v)) return { ok: false, problem: `context: expected an object, got ${kindOf(v)}` };
  const shape = jsonShapeProblem(v, LIMITS.depth - 1, 'context');
  if (shape !== null) return { ok: false, problem: shape };
  const bytes = Buffer.byteLength(JSON.stringify(v));
  if (bytes > LIMITS.batchContextBytes) {
    return { ok: false, problem: `context: ${bytes} bytes, over the ${LIMITS.batchContextBytes}-byte limit for a batch-level context (it is merged into every call); send it on the calls` };
  }
  return { ok: true, value: v };
}

function invalidBatch(problem: string): Plan {
  return { ok: false, answer: { status: 400, code: 'TSR_COLLECT_INVALID_BATCH', message: `invalid batch: ${problem}`, problems: [problem] }, refused: [] };
}

/** The 200 body: Segment's {"success":true}, plus what was refused in a partly valid batch. */
export function successBody(accepted: number, refused: RefusedCall[]): Record<string, unknown> {
  if (refused.length === 0) return { success: true };
  return { success: true, accepted, rejected: refused.map(withoutOriginal) };
}
