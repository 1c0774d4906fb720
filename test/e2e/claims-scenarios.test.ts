// Identity scenarios through extract → link on the real servers, as downstream systems see them on Kafka: a login
// merge, a shared family computer, a placeholder email, bad records, repeated touchpoints, blocked values kept in the
// changelog, and tools/explain.ts on what the link stage committed (ported from the resolver's scenario test).
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import { defaultIdentityConfig, IdentityGraph, parseIdentityConfig, type ChangelogRecord } from '../../services/identity/index.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import type { ClaimRecord, DeadLetterRecord, IdentityChangeRecord, IdentityIdentifierRecord, ProfileRecord } from '../../services/kit/records.ts';
import { context, device, touchpoint } from '../support/builders.ts';
import { drained, readAll } from '../support/claims.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey } from '../support/topics.ts';

let s: IsolatedStack;
let services: ServiceHarness;
let extract: ServiceProcess;
let link: ServiceProcess;
beforeAll(async () => {
  s = await isolatedStack('clscen', { partitions: 3 });
  services = serviceHarness(s);
  extract = await services.start('extract');
  link = await services.start('link');
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

const t0 = Date.UTC(2026, 5, 1, 12);
const at = (minutes: number) => t0 + minutes * 60_000;

async function produce(touchpoints: Touchpoint[], raw: Buffer[] = []): Promise<void> {
  const id = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const p = idempotentProducer(s.kafka);
  await p.connect();
  await p.send({
    topic: s.topics.touchpoints,
    messages: [
      ...touchpoints.map((t) => ({ key: t.anonymousId ?? t.userId, value: s.codec.encode('touchpoint', id, t) })),
      ...raw.map((value) => ({ key: 'raw', value })),
    ],
  });
  await p.disconnect();
}

/** Both stages have committed everything produced so far. */
async function settled(): Promise<void> {
  await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
  await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
}

const identifierTable = async () => new Map([...latestByKey(await readAll<IdentityIdentifierRecord>(s.kafka, s.codec, s.topics.identifiers, 'identity-identifier'))]
  .map(([k, v]) => [k, v?.profileId ?? null]));

describe('claims stages: identity scenarios', () => {
  it('merges, refuses a shared device, drops a placeholder, dead-letters bad records; offsets committed with the outputs', async () => {
    await produce([
      // Anonymous browsing, then login: the cookie and the user id end up in one profile.
      touchpoint({ messageId: 'a1', anonymousId: 'cookie-A', event: 'Product Viewed', timestamp: at(0) }),
      touchpoint({ messageId: 'a2', anonymousId: 'cookie-A', event: 'Product Viewed', timestamp: at(1) }),
      touchpoint({ messageId: 'a3', type: 'identify', event: null, anonymousId: 'cookie-A', userId: 'alice', traits: { email: '  Alice@Acme.io ' }, timestamp: at(2) }),
      // A second device of Alice's, later linked by her email: a merge into the older profile.
      touchpoint({ messageId: 'a4', anonymousId: 'cookie-A2', context: context({ device: device({ id: 'phone-alice' }) }), timestamp: at(3) }),
      touchpoint({ messageId: 'a5', type: 'identify', event: null, anonymousId: 'cookie-A2', traits: { email: 'alice@acme.io' }, timestamp: at(4) }),
      // Shared family computer: two user ids on one cookie must not merge.
      touchpoint({ messageId: 'f1', type: 'identify', event: null, anonymousId: 'family-pc', userId: 'bob', timestamp: at(5) }),
      touchpoint({ messageId: 'f2', type: 'identify', event: null, anonymousId: 'family-pc', userId: 'carol', timestamp: at(6) }),
      // Invalid: a track call without an event name.
      touchpoint({ messageId: 'bad1', anonymousId: 'cookie-Z', event: '', timestamp: at(7) }),
      // A placeholder email from a buggy SDK is never linked; the cookie still is.
      touchpoint({ messageId: 'p1', type: 'identify', event: null, anonymousId: 'cookie-P', traits: { email: 'undefined' }, timestamp: at(8) }),
    ], [Buffer.from('{"not":"avro"}'), Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3])]);
    await settled();

    const ids = await identifierTable();
    const alice = ids.get('user_id:alice')!;
    expect(alice).toMatch(/^p_/);
    for (const i of ['anonymous_id:cookie-A', 'anonymous_id:cookie-A2', 'device_id:phone-alice', 'email:alice@acme.io']) expect(ids.get(i), i).toBe(alice);
    // The family computer's cookie, seen with two user ids, is a contested shared device: it links neither.
    expect(ids.get('user_id:bob')).toMatch(/^p_/);
    expect(ids.get('user_id:carol')).toMatch(/^p_/);
    expect(ids.get('user_id:bob')).not.toBe(ids.get('user_id:carol'));
    expect(ids.get('anonymous_id:family-pc')).toBeNull();
    expect(ids.get('anonymous_id:cookie-P')).toMatch(/^p_/);
    expect([...ids.keys()].filter((k) => k.startsWith('email:undefined'))).toEqual([]);

    const profiles = latestByKey(await readAll<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile'));
    expect(profiles.get(alice)!.identifiers.map((i) => `${i.type}:${i.value}`).sort())
      .toEqual(['anonymous_id:cookie-A', 'anonymous_id:cookie-A2', 'device_id:phone-alice', 'email:alice@acme.io', 'user_id:alice']);
    const merged = [...profiles.entries()].filter(([, p]) => p?.state === 'merged');
    // Every profile merged away leads to Alice's by its mergedInto chain (claims of two partitions reach the link
    // stage in any order: cookie-A2's own profile merges in, and a profile re-founded by an earlier event too).
    const follow = (id: string): string => { const p = profiles.get(id); return p?.state === 'merged' ? follow(p.mergedInto!) : id; };
    expect(merged.map(([id]) => follow(id))).toEqual(merged.map(() => alice));

    // The merges topic holds each of those merges, and the family computer's cookie leaving Bob's profile
    // (contested: to no one).
    const changes = (await readAll<IdentityChangeRecord>(s.kafka, s.codec, s.topics.merges, 'identity-change')).map((c) => c.value!);
    expect(changes.filter((c) => c.kind === 'merge').map((c) => [c.fromProfileId, c.intoProfileId]).sort()).toEqual(merged.map(([id, p]) => [id, p!.mergedInto]).sort());
    // f1's and f2's claims sit on different partitions of the claims topic: the cookie leaves whichever user's profile
    // it joined first, when the other user's claim arrives.
    const moves = changes.filter((c) => c.kind === 'move').map((c) => [c.identifier, c.fromProfileId, c.intoProfileId, c.messageId]);
    expect(moves).toHaveLength(1);
    expect([
      [{ type: 'anonymous_id', value: 'family-pc' }, ids.get('user_id:bob'), null, 'f2'],
      [{ type: 'anonymous_id', value: 'family-pc' }, ids.get('user_id:carol'), null, 'f1'],
    ]).toContainEqual(moves[0]);

    // Bad records are the extract stage's to dead-letter, with reasons and the original bytes.
    const dlq = (await readAll<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter')).map((d) => d.value!);
    expect(dlq.map((d) => d.code).sort()).toEqual(['TSR_DLQ_INVALID', 'TSR_DLQ_UNKNOWN_SCHEMA', 'TSR_DLQ_WIRE_FORMAT']);
    const wire = dlq.find((d) => d.code === 'TSR_DLQ_WIRE_FORMAT')!;
    expect([wire.value?.toString(), wire.sourceTopic, wire.service]).toEqual(['{"not":"avro"}', s.topics.touchpoints, 'extract']);
    expect(dlq.find((d) => d.code === 'TSR_DLQ_INVALID')!.reason).toContain('event name');

    for (const p of [extract, link]) expect((await fetch(`http://127.0.0.1:${p.port}/readyz`)).status).toBe(200);
  }, 120_000);

  it('repeated touchpoints (an SDK retry: same messageIds, new offsets) publish no new claim and change nothing', async () => {
    const events = [
      touchpoint({ messageId: 'r1', anonymousId: 'cookie-R', event: 'Product Viewed', timestamp: at(20) }),
      touchpoint({ messageId: 'r2', type: 'identify', event: null, anonymousId: 'cookie-R', userId: 'rita', timestamp: at(21) }),
    ];
    await produce(events);
    await settled();
    const published = await metric(extract.port, 'tessera_extract_claims_published_total');
    const changed = await metric(link.port, 'tessera_link_claims_changed_total');
    const before = await identifierTable();
    await produce(events);
    await settled();
    expect(await metric(extract.port, 'tessera_extract_claims_published_total')).toBe(published);
    expect(await metric(link.port, 'tessera_link_claims_changed_total')).toBe(changed);
    expect(await identifierTable()).toEqual(before);
    expect(before.get('user_id:rita')).toBe(before.get('anonymous_id:cookie-R'));
  }, 120_000);

  it('keeps blocked values in the committed changelog, so a rule change that un-blocks them links them', async () => {
    // The stages run the default rules, which block example.org: the changelog must carry the blocked value.
    await produce([
      touchpoint({ messageId: 'b1', type: 'identify', event: null, userId: 'dora', traits: { email: 'dora@example.org' }, timestamp: at(30) }),
      touchpoint({ messageId: 'b2', type: 'identify', event: null, userId: 'dora-2', traits: { email: 'Dora@Example.org' }, timestamp: at(31) }),
    ]);
    await settled();
    const changelog = await readAll<ClaimRecord>(s.kafka, s.codec, s.topics.changelog, 'claim');
    const dora = changelog.filter((r) => r.value?.messageId === 'b1' || r.value?.messageId === 'b2');
    expect(dora.map((r) => r.value!.blocked?.map((i) => ({ ...i })))).toEqual([[{ type: 'email', value: 'dora@example.org' }], [{ type: 'email', value: 'dora@example.org' }]]);
    // Restored, the graph holds the blocked email without linking it; re-resolved under rules that no longer block
    // example.org (a mistaken block undone), the email links to the earlier user — the defaults never allowed that.
    const records: ChangelogRecord[] = changelog.map((r) => ({ key: r.key!, value: r.value }));
    const graph = IdentityGraph.restore(records, defaultIdentityConfig);
    expect(graph.profileOf({ type: 'email', value: 'dora@example.org' })).toBeNull();
    const unblocked = parseIdentityConfig({ blockedEmailDomains: [] });
    if (!unblocked.ok) throw new Error(unblocked.errors.join('; '));
    graph.reResolve(unblocked.config, { messageId: 'rule-change', eventTime: at(40) });
    const doraProfile = graph.profileOf({ type: 'user_id', value: 'dora' });
    expect(doraProfile).not.toBeNull();
    expect(graph.profileOf({ type: 'email', value: 'dora@example.org' })).toBe(doraProfile);
  }, 120_000);

  it('explains why two identifiers share a profile (tools/explain.ts on the changelog the link stage committed)', async () => {
    const run = (args: string[]) => new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'services/tools/explain.ts', ...args], { env: { ...process.env, ...s.env } },
        (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out: stdout + stderr }));
    });
    const linked = await run(['user_id:alice', 'device_id:phone-alice']);
    expect(linked.code).toBe(0);
    expect(linked.out).toMatch(/Linked in p_\w+ by \d+ link/);
    expect(linked.out).toContain('device_id:phone-alice');
    const apart = await run(['user_id:bob', 'user_id:carol']);
    expect(apart.code).toBe(1);
    expect(apart.out).toContain('not in one profile');
  }, 120_000);
});
