import { describe, expect, it } from 'vitest';
import { ADMIN_ROUTES, adminRoute } from './admin-routes.ts';
import { ROUTES, routeTable } from './route-table.ts';
import { READ_ROUTES, type Route } from './routes.ts';

const handle = () => ({});
const read = (template: string, name = template): Route => ({ name, template, scope: 'read', handle });

describe('route table', () => {
  it('serves the read routes with the read scope and every /v1/admin/ path with the admin scope', () => {
    expect(ROUTES).toEqual([...READ_ROUTES, ...ADMIN_ROUTES]);
    for (const r of ROUTES) expect([r.name, r.scope]).toEqual([r.name, r.template.startsWith('/v1/admin/') ? 'admin' : 'read']);
    expect(ADMIN_ROUTES.map((r) => r.name)).toContain('admin.dead_letters');
  });

  it('builds admin routes with the admin scope, under /v1/admin/ only', () => {
    expect(adminRoute({ name: 'erase', method: 'POST', template: '/v1/admin/erasures', handle })).toMatchObject({ scope: 'admin', method: 'POST' });
    expect(() => adminRoute({ name: 'erase', template: '/v1/erasures', handle })).toThrow('is not under /v1/admin/');
  });

  it.each([
    ['a read route under /v1/admin/', [read('/v1/admin/erasures')], [], 'is under /v1/admin/ but is a read route'],
    ['an admin-scoped route among the read routes', [{ ...read('/v1/x'), scope: 'admin' as const }], [], 'admin routes belong in admin-routes.ts'],
    ['an admin route with the read scope', [], [{ ...read('/v1/admin/x'), scope: 'read' as const }], 'must have the admin scope'],
    ['one method and path twice', [read('/v1/x', 'a'), read('/v1/x', 'b')], [], 'GET /v1/x is served twice'],
  ])('refuses %s', (_what, r, a, message) => {
    expect(() => routeTable(r, a)).toThrow(message);
  });

  it('takes one path with two methods', () => {
    const get = adminRoute({ name: 'erasure', template: '/v1/admin/erasures/:id', handle });
    const del = adminRoute({ name: 'erase', method: 'DELETE', template: '/v1/admin/erasures/:id', handle });
    expect(routeTable([], [get, del])).toHaveLength(2);
  });
});
