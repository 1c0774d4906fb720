// The warehouse writer on the claims topology (it reads the touchpoints itself; the link stage's identity.claims and
// identity.identifiers attribute the events), against the real Kafka, registry and ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIdentityConfig, extractIdentifiers } from '../../services/identity/index.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { COLUMNS, TABLES } from '../../services/warehouse-writer/tables.ts';
import { context, device, touchpoint } from '../support/builders.ts';
import { claimOf, identifierOf, linkedClaim, LinkPublisher } from '../support/link-records.ts';
import { activeProfile, endOffsets, eventually, eventuallyEqual, linked, Publisher, startWriter, type RunningWriter } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const T0 = Date.UTC(2026, 2, 10);

describe('warehouse writer on the claims topology: what an analyst sees', () => {
  let s: IsolatedStack;
  let link: LinkPublisher;
  let pub: Publisher;
  let w: RunningWriter;
  const db = () => s.database;

  beforeAll(async () => {
    s = await isolatedStack('writerclaims');
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
    pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId: `${s.prefix}writer` });
  });
  afterAll(async () => {
    await w?.stop();
    await link?.disconnect();
    await pub?.disconnect();
    await s?.close();
  });

  it('has the column lists the migrations give the tables', async () => {
    for (const table of TABLES) {
      const columns = await select<{ name: string; type: string; default_type: string }>(s.ch, `DESCRIBE TABLE ${db()}.${table}`);
      expect(columns.filter((c) => c.default_type !== 'MATERIALIZED').map((c) => [c.name, c.type]), table).toEqual(COLUMNS[table]);
    }
  });

  it('writes touchpoints with their identifiers, drops and claim key, without a resolve-time profile; skips bad ones', async () => {
    const ada = touchpoint({ messageId: 'tp-ada', userId: 'u-ada', anonymousId: 'c-ada', timestamp: T0, traits: { email: 'Ada@Mailbox.org', phone: 'none' },
      context: context({ location: { country: 'DE', region: 'BE', city: 'Berlin' }, device: device({ type: 'mobile' }) }), properties: { revenue: 12 } });
    const cookie = touchpoint({ messageId: 'tp-cookie', anonymousId: 'c-only', timestamp: T0 + 1000 });
    const invalid = touchpoint({ messageId: 'tp-invalid', type: 'track', event: null, anonymousId: 'c-x' });
    await link.touchpoints([ada, cookie, invalid]);
    await link.raw(s.topics.touchpoints, Buffer.from('not avro'));
    await link.touchpoints([touchpoint({ messageId: 'tp-after', anonymousId: 'c-after', timestamp: T0 })]);

    const expected = [
      { message_id: 'tp-ada', claim_key: claimOf(ada), identifiers: ['user_id:u-ada', 'anonymous_id:c-ada', 'email:ada@mailbox.org'],
        dropped_types: ['phone'], dropped_codes: [extractIdentifiers(ada, defaultIdentityConfig).dropped[0]?.code], profile_id: '', id_type: '', revenue: 12, country: 'DE', src_topic: s.topics.touchpoints },
      { message_id: 'tp-after', claim_key: claimOf(touchpoint({ anonymousId: 'c-after' })), identifiers: ['anonymous_id:c-after'],
        dropped_types: [], dropped_codes: [], profile_id: '', id_type: '', revenue: 0, country: '', src_topic: s.topics.touchpoints },
      { message_id: 'tp-cookie', claim_key: claimOf(cookie), identifiers: ['anonymous_id:c-only'],
        dropped_types: [], dropped_codes: [], profile_id: '', id_type: '', revenue: 0, country: '', src_topic: s.topics.touchpoints },
    ];
    expect(await eventuallyEqual(() => select(s.ch, `SELECT message_id, claim_key, identifiers, dropped_types, dropped_codes, profile_id, id_type,
      revenue, country, src_topic FROM ${db()}.events WHERE message_id LIKE 'tp-%' ORDER BY message_id`), expected, 'the valid touchpoints')).toEqual(expected);

    // Bad touchpoints are the extract stage's to dead-letter: the writer counts them and sends nothing to the DLQ.
    const skipped = (await w.metrics.skippedTouchpoints.get()).values.map((v) => [v.labels.code, v.value]).sort();
    expect(skipped).toEqual([['TSR_DLQ_INVALID', 1], ['TSR_DLQ_WIRE_FORMAT', 1]]);
    expect([...(await endOffsets(s.kafka, s.topics.dlq)).values()].reduce((a, b) => a + b, 0n)).toBe(0n);
  });

  it('attributes each event through its claim: primary identifier → current profile, and follows a merge', async () => {
    const at = (i: number) => T0 + 60_000 + i * 1000;
    const known = touchpoint({ messageId: 'at-known', userId: 'u-bob', anonymousId: 'c-bob', timestamp: at(0), properties: { revenue: 10 }, traits: { plan: 'free' } });
    const cookie = touchpoint({ messageId: 'at-cookie', anonymousId: 'c-bob-2', timestamp: at(1), properties: { revenue: 5 }, traits: { plan: 'pro' } });
    const shared = touchpoint({ messageId: 'at-shared', anonymousId: 'c-kiosk', context: context({ device: device({ id: 'd-kiosk' }) }), timestamp: at(2) });
    const unknown = touchpoint({ messageId: 'at-unknown', anonymousId: 'c-new', timestamp: at(3) });
    await link.touchpoints([known, cookie, shared, unknown]);
    const current = () => select<{ message_id: string; current_profile_id: string }>(s.ch,
      `SELECT message_id, current_profile_id FROM ${db()}.events_current WHERE message_id LIKE 'at-%' ORDER BY message_id`);
    const nobody = [['at-cookie', ''], ['at-known', ''], ['at-shared', ''], ['at-unknown', '']].map(([m, p]) => ({ message_id: m, current_profile_id: p }));
    // Before the link stage has spoken, an event belongs to no one: there is no resolve-time profile.
    expect(await eventuallyEqual(current, nobody, 'the events, unattributed')).toEqual(nobody);

    await link.claims([
      linkedClaim(known, ['user_id', 'u-bob'], 'P-bob', 10),
      linkedClaim(cookie, ['anonymous_id', 'c-bob-2'], 'P-cookie', 11),
      linkedClaim(shared, ['device_id', 'd-kiosk'], 'P-kiosk', 12),
    ]);
    await link.identifiers([
      identifierOf('user_id', 'u-bob', 'P-bob', 10), identifierOf('anonymous_id', 'c-bob', 'P-bob', 10),
      identifierOf('anonymous_id', 'c-bob-2', 'P-cookie', 11),
      identifierOf('device_id', 'd-kiosk', 'P-kiosk', 12),
      // The kiosk turned out to be shared by several people: the link stage unlinks it on purpose.
      identifierOf('device_id', 'd-kiosk', null, 13),
    ]);
    const split = [['at-cookie', 'P-cookie'], ['at-known', 'P-bob'], ['at-shared', ''], ['at-unknown', '']].map(([m, p]) => ({ message_id: m, current_profile_id: p }));
    expect(await eventuallyEqual(current, split, 'attribution through claims')).toEqual(split);

    // The cookie turns out to be Bob's: its identifier moves to P-bob. No event is rewritten; the views re-group.
    await link.identifiers([identifierOf('anonymous_id', 'c-bob-2', 'P-bob', 20)]);
    const merged = [['at-cookie', 'P-bob'], ['at-known', 'P-bob'], ['at-shared', ''], ['at-unknown', '']].map(([m, p]) => ({ message_id: m, current_profile_id: p }));
    expect(await eventuallyEqual(current, merged, 'the merge')).toEqual(merged);
    const totals = [{ profile_id: 'P-bob', events: '2', revenue: 15 }];
    expect(await eventuallyEqual(() => select(s.ch, `SELECT profile_id, events, revenue FROM ${db()}.profile_activity_totals WHERE profile_id LIKE 'P-%'`),
      totals, 'activity re-grouped under the survivor')).toEqual(totals);
    expect(await select(s.ch, `SELECT trait, value FROM ${db()}.profile_traits_current WHERE profile_id = 'P-bob'`)).toEqual([{ trait: 'plan', value: 'pro' }]);
    expect(await select(s.ch, `SELECT sum(events) AS n FROM ${db()}.profile_activity_current WHERE profile_id = 'P-bob'`)).toEqual([{ n: '2' }]);

    // An erased claim (tombstone) takes its events' attribution with it.
    await link.claims([{ tombstone: claimOf(cookie), version: 30 }]);
    const erased = [['at-cookie', ''], ['at-known', 'P-bob'], ['at-shared', ''], ['at-unknown', '']].map(([m, p]) => ({ message_id: m, current_profile_id: p }));
    expect(await eventuallyEqual(current, erased, 'the erased claim')).toEqual(erased);
  });

  it('takes identities from identity.identifiers only: a profile record writes profiles and anchors, not identities', async () => {
    await pub.profiles([activeProfile('P-only-profile', 40, [linked('email', 'only@profile.org', T0)])]);
    await eventually(() => select(s.ch, `SELECT 1 FROM ${db()}.profile_anchors WHERE profile_id = 'P-only-profile'`), (r) => r.length === 1, 'the anchor');
    // A later identifier record, once visible, shows that any identities row the profile record gave would be too.
    await link.identifiers([identifierOf('email', 'marker@profile.org', 'P-only-profile', 41)]);
    await eventually(() => select(s.ch, `SELECT 1 FROM ${db()}.identities WHERE id_value = 'marker@profile.org'`), (r) => r.length === 1, 'the marker');
    expect(await select(s.ch, `SELECT id_value FROM ${db()}.identities WHERE profile_id = 'P-only-profile'`)).toEqual([{ id_value: 'marker@profile.org' }]);
  });
});
