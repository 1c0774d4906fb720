// The profile API on the real pipeline (touchpoints → extract → link, the writer into ClickHouse): any identifier of a
// person finds the profile the pure core computes, with the events that linked each identifier; Segment's routes read
// the warehouse; explain gives the core's chain; the API follows new links, restores after a restart, and says what
// is wrong with a bad request.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractIdentifiers, defaultIdentityConfig, IdentityGraph, type Claim, type ProfileSnapshot } from '../../services/identity/index.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { select } from '../../services/kit/clickhouse.ts';
import type { IdentityIdentifierRecord } from '../../services/kit/records.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { str } from '../../services/kit/sql.ts';
import { touchpointKey } from '../../services/loadgen/produce.ts';
import { touchpoint } from '../support/builders.ts';
import { readAll } from '../support/claims.ts';
import { latestByKey } from '../support/topics.ts';
import { eventually } from '../support/published.ts';
import { ADMIN_TOKEN, apiPipeline, READ_TOKEN, type ApiPipeline } from '../support/profile-api.ts';

let p: ApiPipeline;
/** A person with an email and several identifiers: the profile the tests look at. */
let person: ProfileSnapshot;
let graph: IdentityGraph;

beforeAll(async () => {
  p = await apiPipeline('profileapi', 150, 23);
  const claims: Claim[] = [];
  for (const t of p.touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    const ids = extractIdentifiers(t, defaultIdentityConfig).identifiers;
    if (ids.length > 0) claims.push({ messageId: t.messageId, eventTime: t.timestamp, identifiers: ids });
  }
  // Applied one by one, as the link stage does: a claim keeps its earliest event.
  graph = new IdentityGraph(defaultIdentityConfig);
  for (const c of claims) graph.apply(c);
  person = [...p.expected.snapshots]
    .filter((s) => s.identifiers.some((l) => l.identifier.type === 'email') && s.identifiers.some((l) => l.identifier.type === 'phone'))
    .sort((a, b) => b.identifiers.length - a.identifiers.length || (a.profileId < b.profileId ? -1 : 1))[0]!;
}, 400_000);
afterAll(async () => { await p?.close(); });

const key = (l: { identifier: { type: string; value: string } }) => `${l.identifier.type}:${l.identifier.value}`;
const enc = encodeURIComponent;
const seg = (id: string, what: string) => `/v1/spaces/tessera/collections/users/profiles/${enc(id)}/${what}`;
const WIDE = `start=${enc(new Date(Date.now() - 30 * 86_400_000).toISOString())}&end=${enc(new Date(Date.now() + 86_400_000).toISOString())}`;

describe('profile API on the real pipeline', () => {
  it('answers every identifier of a person, however it is written, with the profile resolve() computes and the event that linked each', async () => {
    expect(person.identifiers.length).toBeGreaterThanOrEqual(4);
    const want = person.identifiers.map((l) => ({ type: l.identifier.type, value: l.identifier.value, linkedAt: new Date(l.eventTime).toISOString(), linkedBy: l.messageId }));
    const email = person.identifiers.find((l) => l.identifier.type === 'email')!.identifier.value;
    const asked = [...person.identifiers.map(key), `EMAIL: ${email.toUpperCase()} `, person.profileId];
    for (const id of asked) {
      const r = await p.get(`/v1/profiles/${enc(id)}`);
      expect(r.status, id).toBe(200);
      expect(r.body.profile.id, id).toBe(person.profileId);
      expect(r.body.identifiers.sort(byKey), id).toEqual(want.sort(byKey));
    }
    const r = await p.get(`/v1/profiles/${enc(`email:${email}`)}`);
    expect(r.body.profile.firstSeen).toBe(new Date(person.firstSeen).toISOString());
    // The links drawn in the explorer: one edge into every identifier but the first, each made by a linking event.
    expect(r.body.links.complete).toBe(true);
    expect(r.body.links.edges).toHaveLength(person.identifiers.length - 1);
  });

  it('answers Segment\'s external_ids and metadata routes from the identity tables', async () => {
    const phone = person.identifiers.find((l) => l.identifier.type === 'phone')!.identifier.value;
    const ids: string[] = [];
    let next = '';
    for (let page = 0; page < 20; page++) {
      const r = await p.get(`${seg(`phone:${phone}`, 'external_ids')}?limit=3${next ? `&next=${next}` : ''}`);
      expect(r.status).toBe(200);
      ids.push(...r.body.data.map((x: { type: string; id: string }) => `${x.type}:${x.id}`));
      if (!r.body.cursor.has_more) break;
      next = r.body.cursor.next;
    }
    expect(ids.sort()).toEqual(person.identifiers.map(key).sort());
    const m = await p.get(seg(person.profileId, 'metadata'));
    expect(m.body.metadata.created_at).toBe(new Date(person.firstSeen).toISOString());
  });

  it('pages a person\'s events from the warehouse, newest first, every event once, and reads its traits and aggregates', async () => {
    const viewed = await select<{ message_id: string }>(p.s.ch,
      `SELECT message_id FROM ${p.s.database}.events_current WHERE current_profile_id = ${str(person.profileId)}`);
    expect(viewed.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let last = Infinity;
    let next = '';
    for (let page = 0; page < 100; page++) {
      const r = await p.get(`${seg(`user_id:${person.identifiers.find((l) => l.identifier.type === 'user_id')?.identifier.value ?? ''}`, 'events')}?limit=7&${WIDE}${next ? `&next=${next}` : ''}`);
      expect(r.status).toBe(200);
      for (const e of r.body.data) {
        const t = Date.parse(e.timestamp);
        expect(t).toBeLessThanOrEqual(last);
        last = t;
        expect(e.related.users).toBe(person.profileId);
        seen.push(e.message_id);
      }
      if (!r.body.cursor.has_more) break;
      next = r.body.cursor.next;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(viewed.map((v) => v.message_id).sort());

    const activity = await p.get(`/v1/profiles/${enc(person.profileId)}/activity?${WIDE}`);
    expect(activity.body.totals.events).toBe(viewed.length);
    expect(activity.body.byDay.reduce((n: number, d: { events: number }) => n + d.events, 0)).toBe(viewed.length);

    const traits = await p.get(`${seg(person.profileId, 'traits')}?limit=200`);
    const warehouse = await select<{ trait: string; value: string }>(p.s.ch,
      `SELECT trait, value FROM ${p.s.database}.profile_traits_current WHERE profile_id = ${str(person.profileId)}`);
    expect(traits.body.traits).toEqual(Object.fromEntries(warehouse.map((t) => [t.trait, t.value])));
    // The generator names each person in its identify calls: the name is one of the people behind this profile.
    const people = new Set(person.identifiers.map((l) => p.truth.get(l.messageId)));
    expect([...people].map((n) => `Person ${n}`)).toContain(traits.body.traits.name);
  });

  it('reads profiles\' traits and totals through their claims exactly as the analysts\' views attribute them', async () => {
    // The API filters the per-claim tables to a profile's claims first; the views join every claim and filter after.
    const views = await select<{ profile_id: string; traits: string; events: string; revenue: number }>(p.s.ch,
      `SELECT t.profile_id AS profile_id, t.traits AS traits, toString(a.events) AS events, a.revenue AS revenue FROM`
      + ` (SELECT profile_id, arrayStringConcat(groupArray(concat(trait, '=', value)), '|') AS traits FROM (SELECT profile_id, trait, value FROM ${p.s.database}.profile_traits_current ORDER BY profile_id, trait) GROUP BY profile_id) AS t`
      + ` ANY LEFT JOIN (SELECT profile_id, events, revenue FROM ${p.s.database}.profile_activity_totals) AS a USING (profile_id) ORDER BY profile_id LIMIT 40`);
    expect(views.length).toBeGreaterThan(20);
    for (const v of views) {
      const traits = await p.get(`${seg(v.profile_id, 'traits')}?limit=200`);
      expect(Object.entries(traits.body.traits as Record<string, string>).map(([k, x]) => `${k}=${x}`).join('|'), v.profile_id).toBe(v.traits);
      const activity = await p.get(`/v1/profiles/${enc(v.profile_id)}/activity?${WIDE}`);
      expect(activity.body.totals.events, v.profile_id).toBe(Number(v.events));
      // Sums of the same floats, added in another order.
      expect(activity.body.totals.revenue, v.profile_id).toBeCloseTo(v.revenue, 6);
    }
  });

  it('explains why two identifiers share the profile with the core\'s chain and the linking events', async () => {
    const ordered = [...person.identifiers].sort((a, b) => a.eventTime - b.eventTime);
    const [a, b] = [ordered[0]!, ordered[ordered.length - 1]!];
    const r = await p.get(`/v1/explain?a=${enc(key(a))}&b=${enc(key(b))}`);
    expect(r.status).toBe(200);
    expect(r.body.linked).toBe(true);
    const want = graph.explain(a.identifier, b.identifier)!;
    expect(r.body.chain.map((e: { to: string; messageId: string }) => `${e.to}@${e.messageId}`)).toEqual(want.map((l) => `${key(l)}@${l.messageId}`));
    const events = new Map((r.body.events as { messageId: string; identifiers: string[] }[]).map((e) => [e.messageId, e]));
    for (const e of r.body.chain as { from: string; to: string; messageId: string }[]) {
      expect(events.get(e.messageId)?.identifiers, e.messageId).toEqual(expect.arrayContaining([e.from, e.to]));
    }
  });

  it('draws the overview from the warehouse and the dead-letter topic', async () => {
    const r = await p.get('/v1/overview');
    expect(r.status).toBe(200);
    const sum = (s: { n: number }[]) => s.reduce((n, x) => n + x.n, 0);
    expect(r.body.range.bucket).toBe('day');
    expect(sum(r.body.series.channel)).toBe(p.expected.valid);
    expect(sum(r.body.series.deviceType)).toBe(p.expected.valid);
    expect(sum(r.body.series.region)).toBe(p.expected.valid);
    const [changes] = await select<{ n: string }>(p.s.ch, `SELECT count() AS n FROM ${p.s.database}.identity_changes FINAL`);
    expect(sum(r.body.series.identityChanges)).toBe(Number(changes!.n));
    expect(sum(r.body.series.identityChanges)).toBeGreaterThan(0);
    const invalid = p.touchpoints.length - p.expected.valid;
    expect(sum(r.body.series.deadLetters)).toBe(invalid + p.malformed);
    expect(r.body.state).toMatchObject({ profiles: Object.keys(p.expected.profiles).length, restored: true });
  });

  it('says what is wrong with a bad request', async () => {
    const table = latestByKey(await readAll<IdentityIdentifierRecord>(p.s.kafka, p.s.codec, p.s.topics.identifiers, 'identity-identifier'));
    const unlinked = [...table].find(([, r]) => r !== null && r.profileId === null);
    expect(unlinked, 'the population has a contested shared device').toBeDefined();
    const cases: [string, string | null, number, string][] = [
      [seg('email:nobody.here@acme.io', 'traits'), READ_TOKEN, 404, 'TSR_API_UNKNOWN_IDENTIFIER'],
      [seg(unlinked![0], 'traits'), READ_TOKEN, 404, 'TSR_API_UNLINKED_IDENTIFIER'],
      [seg('email:no-at-sign', 'traits'), READ_TOKEN, 400, 'TSR_API_INVALID_IDENTIFIER'],
      [seg(`${'x'.repeat(65)}:x`, 'traits'), READ_TOKEN, 400, 'TSR_API_BAD_TYPE'],
      [`${seg(person.profileId, 'events')}?start=2020-01-01&end=2026-01-01`, READ_TOKEN, 400, 'TSR_API_BAD_QUERY'],
      [seg(person.profileId, 'traits'), null, 401, 'TSR_API_UNAUTHORIZED'],
      ['/v1/admin/dead-letters', READ_TOKEN, 403, 'TSR_API_FORBIDDEN'],
    ];
    for (const [path, token, status, code] of cases) {
      const r = await p.get(path, token);
      expect([path, r.status, r.body.error?.tessera_code]).toEqual([path, status, code]);
    }
    const admin = await p.get('/v1/admin/dead-letters?limit=100', ADMIN_TOKEN);
    expect(admin.status).toBe(200);
    expect(admin.body.data.map((d: { code: string }) => d.code)).toEqual(expect.arrayContaining(['TSR_DLQ_INVALID', 'TSR_DLQ_WIRE_FORMAT', 'TSR_DLQ_UNKNOWN_SCHEMA']));
  });

  it('hands hostile query values to ClickHouse escaped: every answer is 200 or a coded 4xx, never a 5xx', async () => {
    const id = enc(`email:${person.identifiers.find((l) => l.identifier.type === 'email')!.identifier.value}`);
    const hostile = fc.oneof(
      fc.constantFrom("'", "\\'", "\\", "') OR 1=1 --", "'; DROP TABLE events; --", '`', '"', '\u0000', '\n', '%', '_', '*',
        'Order Completed', 'page', "a', 'b", '\u00e9\u{1F600}', 'x'.repeat(300)),
      fc.string({ maxLength: 40 }),
    );
    const route = fc.constantFrom(seg(id, 'events'), `/v1/profiles/${id}/events`, seg(id, 'traits'), `/v1/profiles/${id}/traits`);
    await fc.assert(fc.asyncProperty(route, fc.constantFrom('include', 'exclude', 'next'), fc.array(hostile, { minLength: 1, maxLength: 4 }), async (path, name, values) => {
      const r = await p.get(`${path}?${name}=${enc(values.join(','))}`);
      expect(r.status, `${path}?${name}=${values.join(',')}: ${JSON.stringify(r.body).slice(0, 200)}`).toBeLessThan(500);
      if (r.status >= 400) expect(r.body.error.tessera_code).toMatch(/^TSR_API_/);
    }), { numRuns: 80 });
  });

  it('follows new links as the link stage publishes them, and restores them after a restart', async () => {
    const userId = person.identifiers.find((l) => l.identifier.type === 'user_id')!.identifier.value;
    const email = `new.${p.s.id}@acme.io`;
    const t = touchpoint({ type: 'identify', event: null, userId, traits: { email }, timestamp: Date.now() - 60_000, source: 'server' });
    const schemaId = await p.s.codec.register('touchpoint', `${p.s.topics.touchpoints}-value`);
    const producer = idempotentProducer(p.s.kafka);
    await producer.connect();
    await producer.send({ topic: p.s.topics.touchpoints, messages: [{ key: touchpointKey(t), value: p.s.codec.encode('touchpoint', schemaId, t) }] });
    await producer.disconnect();
    const found = await eventually(() => p.get(`/v1/profiles/${enc(`email:${email}`)}`), (r) => r.status === 200, 'the API to know the new email', 60_000);
    expect(found.body.profile.id).toBe(person.profileId);
    expect(found.body.identifiers.find((i: { value: string }) => i.value === email)).toMatchObject({ linkedBy: t.messageId });

    await p.restartApi();
    const again = await p.get(`/v1/profiles/${enc(`email:${email}`)}`);
    expect(again.body.profile.id).toBe(person.profileId);
    expect(again.body.identifiers).toHaveLength(person.identifiers.length + 1);
    const why = await p.get(`/v1/explain?a=${enc(`user_id:${userId}`)}&b=${enc(`email:${email}`)}`);
    expect(why.body.chain).toEqual([expect.objectContaining({ from: `user_id:${userId}`, to: `email:${email}`, messageId: t.messageId })]);
  });
});

function byKey(a: { type: string; value: string }, b: { type: string; value: string }): number {
  return `${a.type}:${a.value}` < `${b.type}:${b.value}` ? -1 : 1;
}
