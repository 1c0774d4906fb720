// Resolver and warehouse writer on the real Kafka and ClickHouse: every profile id an event was resolved to can be
// followed to the current profile through profile_aliases, also a profile created and merged away in one transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ResolvedEvent } from '../../services/kit/records.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { touchpoint } from '../support/builders.ts';
import { activeProfile, eventually, linked, mergedProfile, Publisher, resolved as resolvedEvent, startWriter, type RunningWriter } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let resolver: Resolver;
let writer: RunningWriter;
beforeAll(async () => {
  s = await isolatedStack('raliases');
  const config = parseResolverConfig({ ...s.env, TESSERA_LOG_LEVEL: 'silent' });
  const ops = new Ops('resolver-aliases');
  resolver = new Resolver({ config, kafka: s.kafka, codec: s.codec, log: createLogger('resolver', process.env.TESSERA_TEST_LOG ?? 'silent'), ops, metrics: resolverMetrics(ops.metrics) });
  await resolver.start();
  writer = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId: `${s.prefix}writer` });
});
afterAll(async () => { await writer?.stop(); await resolver?.stop(); await s?.close(); });

const t0 = Date.UTC(2026, 6, 1);

/** Sends the touchpoints in one request with one key: one partition, one fetch, one transaction of the resolver. */
async function produceTogether(key: string, touchpoints: Touchpoint[]): Promise<void> {
  const id = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const p = idempotentProducer(s.kafka);
  await p.connect();
  await p.send({ topic: s.topics.touchpoints, messages: touchpoints.map((t) => ({ key, value: s.codec.encode('touchpoint', id, t) })) });
  await p.disconnect();
}

const resolvedUntil = (ids: string[]) => readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event',
  (rs) => ids.every((id) => rs.some((r) => r.value!.touchpoint.messageId === id)));

describe('profile_aliases after the resolver', () => {
  it('follows a profile created and merged away inside one transaction to the survivor', async () => {
    // Olga's profile exists first (an earlier transaction).
    await produceTogether('olga', [touchpoint({ messageId: 'al-0', userId: 'olga', timestamp: t0 })]);
    await resolvedUntil(['al-0']);
    // Then, together: a new cookie's first event (a new profile), and her login on that cookie, which merges the
    // cookie's profile into hers. Both are resolved in one transaction.
    await produceTogether('olga', [
      touchpoint({ messageId: 'al-1', anonymousId: 'cookie-new', event: 'Page Viewed', timestamp: t0 + 60_000 }),
      touchpoint({ messageId: 'al-2', type: 'identify', event: null, anonymousId: 'cookie-new', userId: 'olga', timestamp: t0 + 120_000 }),
    ]);
    const resolved = new Map((await resolvedUntil(['al-1', 'al-2'])).map((r) => [r.value!.touchpoint.messageId, r.value!.profileId]));
    const olga = resolved.get('al-0')!;
    const cookieProfile = resolved.get('al-1')!;
    expect(cookieProfile).not.toBe(olga); // al-1 was resolved to the cookie's own profile…
    expect(resolved.get('al-2')).toBe(olga); // …which al-2 merged into Olga's

    // In ClickHouse: every profile id an event was resolved to is current, or an alias of the current one.
    await eventually(() => select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events WHERE message_id LIKE 'al-%'`),
      (r) => r[0]?.n === '3', 'the three events in ClickHouse');
    const followed = () => select<{ resolved_to: string; current: string }>(s.ch, `
      SELECT e.profile_id AS resolved_to, if(a.profile_id != '', a.profile_id, e.profile_id) AS current
      FROM (SELECT DISTINCT profile_id FROM ${s.database}.events WHERE message_id LIKE 'al-%') AS e
      ANY LEFT JOIN (SELECT alias_id AS profile_id_key, profile_id FROM ${s.database}.profile_aliases) AS a ON e.profile_id = a.profile_id_key
      ORDER BY resolved_to`);
    const expected = [{ resolved_to: cookieProfile, current: olga }, { resolved_to: olga, current: olga }].sort((a, b) => (a.resolved_to < b.resolved_to ? -1 : 1));
    expect(await eventually(followed, (r) => JSON.stringify(r) === JSON.stringify(expected), 'every resolved-to profile to lead to Olga')).toEqual(expected);
    const [alias] = await select<{ alias_id: string; profile_id: string; anchor_type: string; anchor_value: string }>(s.ch,
      `SELECT alias_id, profile_id, anchor_type, anchor_value FROM ${s.database}.profile_aliases WHERE alias_id = '${cookieProfile}'`);
    expect(alias).toEqual({ alias_id: cookieProfile, profile_id: olga, anchor_type: 'anonymous_id', anchor_value: 'cookie-new' });
    // The merged-away profile's latest state is still "merged into Olga" (its active snapshot came first).
    const [state] = await select<{ state: string; merged_into: string }>(s.ch,
      `SELECT state, merged_into FROM ${s.database}.profiles FINAL WHERE profile_id = '${cookieProfile}'`);
    expect(state).toEqual({ state: 'merged', merged_into: olga });
  });

  it('follows a profile whose active record never reached ClickHouse, by the identifier its earliest event was resolved by', async () => {
    // As after a rebuild from the compacted profiles topic: only the merged record of P-lost is left, no anchor row.
    const pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    try {
      await pub.events([
        resolvedEvent({ messageId: 'lost-2', anonymousId: 'c-lost', timestamp: t0 + 2_000 }, 'P-lost', ['email', 'lost@x.org']),
        resolvedEvent({ messageId: 'lost-1', anonymousId: 'c-lost', timestamp: t0 + 1_000 }, 'P-lost', ['anonymous_id', 'c-lost']),
      ]);
      await pub.profiles([
        mergedProfile('P-lost', 'P-mid', 50),
        activeProfile('P-now', 51, [linked('user_id', 'u-now', t0), linked('anonymous_id', 'c-lost', t0 + 1_000), linked('email', 'lost@x.org', t0 + 2_000)]),
      ]);
    } finally {
      await pub.disconnect();
    }
    const alias = () => select<{ alias_id: string; profile_id: string; anchor_type: string; anchor_value: string }>(s.ch,
      `SELECT alias_id, profile_id, anchor_type, anchor_value FROM ${s.database}.profile_aliases WHERE alias_id = 'P-lost'`);
    // The earliest event's identifier stands in for the anchor (not the later event's email), and leads to P-now.
    const expected = [{ alias_id: 'P-lost', profile_id: 'P-now', anchor_type: 'anonymous_id', anchor_value: 'c-lost' }];
    expect(await eventually(alias, (r) => r.length === 1, 'P-lost in profile_aliases')).toEqual(expected);
    // Each alias appears once: a profile with an anchor row is not also listed by its stand-in.
    const duplicated = await select<{ alias_id: string }>(s.ch,
      `SELECT alias_id FROM ${s.database}.profile_aliases GROUP BY alias_id HAVING count() > 1`);
    expect(duplicated).toEqual([]);
  });
});
