import { describe, expect, it } from 'vitest';
import { authorise, mask, parseTokens, tokenFromHeader } from './tokens.ts';

const READ = 'read-token-0123456789';
const ADMIN = 'admin-token-0123456789';
const tokens = (() => { const r = parseTokens(`${READ}:read, ${ADMIN}:admin`); if (!r.ok) throw new Error(r.problem); return r.tokens; })();
const basic = (user: string, pass = '') => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('access tokens', () => {
  it.each([
    ['', 'no token configured'],
    ['abc:read', 'shorter than 16'],
    [`${READ}`, 'must end in :read or :admin'],
    [`${READ}:write`, 'must end in :read or :admin'],
    [`${READ}:read,${READ}:admin`, 'listed twice'],
    ['has a space in it 0123:read', 'white space'],
  ])('refuses the configuration %j: %s', (spec, problem) => {
    const r = parseTokens(spec);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });

  it('keeps digests, not the tokens', () => {
    expect([...tokens.keys()].some((k) => k.includes(READ))).toBe(false);
    expect(tokens.size).toBe(2);
  });

  it.each([
    [`Bearer ${READ}`, READ],
    [`bearer   ${READ}  `, READ],
    [basic(READ), READ],
    [basic(READ, 'ignored'), READ],
    [basic(''), null],
    ['Token abc', null],
    [undefined, null],
  ])('reads %j', (header, token) => {
    expect(tokenFromHeader(header)).toBe(token);
  });

  it.each([
    [`Bearer ${READ}`, 'read', { ok: true, scope: 'read' }],
    [`Bearer ${ADMIN}`, 'read', { ok: true, scope: 'admin' }],
    [basic(ADMIN), 'admin', { ok: true, scope: 'admin' }],
    [`Bearer ${READ}`, 'admin', { ok: false, status: 403 }],
    ['Bearer not-a-token-at-all', 'read', { ok: false, status: 401 }],
    [undefined, 'read', { ok: false, status: 401 }],
  ] as const)('%j on a %s route', (header, need, want) => {
    expect(authorise(tokens, header, need)).toMatchObject(want);
  });

  it('never echoes a whole token', () => {
    const r = authorise(tokens, 'Bearer secret-that-is-unknown', 'read');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).not.toContain('secret-that-is-unknown');
    expect(mask('abcdefgh')).toBe('abcd…');
  });
});
