// The admin scope's routes, and the only place they are declared: each is built by adminRoute(), which gives it the
// admin scope and a path under /v1/admin/; route-table.ts refuses an admin path with any other scope, and http.ts
// checks the token's scope before any handler runs (a read token gets 403, no token 401). Erasure and export go here.
import { limitParam } from './params.ts';
import { take, type Method, type Request, type Route, type RouteContext } from './routes.ts';
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

export const ADMIN_ROUTES: Route[] = [
  adminRoute({ name: 'admin.dead_letters', template: `${ADMIN_PREFIX}dead-letters`, handle: deadLettersRoute }),
];
