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
    expect(router.find('/v1/profiles/%E0%A4%A')?.params).toBe('bad-encoding');
  });
});
