// Hostile requests against the HTTP surface in-process, sent as raw bytes (a client library would clean the path):
// malformed identifiers, unknown types, bad tokens, huge query strings and request lines, path traversal towards the
// static files. Each answer is a coded 4xx (or a 503 only where a well-formed request reached the absent warehouse),
// never a 500, and the server keeps answering.
import fc from 'fast-check';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIdentityConfig, type Claim } from '../identity/index.ts';
import { createClickHouse } from '../kit/clickhouse.ts';
import { isErrorCode } from '../kit/error-catalog.ts';
import { createLogger } from '../kit/log.ts';
import { Ops } from '../kit/ops.ts';
import { freePort } from '../demo/processes.ts';
import { claim } from '../../test/support/builders.ts';
import { parseApiConfig } from './config.ts';
import { Replay } from './replay.ts';
import { ApiState, listen } from './service.ts';

const READ = 'read-token-for-hostile-0001';
const ADMIN = 'admin-token-for-hostile-001';
let server: Server;
let port: number;

beforeAll(async () => {
  const dead = await freePort();
  const config = parseApiConfig({ TESSERA_API_TOKENS: `${READ}:read,${ADMIN}:admin`, TESSERA_CLICKHOUSE_URL: `http://127.0.0.1:${dead}`, TESSERA_API_QUERY_TIMEOUT_MS: '1000' });
  const state = new ApiState(config);
  new Replay(state, defaultIdentityConfig).claims([
    claim('m1', 1000, 'anonymous_id:c1', 'user_id:u1'),
    claim('m2', 2000, 'user_id:u1', 'email:ada@acme.io'),
  ] as Claim[]);
  state.finishRestore();
  const log = createLogger('test', 'silent');
  const ch = createClickHouse({ url: config.TESSERA_CLICKHOUSE_URL, user: 'default', password: '' }, log);
  const l = await listen(state, { config, ch, ops: new Ops('profile-api'), log }, 0);
  server = l.server;
  port = l.port;
});
afterAll(async () => { await new Promise((r) => server?.close(r)); });

interface Answer { status: number; head: string; body: string }

/** Sends `target` exactly as given on the request line (no client normalises it), with the given header lines. */
function raw(target: string, headers: readonly string[] = [`Authorization: Bearer ${READ}`], method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const at = text.indexOf('\r\n\r\n');
      const head = at < 0 ? text : text.slice(0, at);
      let body = at < 0 ? '' : text.slice(at + 4);
      if (/^transfer-encoding: chunked/im.test(head)) body = unchunk(body);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.end(Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: api\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`, 'latin1'));
  });
}

/** The body of a chunked answer (Node sends one when no Content-Length is set). */
function unchunk(text: string): string {
  let out = '';
  for (let i = 0; ;) {
    const eol = text.indexOf('\r\n', i);
    const size = parseInt(text.slice(i, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

/** A coded JSON error: Segment's envelope with a catalog code whose status is the one answered. */
function expectCodedError(a: Answer, status: number, code: string): void {
  expect([a.status, (JSON.parse(a.body) as { error: { tessera_code: string } }).error.tessera_code], a.body.slice(0, 200)).toEqual([status, code]);
}

const p = (id: string, rest = '') => `/v1/profiles/${id}${rest}`;
const long = (n: number) => 'a'.repeat(n);

describe('hostile requests to the profile API', () => {
  it.each([
    ['an empty value', p('email:'), 400, 'TSR_API_BAD_IDENTIFIER'],
    ['an empty type', p(':u1'), 400, 'TSR_API_BAD_TYPE'],
    ['colons only', p('%3A%3A'), 400, 'TSR_API_BAD_TYPE'],
    ['a 65-character type', p(`${long(65)}:u1`), 400, 'TSR_API_BAD_TYPE'],
    // Types are read as the core reads externalIds types: control characters go, any other letter stays.
    ['a NUL in the type', p('user%00id:u1'), 404, 'TSR_API_UNKNOWN_IDENTIFIER'],
    ['an unknown type', p('loyalty_card:12345'), 404, 'TSR_API_UNKNOWN_IDENTIFIER'],
    ['a type made of symbols', p('%F0%9F%98%80:u1'), 404, 'TSR_API_UNKNOWN_IDENTIFIER'],
    ['an email without @', p('email:ada.acme.io'), 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['a phone of letters', p('phone:call-me-maybe'), 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['a 10,000-character value', p(`user_id:${long(10_000)}`), 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['a 300-character profile id', p(long(300)), 400, 'TSR_API_BAD_IDENTIFIER'],
    ['a lone surrogate, percent-encoded (not UTF-8)', p('user_id:%ED%A0%80'), 400, 'TSR_API_BAD_IDENTIFIER'],
    ['a broken percent-encoding', p('user_id:%E0%A4%A'), 400, 'TSR_API_BAD_IDENTIFIER'],
    ['a lone percent sign', p('user_id:%'), 400, 'TSR_API_BAD_IDENTIFIER'],
    ['a placeholder value', p('user_id:null'), 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['explain with a profile id', '/v1/explain?a=p_1&b=user_id:u1', 400, 'TSR_API_BAD_IDENTIFIER'],
    ['explain with a broken encoding', '/v1/explain?a=user_id%3Au%E0&b=user_id:u1', 404, 'TSR_API_UNKNOWN_IDENTIFIER'],
  ])('%s → %s %s', async (_what, target, status, code) => {
    expectCodedError(await raw(target), status, code);
  });

  it.each([
    ['no Authorization header', []],
    ['Bearer without a token', ['Authorization: Bearer']],
    ['Bearer with two tokens', [`Authorization: Bearer ${READ} ${READ}`]],
    ['another scheme', [`Authorization: Token ${READ}`]],
    ['basic auth that is not base64', ['Authorization: Basic !!!!']],
    ['basic auth of binary bytes', [`Authorization: Basic ${Buffer.from([0xff, 0xfe, 0x00, 0x3a]).toString('base64')}`]],
    ['basic auth with an empty user', [`Authorization: Basic ${Buffer.from(`:${READ}`).toString('base64')}`]],
    ['a 10,000-character token', [`Authorization: Bearer ${long(10_000)}`]],
    ['a token of Latin-1 bytes', ['Authorization: Bearer \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9']],
    ['the read token with a changed case', [`Authorization: Bearer ${READ.toUpperCase()}`]],
  ])('%s → 401', async (_what, headers) => {
    const a = await raw(p('user_id:u1'), headers);
    expectCodedError(a, 401, 'TSR_API_UNAUTHORIZED');
    expect(a.head).toMatch(/www-authenticate: Bearer/i);
    // The token is never echoed whole.
    if (headers[0]?.includes(READ)) expect(a.body).not.toContain(READ.toUpperCase().slice(0, 10));
  });

  it('admin routes: 401 without a token, 403 with a read token, 200 with an admin token; another method is 405', async () => {
    expectCodedError(await raw('/v1/admin/dead-letters', []), 401, 'TSR_API_UNAUTHORIZED');
    expectCodedError(await raw('/v1/admin/dead-letters'), 403, 'TSR_API_FORBIDDEN');
    expect((await raw('/v1/admin/dead-letters', [`Authorization: Bearer ${ADMIN}`])).status).toBe(200);
    const post = await raw('/v1/admin/dead-letters', [`Authorization: Bearer ${ADMIN}`], 'POST');
    expectCodedError(post, 405, 'TSR_API_METHOD');
    expect(post.head).toMatch(/allow: GET, HEAD/i);
  });

  it.each([
    ['an include list of 5,000 values', `${p('user_id:u1', '/external_ids')}?include=${Array.from({ length: 5000 }, () => 'x').join(',')}`, 400, 'TSR_API_BAD_QUERY'],
    ['a 12 KiB limit', `${p('user_id:u1', '/external_ids')}?limit=${'9'.repeat(12_000)}`, 400, 'TSR_API_BAD_QUERY'],
    ['a 12 KiB cursor', `${p('user_id:u1', '/external_ids')}?next=${long(12_000)}`, 400, 'TSR_API_BAD_QUERY'],
    ['a 12 KiB explain side', `/v1/explain?a=user_id:${long(12_000)}&b=user_id:u1`, 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['a start beyond the calendar', `${p('user_id:u1', '/events')}?start=${'9'.repeat(400)}`, 400, 'TSR_API_BAD_QUERY'],
    ['a range wider than allowed', `${p('user_id:u1', '/events')}?start=1970-01-01&end=2026-01-01`, 400, 'TSR_API_BAD_QUERY'],
    ['the same parameter 2,000 times', `${p('user_id:u1', '/external_ids')}?${Array.from({ length: 2000 }, () => 'limit=1').join('&')}`, 200, null],
  ])('%s → %s', async (_what, target, status, code) => {
    const a = await raw(target);
    if (code === null) expect(a.status).toBe(status);
    else expectCodedError(a, status, code);
  });

  it('a request line over the server\'s 16 KiB header limit → 431 with a coded body, and the server answers the next request', async () => {
    const a = await raw(`${p('user_id:u1', '/external_ids')}?include=${long(40_000)}`);
    expectCodedError(a, 431, 'TSR_API_REQUEST_TOO_LARGE');
    expect((await raw(p('user_id:u1'))).status).toBe(200);
  });

  it.each([
    '/explorer/../config.ts', '/explorer/%2e%2e/config.ts', '/explorer/..%2fconfig.ts', '/explorer/%2e%2e%2f%2e%2e%2fpackage.json',
    '/explorer/..\\..\\package.json', '/vendor/../../../../etc/passwd', '/vendor/%2e%2e/%2e%2e/package.json', '/explorer//etc/passwd',
    '/explorer/app.js%00.txt', '/explorer/%00', '/openapi.json/..%2f..%2fconfig.ts', '/..%2f..%2f..%2fetc%2fpasswd', '/explorer/.%2e/tokens.ts',
  ])('path traversal %s → 404, no file outside the allow-list', async (target) => {
    const a = await raw(target, []);
    expectCodedError(a, 404, 'TSR_API_NOT_FOUND');
    expect(a.body).not.toMatch(/import |root:/);
  });

  it.each([
    ['an absolute-form target', 'http://api/v1/profiles/user_id:u1', 200],
    ['an asterisk target', '*', 400],
    ['a target that is no URL', 'http://[::1/v1/profiles/user_id:u1', 400],
    ['a protocol-relative target', '//%20/v1/profiles/user_id:u1', 404],
    ['a target without a leading slash', 'v1/profiles/user_id:u1', 400],
  ])('%s → %s', async (_what, target, status) => {
    const a = await raw(target);
    expect(a.status, a.body).toBe(status);
    if (status >= 400) expect(isErrorCode((JSON.parse(a.body) as { error: { tessera_code: string } }).error.tessera_code)).toBe(true);
  });

  it('answers any path and query with a coded status below 500 (or 503 from the absent warehouse), and keeps answering', async () => {
    const segment = fc.oneof(
      fc.constantFrom('v1', 'profiles', 'spaces', 's', 'collections', 'users', 'accounts', 'traits', 'events', 'external_ids',
        'metadata', 'links', 'activity', 'explain', 'overview', 'admin', 'dead-letters', 'explorer', 'vendor', '..', '.', '',
        'user_id:u1', 'email:ada@acme.io', 'email:%41DA@acme.io', 'p_1', '%', '%2F', '%00', '%E0%A4%A', '%ED%A0%80', 'a%3Ab'),
      fc.string({ maxLength: 20 }).map(encodeURIComponent),
      fc.stringMatching(/^[\x21-\x7e]{0,30}$/).map((s) => s.replace(/[#?/]/g, '')),
    );
    const param = fc.tuple(
      fc.constantFrom('limit', 'next', 'start', 'end', 'sort', 'include', 'exclude', 'verbose', 'class', 'a', 'b', 'events', 'x'),
      fc.oneof(fc.constantFrom('', '0', '1', '-1', '1e3', '100', '101', 'desc', 'asc', 'true', 'null', 'audience', 'user_id:u1',
        '2026-01-01', '1970-01-01T00:00:00Z', "'", "\\'", '%27%3B%20DROP%20TABLE%20events', 'eyJ9', 'a,b,,c'), fc.string({ maxLength: 30 }).map(encodeURIComponent)),
    ).map(([k, v]) => `${k}=${v}`);
    const target = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 8 }), fc.array(param, { maxLength: 6 }))
      .map(([segs, ps]) => `/${segs.join('/')}${ps.length ? `?${ps.join('&')}` : ''}`);
    const token = fc.constantFrom([`Authorization: Bearer ${READ}`], [`Authorization: Bearer ${ADMIN}`], [], ['Authorization: Bearer x']);
    await fc.assert(fc.asyncProperty(target, token, async (t, h) => {
      const a = await raw(t, h);
      expect(a.status, t).toBeGreaterThanOrEqual(200);
      if (a.status >= 400) {
        const code = (JSON.parse(a.body) as { error: { tessera_code: string } }).error.tessera_code;
        expect(isErrorCode(code), t).toBe(true);
        expect(a.status < 500 || code === 'TSR_API_WAREHOUSE_UNAVAILABLE', `${t} → ${a.status} ${code}`).toBe(true);
      }
    }), { numRuns: 400 });
    expect((await raw(p('user_id:u1'))).status).toBe(200);
  });
});
