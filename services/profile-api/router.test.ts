import { describe, expect, it } from 'vitest';
import { Router } from './router.ts';

const router = new Router([
  { template: '/v1/profiles/:id/events', name: 'events' },
  { template: '/v1/profiles/:id', name: 'profile' },
  { template: '/v1/explain', name: 'explain' },
]);

describe('router', () => {
  it.each([
    ['/v1/profiles/email%3Aa%2Bb%40x.io/events', 'events', { id: 'email:a+b@x.io' }],
    ['/v1/profiles/phone:%2B14155552671', 'profile', { id: 'phone:+14155552671' }],
    ['/v1/profiles/anonymous_id:a%2Fb', 'profile', { id: 'anonymous_id:a/b' }],
    ['/v1/explain', 'explain', {}],
  ])('%s → %s', (path, name, params) => {
    expect(router.find(path)).toEqual({ route: expect.objectContaining({ name }), params });
  });

  it.each(['/v1/profiles', '/v1/profiles/a/b', '/v1/explain/x', '/v1/profiles//events'])('%s matches nothing', (path) => {
    expect(router.find(path)).toBeNull();
  });

  it('tells a bad percent-encoding apart', () => {
    expect(router.find('/v1/profiles/%E0%A4%A')).toMatchObject({ params: 'bad-encoding' });
  });

  const admin = new Router([
    { template: '/v1/admin/erasures/:id', name: 'erasure', method: 'GET' },
    { template: '/v1/admin/erasures/:id', name: 'erase', method: 'DELETE' },
    { template: '/v1/admin/exports', name: 'export', method: 'POST' },
  ]);

  it.each([
    ['GET', '/v1/admin/erasures/p1', 'erasure'],
    ['HEAD', '/v1/admin/erasures/p1', 'erasure'],
    ['DELETE', '/v1/admin/erasures/p1', 'erase'],
    ['POST', '/v1/admin/exports', 'export'],
  ])('%s %s → %s (one path, several methods)', (method, path, name) => {
    expect(router.find(path, method) ?? admin.find(path, method)).toMatchObject({ route: { name } });
  });

  it.each([
    ['PUT', '/v1/admin/erasures/p1', ['DELETE', 'GET', 'HEAD']],
    ['GET', '/v1/admin/exports', ['POST']],
    ['DELETE', '/v1/explain', ['GET', 'HEAD']],
  ])('%s %s is served with other methods only: %j', (method, path, allow) => {
    expect(admin.find(path, method) ?? router.find(path, method)).toEqual({ allow });
  });
});
