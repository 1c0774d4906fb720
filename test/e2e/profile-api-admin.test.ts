// The profile API's admin routes for privacy requests on the real servers: erasure and export by TYPE:VALUE through
// the privacy topics (the link stage and the privacy service apply the erasure), the admin scope enforced, malformed
// input answered 4xx with the catalog code and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRIVACY_SCHEMAS, type PrivacyRequestRecord } from '../../services/kit/records.ts';
import { readAll } from '../support/claims.ts';
import { ADMIN_TOKEN, apiPipeline, READ_TOKEN, type ApiPipeline } from '../support/profile-api.ts';

let p: ApiPipeline;
const requests = async () => (await readAll<PrivacyRequestRecord>(p.s.kafka, p.s.codec, p.s.topics.privacyRequests, PRIVACY_SCHEMAS.request)).flatMap((r) => (r.value ? [r.value] : []));

beforeAll(async () => {
  p = await apiPipeline('apiadmin', 25, 7);
  await p.services.start('privacy');
}, 300_000);
afterAll(async () => {
  await p?.close();
});

async function post(path: string, token: string | null = ADMIN_TOKEN) {
  const res = await fetch(`${p.base}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() as { error?: { tessera_code: string; message: string } } & Record<string, unknown> };
}
const enc = encodeURIComponent;

describe('admin privacy routes', () => {
  it('need the admin scope: no token 401, a read token 403, and nothing is written', async () => {
    const before = (await requests()).length;
    expect((await post(`/v1/admin/erasure/${enc('email:a@b.io')}?requested_by=dpo`, null)).status).toBe(401);
    const read = await post(`/v1/admin/erasure/${enc('email:a@b.io')}?requested_by=dpo`, READ_TOKEN);
    expect([read.status, read.body.error?.tessera_code]).toEqual([403, 'TSR_API_FORBIDDEN']);
    expect((await post(`/v1/admin/export/${enc('email:a@b.io')}?requested_by=dpo`, READ_TOKEN)).status).toBe(403);
    expect((await requests()).length).toBe(before);
  });

  it.each([
    ['no TYPE:VALUE', `/v1/admin/erasure/${enc('ana@acme.io')}?requested_by=dpo`, 400, 'TSR_API_BAD_IDENTIFIER'],
    ['an invalid email', `/v1/admin/erasure/${enc('email:not-an-email')}?requested_by=dpo`, 400, 'TSR_API_INVALID_IDENTIFIER'],
    ['no requested_by', `/v1/admin/erasure/${enc('email:a@b.io')}`, 400, 'TSR_API_BAD_QUERY'],
    ['an empty request_id', `/v1/admin/erasure/${enc('email:a@b.io')}?requested_by=dpo&request_id=`, 400, 'TSR_API_BAD_QUERY'],
    ['an export without requested_by', `/v1/admin/export/${enc('email:a@b.io')}`, 400, 'TSR_API_BAD_QUERY'],
  ])('%s → %i %s, nothing written', async (_name, path, status, code) => {
    const before = (await requests()).length;
    const r = await post(path);
    expect([r.status, r.body.error?.tessera_code]).toEqual([status, code]);
    expect((await requests()).length).toBe(before);
  });

  it('GET on an admin privacy route is 405 with Allow: POST', async () => {
    const res = await fetch(`${p.base}/v1/admin/erasure/${enc('email:a@b.io')}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('export, then erasure, then export again: the person is found, erased, and no longer held', async () => {
    const userId = p.touchpoints.find((t) => t.userId)!.userId!;
    const first = await post(`/v1/admin/export/${enc(`user_id:${userId}`)}?requested_by=dpo%40shop.example`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ found: true, subject: { type: 'user_id', value: userId }, profileId: expect.any(String) });
    expect((first.body.events as unknown[]).length).toBeGreaterThan(0);

    const erased = await post(`/v1/admin/erasure/${enc(`user_id:${userId}`)}?requested_by=dpo%40shop.example&request_id=api-erase-1`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ requestId: 'api-erase-1', outcome: 'erased', code: null });

    const again = await post(`/v1/admin/export/${enc(`user_id:${userId}`)}?requested_by=dpo%40shop.example`);
    expect([again.status, again.body.error?.tessera_code]).toEqual([404, 'TSR_API_UNKNOWN_IDENTIFIER']);
    // Both exports and the erasure were written as requests, in order.
    const kinds = (await requests()).map((r) => r.kind);
    expect(kinds.slice(-3)).toEqual(['export', 'erase', 'export']);
  }, 180_000);
});
