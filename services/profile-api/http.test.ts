// The HTTP surface in-process: a state fed through the link stage's processor, a ClickHouse client pointed at a
// port nobody listens on (the real client failing for real: the warehouse routes must answer 503, the rest must not care).
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIdentityConfig, type Claim } from '../identity/index.ts';
import { createClickHouse } from '../kit/clickhouse.ts';
import { createLogger } from '../kit/log.ts';
import { Ops } from '../kit/ops.ts';
import { freePort } from '../demo/processes.ts';
import { claim } from '../../test/support/builders.ts';
import { parseApiConfig } from './config.ts';
import { encodeCursor } from './params.ts';
import { Replay } from './replay.ts';
import { ApiState, listen } from './service.ts';

const READ = 'read-token-for-tests-0001';
const ADMIN = 'admin-token-for-tests-0001';
let server: Server;
let base: string;
let state: ApiState;
const ops = new Ops('profile-api');

beforeAll(async () => {
  const dead = await freePort();
  const config = parseApiConfig({ TESSERA_API_TOKENS: `${READ}:read,${ADMIN}:admin`, TESSERA_CLICKHOUSE_URL: `http://127.0.0.1:${dead}`, TESSERA_API_QUERY_TIMEOUT_MS: '2000' });
  state = new ApiState(config);
  const replay = new Replay(state, defaultIdentityConfig);
  replay.claims([
    claim('m1', 1000, 'anonymous_id:c1', 'user_id:u1'),
    claim('m2', 2000, 'user_id:u1', 'email:ada@acme.io'),
    claim('m3', 3000, 'anonymous_id:c2'),
    claim('m4', 4000, 'anonymous_id:c2', 'phone:+14155552671'),
    // Joins the two profiles: the younger one is merged into the older.
    claim('m5', 5000, 'phone:+14155552671', 'email:ada@acme.io'),
  ] as Claim[]);
  state.finishRestore();
  const log = createLogger('test', 'silent');
  const ch = createClickHouse({ url: config.TESSERA_CLICKHOUSE_URL, user: 'default', password: '' }, log);
  const l = await listen(state, { config, ch, ops, log }, 0);
  server = l.server;
  base = `http://127.0.0.1:${l.port}`;
});
afterAll(async () => { await new Promise((r) => server?.close(r)); });

const get = async (path: string, token: string | null = READ, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
};
const seg = (id: string, what: string) => `/v1/spaces/any-space/collections/users/profiles/${encodeURIComponent(id)}/${what}`;

describe('profile API over HTTP', () => {
  it('answers Segment\'s external_ids by any identifier, normalised as the core normalises, after the merge', async () => {
    const survivor = state.tables.byIdentifier('user_id:u1');
    expect(survivor.ok).toBe(true);
    const pid = survivor.ok ? survivor.profile.profileId : '';
    for (const id of ['email: Ada@ACME.io', 'phone:(415) 555-2671', 'anonymous_id:c2', 'user_id:u1', pid]) {
      const r = await get(seg(id, 'external_ids'));
      expect(r.status, id).toBe(200);
      expect(r.body.data.map((x: { type: string; id: string }) => `${x.type}:${x.id}`), id)
        .toEqual(['anonymous_id:c1', 'user_id:u1', 'email:ada@acme.io', 'anonymous_id:c2', 'phone:+14155552671']);
      expect(r.body.cursor).toMatchObject({ has_more: false, next: '' });
      expect(r.headers.get('request-id')).toMatch(/^[0-9a-f]{20,}$/);
    }
  });

  it('pages external ids with the cursor it hands out', async () => {
    const first = await get(`${seg('user_id:u1', 'external_ids')}?limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.cursor).toMatchObject({ has_more: true, limit: 2 });
    const rest = await get(`${seg('user_id:u1', 'external_ids')}?limit=10&next=${first.body.cursor.next}`);
    expect(rest.body.data.map((x: { id: string }) => x.id)).toEqual(['ada@acme.io', 'c2', '+14155552671']);
    const gone = await get(`${seg('user_id:u1', 'external_ids')}?next=${encodeCursor({ after: 'email:left@acme.io' })}`);
    expect([gone.status, gone.body.error.tessera_code]).toEqual([400, 'TSR_API_BAD_QUERY']);
    const emails = await get(`${seg('user_id:u1', 'external_ids')}?include=email,phone`);
    expect(emails.body.data.map((x: { type: string }) => x.type)).toEqual(['email', 'phone']);
  });

  it('serves the profile 360 from memory: identifiers with their linking events, links as a tree, merged ids followed', async () => {
    const r = await get('/v1/profiles/anonymous_id:c2');
    expect(r.status).toBe(200);
    expect(r.body.profile).toMatchObject({ state: 'active', identifierCount: 5, firstSeen: '1970-01-01T00:00:01.000Z' });
    expect(r.body.identifiers[0]).toEqual({ type: 'anonymous_id', value: 'c1', linkedAt: '1970-01-01T00:00:01.000Z', linkedBy: 'm1' });
    expect(r.body.links.complete).toBe(true);
    expect(r.body.links.edges.map((e: { to: string; messageId: string }) => `${e.to}@${e.messageId}`).sort())
      .toEqual(['anonymous_id:c2@m4', 'email:ada@acme.io@m2', 'phone:+14155552671@m5', 'user_id:u1@m1']);
    const absorbed = state.tables.stats().mergedProfiles;
    expect(absorbed).toBe(1);
  });

  it('explains a link chain with its events even while the warehouse is down', async () => {
    const r = await get(`/v1/explain?a=${encodeURIComponent('anonymous_id:c1')}&b=${encodeURIComponent('phone:415-555-2671')}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ linked: true, a: { identifier: 'anonymous_id:c1' }, b: { identifier: 'phone:+14155552671' } });
    expect(r.body.chain.map((e: { from: string; to: string; messageId: string }) => `${e.from}>${e.to}@${e.messageId}`))
      .toEqual(['anonymous_id:c1>user_id:u1@m1', 'user_id:u1>email:ada@acme.io@m2', 'email:ada@acme.io>phone:+14155552671@m5']);
    expect(r.body.events.unavailable).toContain('ClickHouse');
    const chainOnly = await get(`/v1/explain?a=${encodeURIComponent('anonymous_id:c1')}&b=${encodeURIComponent('email:ada@acme.io')}&events=false`);
    expect([chainOnly.body.chain.length, chainOnly.body.events]).toEqual([2, null]);
  });

  it.each([
    ['no token', seg('user_id:u1', 'metadata'), null, 401, 'TSR_API_UNAUTHORIZED', 'authentication_error'],
    ['an unknown token', seg('user_id:u1', 'metadata'), 'nope-nope-nope-nope-nope', 401, 'TSR_API_UNAUTHORIZED', 'authentication_error'],
    ['a read token on an admin route', '/v1/admin/dead-letters', READ, 403, 'TSR_API_FORBIDDEN', 'authentication_error'],
    ['an unknown identifier', seg('email:nobody@acme.io', 'traits'), READ, 404, 'TSR_API_UNKNOWN_IDENTIFIER', 'not_found'],
    ['an unknown profile id', seg('p_nobody', 'metadata'), READ, 404, 'TSR_API_UNKNOWN_PROFILE', 'not_found'],
    ['a bad type', seg(`${'t'.repeat(65)}:abc`, 'traits'), READ, 400, 'TSR_API_BAD_TYPE', 'validation_error'],
    ['a value the core drops', seg('email:not-an-email', 'traits'), READ, 400, 'TSR_API_INVALID_IDENTIFIER', 'validation_error'],
    ['a placeholder value', seg('anonymous_id:undefined', 'traits'), READ, 400, 'TSR_API_INVALID_IDENTIFIER', 'validation_error'],
    ['an account collection', '/v1/spaces/s/collections/accounts/profiles/group_id:1/traits', READ, 404, 'TSR_API_NOT_FOUND', 'not_found'],
    ['a bad limit', `${seg('user_id:u1', 'external_ids')}?limit=500`, READ, 400, 'TSR_API_BAD_QUERY', 'invalid_request_error'],
    ['a forged cursor', `${seg('user_id:u1', 'events')}?next=xyz`, READ, 400, 'TSR_API_BAD_QUERY', 'invalid_request_error'],
    ['an explain without b', '/v1/explain?a=user_id:u1', READ, 400, 'TSR_API_BAD_QUERY', 'invalid_request_error'],
    ['no such route', '/v1/nothing', READ, 404, 'TSR_API_NOT_FOUND', 'not_found'],
    ['the warehouse down (traits)', seg('user_id:u1', 'traits'), READ, 503, 'TSR_API_WAREHOUSE_UNAVAILABLE', 'server_error'],
    ['the warehouse down (events)', seg('user_id:u1', 'events'), READ, 503, 'TSR_API_WAREHOUSE_UNAVAILABLE', 'server_error'],
  ])('answers %s with a coded JSON error', async (_name, path, token, status, code, segment) => {
    const r = await get(path, token);
    expect(r.status).toBe(status);
    expect(r.body.error).toMatchObject({ code: segment, tessera_code: code });
    expect(r.body.error.message.length).toBeGreaterThan(5);
    if (status === 401) expect(r.headers.get('www-authenticate')).toContain('Bearer');
    if (status === 503) expect(r.headers.get('retry-after')).toBe('5');
  });

  it('accepts Segment\'s basic auth (the token as user name) and admin tokens on read routes', async () => {
    const basic = `Basic ${Buffer.from(`${READ}:`).toString('base64')}`;
    expect((await get(seg('user_id:u1', 'metadata'), null, { authorization: basic })).status).toBe(200);
    expect((await get(seg('user_id:u1', 'links'), ADMIN)).body).toEqual({ data: [] });
    expect((await get('/v1/admin/dead-letters', ADMIN)).body).toEqual({ total: 0, data: [] });
  });

  it('refuses writes', async () => {
    const res = await fetch(`${base}/v1/profiles/user_id:u1`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the explorer, its chart library and the OpenAPI document without a token, with ETags', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/explorer/']);
    const page = await get('/explorer/', null);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/explorer/app.js">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const lib = await get('/vendor/echarts.esm.min.mjs', null);
    expect([lib.status, lib.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(lib.text).toMatch(/export\s*\{/);
    const again = await get('/explorer/app.js', null, { 'if-none-match': page.headers.get('etag') ?? '' });
    expect(again.status).toBe(200);
    const cached = await fetch(`${base}/explorer/app.js`);
    expect((await get('/explorer/app.js', null, { 'if-none-match': cached.headers.get('etag')! })).status).toBe(304);
    expect((await get('/openapi.json', null)).body.openapi).toBe('3.1.0');
    expect((await get('/explorer/../config.ts', null)).status).toBe(404);
  });

  it('has the operator endpoints on the same port, with request metrics by route', async () => {
    expect((await get('/healthz', null)).status).toBe(200);
    ops.setReady(true, 'restored');
    expect((await get('/readyz', null)).body).toEqual({ status: 'ready', reason: 'restored' });
    const metrics = (await get('/metrics', null)).text;
    expect(metrics).toMatch(/tessera_api_requests_total\{route="segment.external_ids",status="200"[^}]*\} \d+/);
    expect(metrics).toMatch(/tessera_api_identifiers\{[^}]*\} 5/);
  });
});
