// The resolver service against the real servers: identity scenarios as downstream systems see them on Kafka.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ClaimRecord, DeadLetterRecord, IdentityChangeRecord, ProfileRecord, ResolvedEvent } from '../../services/kit/records.ts';
import { defaultIdentityConfig, IdentityGraph, parseIdentityConfig, type ChangelogRecord } from '../../services/identity/index.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { context, device, touchpoint } from '../support/builders.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let resolver: Resolver;
let ops: Ops;

beforeAll(async () => {
  s = await isolatedStack('resolver');
  const config = parseResolverConfig({ ...s.env, TESSERA_LOG_LEVEL: 'warn' });
  ops = new Ops('resolver-test');
  resolver = new Resolver({ config, kafka: s.kafka, codec: s.codec, log: createLogger('resolver', 'warn'), ops, metrics: resolverMetrics(ops.metrics) });
  await resolver.start();
});
afterAll(async () => { await resolver?.stop(); await s?.close(); });

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

describe('resolver', () => {
  it('resolves identity scenarios, publishes profiles, merges and the DLQ, atomically with offsets', async () => {
    const events: Touchpoint[] = [
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
      // Placeholder email from a buggy SDK is dropped, the event still resolves by its cookie.
      touchpoint({ messageId: 'p1', type: 'identify', event: null, anonymousId: 'cookie-P', traits: { email: 'undefined' }, timestamp: at(8) }),
    ];
    await produce(events, [Buffer.from('{"not":"avro"}'), Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3])]);

    const resolved = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event', (r) => r.length >= 8);
    const byId = new Map(resolved.map((r) => [r.value!.touchpoint.messageId, r.value!]));
    expect([...byId.keys()].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'f1', 'f2', 'p1']);

    const alice = byId.get('a3')!.profileId;
    expect(alice).toMatch(/\S/);
    expect(byId.get('a1')!.profileId).toBe(alice); // the oldest profile survives
    expect(byId.get('f1')!.profileId).not.toBe(byId.get('f2')!.profileId);
    // The family computer's cookie, seen with two user ids, is a contested shared device: it links neither.
    expect(byId.get('f2')!.refusals).toEqual([expect.objectContaining({ identifier: { type: 'anonymous_id', value: 'family-pc' }, code: 'HUB_IDENTIFIER' })]);
    expect(byId.get('f2')!.refusals[0]!.reason).toContain('shared device');
    expect(byId.get('p1')!.dropped.map((d) => d.code)).toEqual(['BLOCKED']);
    expect(byId.get('p1')!.profileId).not.toBeNull();

    const profiles = latestByKey(await readTopic<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile',
      // The survivor's record and the pointer of the merged profile can sit on different partitions.
      (r) => {
        const latest = latestByKey(r);
        return (latest.get(alice!)?.identifiers.some((i) => i.value === 'phone-alice') ?? false)
          && [...latest.values()].some((p) => p?.state === 'merged');
      }));
    const ids = profiles.get(alice!)!.identifiers.map((i) => `${i.type}:${i.value}`).sort();
    expect(ids).toEqual(['anonymous_id:cookie-A', 'anonymous_id:cookie-A2', 'device_id:phone-alice', 'email:alice@acme.io', 'user_id:alice']);
    // cookie-A2 sits on another partition, so its profile may be resolved before or after Alice's login:
    // either way it ends merged into the oldest profile, and a5 resolved to that profile or to the merged one.
    const merged = [...profiles.entries()].filter(([, p]) => p?.state === 'merged');
    expect(merged.map(([, p]) => p!.mergedInto)).toEqual([alice]);
    expect([alice, merged[0]![0]]).toContain(byId.get('a5')!.profileId);

    // The merges topic holds the merge, and the family computer's cookie leaving Bob's profile (contested: to no one).
    const changes = await readTopic<IdentityChangeRecord>(s.kafka, s.codec, s.topics.merges, 'identity-change',
      (r) => r.some((c) => c.value!.kind === 'merge') && r.some((c) => c.value!.kind === 'move'));
    const mergeRecords = changes.filter((c) => c.value!.kind === 'merge').map((c) => c.value!);
    expect(mergeRecords.map((c) => [c.fromProfileId, c.intoProfileId])).toEqual([[merged[0]![0], alice]]);
    expect(['a3', 'a5']).toContain(mergeRecords[0]!.messageId);
    const moveRecords = changes.filter((c) => c.value!.kind === 'move').map((c) => c.value!);
    expect(moveRecords.map((c) => [c.identifier, c.fromProfileId, c.intoProfileId, c.messageId]))
      .toEqual([[{ type: 'anonymous_id', value: 'family-pc' }, byId.get('f1')!.profileId, null, 'f2']]);

    const dlq = await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (r) => r.length >= 3);
    expect(dlq.map((d) => d.value!.code).sort()).toEqual(['TSR_DLQ_INVALID', 'TSR_DLQ_UNKNOWN_SCHEMA', 'TSR_DLQ_WIRE_FORMAT']);
    const wire = dlq.find((d) => d.value!.code === 'TSR_DLQ_WIRE_FORMAT')!.value!;
    expect(wire.value?.toString()).toBe('{"not":"avro"}');
    expect(wire.sourceTopic).toBe(s.topics.touchpoints);
    expect(dlq.find((d) => d.value!.code === 'TSR_DLQ_INVALID')!.value!.reason).toContain('event name');

    // Offsets were committed with the outputs: nothing left to consume.
    const admin = s.kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: `${s.prefix}resolver`, topics: [s.topics.touchpoints] });
    const ends = await admin.fetchTopicOffsets(s.topics.touchpoints);
    await admin.disconnect();
    const total = (xs: { offset: string }[]) => xs.reduce((a, x) => a + Math.max(0, Number(x.offset)), 0);
    expect(total(committed!.partitions)).toBe(total(ends));
    expect(ops.ready.ready).toBe(true);
  });

  it('drops a repeated messageId: the same touchpoints sent again publish nothing new', async () => {
    const events = [
      touchpoint({ messageId: 'r1', anonymousId: 'cookie-R', event: 'Product Viewed', timestamp: at(20) }),
      touchpoint({ messageId: 'r2', type: 'identify', event: null, anonymousId: 'cookie-R', userId: 'rita', timestamp: at(21) }),
    ];
    const count = async () => (await ops.metrics.getSingleMetric('tessera_resolver_duplicates_total')?.get())?.values[0]?.value ?? 0;
    const before = await count();
    await produce(events);
    await produce(events); // an SDK retry: same messageIds, new offsets
    const marker = touchpoint({ messageId: 'r3', anonymousId: 'cookie-R', event: 'Marker', timestamp: at(22) });
    await produce([marker]);
    const resolved = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event',
      (rs) => rs.some((r) => r.value!.touchpoint.messageId === 'r3'));
    const ids = resolved.map((r) => r.value!.touchpoint.messageId).filter((id) => id.startsWith('r'));
    expect(ids.sort()).toEqual(['r1', 'r2', 'r3']);
    expect(await count()).toBe(before + 2);
  });

  it('keeps blocked values in the committed changelog, so a rule change that un-blocks them links them', async () => {
    // The resolver runs the default rules, which block example.org: the changelog must carry the blocked value.
    await produce([
      touchpoint({ messageId: 'b1', type: 'identify', event: null, userId: 'dora', traits: { email: 'dora@example.org' }, timestamp: at(30) }),
      touchpoint({ messageId: 'b2', type: 'identify', event: null, userId: 'dora-2', traits: { email: 'Dora@Example.org' }, timestamp: at(31) }),
      touchpoint({ messageId: 'b3', anonymousId: 'cookie-B', event: 'Marker', timestamp: at(32) }),
    ]);
    // b1 and b2 sit on different partitions and may commit in different transactions: wait for both records.
    const doras = (rs: { value: ClaimRecord | null }[]) => rs.filter((r) => r.value?.messageId === 'b1' || r.value?.messageId === 'b2').length;
    const changelog = await readTopic<ClaimRecord>(s.kafka, s.codec, s.topics.changelog, 'claim', (rs) => doras(rs) >= 2);
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
  });

  it('explains why two identifiers share a profile (tools/explain.ts on the committed changelog)', async () => {
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
  });
});

