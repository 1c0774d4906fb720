// Every route the API serves, read and admin, checked once at start: admin paths carry the admin scope and nothing
// else does, and no method and path are served twice (pure).
import { ADMIN_PREFIX, ADMIN_ROUTES } from './admin-routes.ts';
import { READ_ROUTES, type Route } from './routes.ts';

export function routeTable(read: readonly Route[], admin: readonly Route[]): Route[] {
  const problems: string[] = [];
  for (const r of read) {
    if (r.scope !== 'read') problems.push(`${r.name}: a read route with the ${r.scope} scope (admin routes belong in admin-routes.ts)`);
    if (r.template.startsWith(ADMIN_PREFIX)) problems.push(`${r.name}: ${r.template} is under ${ADMIN_PREFIX} but is a read route`);
  }
  for (const r of admin) {
    if (r.scope !== 'admin' || !r.template.startsWith(ADMIN_PREFIX)) problems.push(`${r.name}: an admin route must have the admin scope and a path under ${ADMIN_PREFIX}`);
  }
  const seen = new Set<string>();
  for (const r of [...read, ...admin]) {
    const key = `${r.method ?? 'GET'} ${r.template}`;
    if (seen.has(key)) problems.push(`${r.name}: ${key} is served twice`);
    seen.add(key);
  }
  if (problems.length > 0) throw new Error(`profile API route table: ${problems.join('; ')}`);
  return [...read, ...admin];
}

export const ROUTES: readonly Route[] = routeTable(READ_ROUTES, ADMIN_ROUTES);
