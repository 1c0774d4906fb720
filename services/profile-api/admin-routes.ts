// The admin scope's routes, and the only place they are declared: each is built by adminRoute(), which gives it the
// admin scope and a path under /v1/admin/; route-table.ts refuses an admin path with any other scope, and http.ts
// checks the token's scope before any handler runs (a read token gets 403, no token 401). Erasure and export go here.
import { describe } from '../kit/errors.ts';
import { normaliseSubject, parseSubject } from '../privacy/subject.ts';
import { limitParam } from './params.ts';
import type { PrivacyAdmin } from './privacy-admin.ts';
import { ApiError, take, type Method, type Request, type Route, type RouteContext } from './routes.ts';
import { iso } from './segment.ts';

export const ADMIN_PREFIX = '/v1/admin/';

/** An admin route: the admin scope is not the caller's to choose. */
export function adminRoute(r: { name: string; method?: Method; template: string; handle: Route['handle'] }): Route {
  if (!r.template.startsWith(ADMIN_PREFIX)) throw new Error(`admin route ${r.name}: ${r.template} is not under ${ADMIN_PREFIX}`);
  return { ...r, scope: 'admin' };
}

/** The latest dead letters with their reasons, newest first (they may quote customer data: admin only). */
function deadLettersRoute(ctx: RouteContext, req: Request) {
  const limit = take(limitParam(req.query, 20, 100));
  return { total: ctx.deadLetters.count, data: ctx.deadLetters.latest(limit).map((d) => ({ ...d, failedAt: iso(d.failedAt) })) };
}

/** The subject of a privacy request: TYPE:VALUE in the path, normalised as the core does (what the link stage applies). */
function subjectOf(ctx: RouteContext, req: Request) {
  const p = parseSubject(req.params.id ?? '');
  if (!p.ok) throw new ApiError('TSR_API_BAD_IDENTIFIER', `${p.reason} (${p.code})`);
  const n = normaliseSubject(p.type, p.value, ctx.identity);
  if (!n.ok) throw new ApiError('TSR_API_INVALID_IDENTIFIER', `${n.reason} (${n.code}); nothing was written`);
  return n.identifier;
}

/** Who asked (for the audit): `requested_by`, 1 to 200 characters. */
function requestedBy(req: Request): string {
  const by = req.query.get('requested_by');
  if (by === null || by.trim() === '' || by.length > 200) throw new ApiError('TSR_API_BAD_QUERY', 'requested_by: who asked for it, 1 to 200 characters (kept in the audit)');
  return by;
}

function privacyOf(ctx: RouteContext): PrivacyAdmin {
  if (ctx.privacy === undefined) throw new ApiError('TSR_API_PRIVACY_UNAVAILABLE', 'this API runs without Kafka: no privacy requests here');
  return ctx.privacy;
}

const unavailable = (err: unknown) => (err instanceof ApiError ? err : new ApiError('TSR_API_PRIVACY_UNAVAILABLE', describe(err), { 'retry-after': '5' }));

/** An erasure (docs/privacy.md): the request is durable once answered; `pending` means it is applied later. */
async function erasureRoute(ctx: RouteContext, req: Request) {
  const id = subjectOf(ctx, req);
  const by = requestedBy(req);
  const requestId = req.query.get('request_id') ?? undefined;
  if (requestId !== undefined && (requestId.trim() === '' || requestId.length > 200)) throw new ApiError('TSR_API_BAD_QUERY', 'request_id: 1 to 200 characters');
  const answer = await privacyOf(ctx).erase(id, by, requestId).catch((err: unknown) => { throw unavailable(err); });
  if (!answer.final) return { requestId: answer.requestId, outcome: 'pending', code: 'TSR_PRIVACY_PENDING', steps: answer.steps.map((s) => s.step) };
  const a = answer.audit;
  return { requestId: a.requestId, outcome: a.outcome, code: a.code, reason: a.reason, identifierHash: a.hash, counts: a.counts };
}

/** A subject access export: everything held about the person, audited (hash only). */
async function exportRoute(ctx: RouteContext, req: Request) {
  const id = subjectOf(ctx, req);
  const by = requestedBy(req);
  const doc = await privacyOf(ctx).export(id, by).catch((err: unknown) => { throw unavailable(err); });
  if (!doc.found) throw new ApiError('TSR_API_UNKNOWN_IDENTIFIER', `nothing is held about ${id.type}:… (request ${doc.requestId}, audited)`);
  return doc;
}

export const ADMIN_ROUTES: Route[] = [
  adminRoute({ name: 'admin.dead_letters', template: `${ADMIN_PREFIX}dead-letters`, handle: deadLettersRoute }),
  adminRoute({ name: 'admin.erasure', method: 'POST', template: `${ADMIN_PREFIX}erasure/:id`, handle: erasureRoute }),
  adminRoute({ name: 'admin.export', method: 'POST', template: `${ADMIN_PREFIX}export/:id`, handle: exportRoute }),
];
