// The sample population the analyst guide's queries are checked against: touchpoints, and the ClickHouse rows the
// pipeline's own rules make of them (contract validation, identity core, the link stage's outputs, the writer's rows).
// test/e2e/analyst-guide.test.ts runs these touchpoints through the real extract, link and writer stages and checks
// that what they write equals sampleRows(), so infra/local/check-sql.ts (ClickHouse 18.16 and, with chDB, 26.x)
// queries the same data the pipeline would write.
import type { Context, Touchpoint } from '../../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers, IdentityGraph, type IdentityConfig } from '../../services/identity/index.ts';
import type { ClaimRecord, IdentityChangeRecord, IdentityClaimRecord, IdentityIdentifierRecord, ProfileRecord } from '../../services/kit/records.ts';
import { topicNames } from '../../services/kit/topics.ts';
import { linkProcessor } from '../../services/link/processor.ts';
import { VersionClock } from '../../services/link/version-clock.ts';
import { SuppressionList } from '../../services/privacy/suppression.ts';
import { touchpointRows } from '../../services/warehouse-writer/event-rows.ts';
import { claimRows, identifierRows, identityChangeRows, profileRows, TABLES, type Mapped, type Row, type Table } from '../../services/warehouse-writer/rows.ts';

/** The guide's person: an address on a real-looking domain (example.org and friends are blocked: they never link). */
export const ADA_EMAIL = 'ada@analytical-engines.io';
export const BOB_EMAIL = 'bob@fieldstone-tools.com';

const at = (iso: string) => Date.parse(`${iso}Z`);
const context = (o: { country: string; region: string; city?: string; deviceType?: string; deviceId?: string }): Context => ({
  ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null, os: null, app: null, traits: {},
  device: o.deviceType || o.deviceId ? { id: o.deviceId ?? null, advertisingId: null, type: o.deviceType ?? null, model: null, manufacturer: null } : null,
  location: { country: o.country, region: o.region, city: o.city ?? null },
});
const touchpoint = (t: Pick<Touchpoint, 'messageId' | 'type' | 'timestamp' | 'source'> & Partial<Touchpoint>): Touchpoint => ({
  event: null, name: null, userId: null, anonymousId: null, previousId: null, groupId: null, sentAt: null, receivedAt: t.timestamp,
  context: null, traits: {}, properties: {}, externalIds: [], ...t,
});

/**
 * Ada buys in the iOS app (user u-ada), browses the web on cookie c-ada-1, then logs in on the web with her email:
 * the cookie's profile merges into hers. Bob opens a support ticket by email, then uses the Android app and logs in
 * there (user u-bob). Later Ada types Bob's email into a form: linking it would put two user ids in one profile, so
 * the link is refused. A page view from an SDK that sent the placeholder "undefined" links nothing.
 */
export const sampleTouchpoints: readonly Touchpoint[] = [
  touchpoint({
    messageId: 'm-1', type: 'track', event: 'Order Completed', userId: 'u-ada', timestamp: at('2026-01-01T09:00:00'), source: 'ios',
    context: context({ country: 'DE', region: 'HH', city: 'Hamburg', deviceType: 'mobile', deviceId: 'ios-7f3a' }),
    traits: { plan: 'pro' }, properties: { revenue: 42.5, currency: 'EUR' },
  }),
  touchpoint({
    messageId: 'm-2', type: 'page', name: 'Pricing', anonymousId: 'c-ada-1', timestamp: at('2026-01-01T10:00:00'), source: 'web',
    context: context({ country: 'DE', region: 'BE', city: 'Berlin', deviceType: 'desktop' }),
  }),
  touchpoint({
    messageId: 'm-3', type: 'identify', userId: 'u-ada', anonymousId: 'c-ada-1', timestamp: at('2026-01-01T10:05:00'), source: 'web',
    context: context({ country: 'DE', region: 'BE', city: 'Berlin', deviceType: 'desktop' }),
    traits: { email: ADA_EMAIL, name: 'Ada Lovelace', plan: 'free' },
  }),
  touchpoint({
    messageId: 'm-4', type: 'track', event: 'Ticket Opened', timestamp: at('2026-01-02T09:00:00'), source: 'support',
    context: context({ country: 'FR', region: 'IDF', city: 'Paris' }), traits: { email: BOB_EMAIL },
  }),
  touchpoint({
    messageId: 'm-5', type: 'screen', name: 'Home', anonymousId: 'c-bob', timestamp: at('2026-01-02T09:30:00'), source: 'android',
    context: context({ country: 'FR', region: 'IDF', city: 'Paris', deviceType: 'mobile' }),
  }),
  touchpoint({
    messageId: 'm-6', type: 'identify', userId: 'u-bob', anonymousId: 'c-bob', timestamp: at('2026-01-02T09:35:00'), source: 'android',
    context: context({ country: 'FR', region: 'IDF', city: 'Paris', deviceType: 'mobile' }), traits: { email: BOB_EMAIL, name: 'Bob Fieldstone' },
  }),
  touchpoint({
    messageId: 'm-7', type: 'page', name: 'Home', anonymousId: 'undefined', timestamp: at('2026-01-02T12:00:00'), source: 'web',
    context: context({ country: 'GB', region: 'ENG', city: 'London', deviceType: 'desktop' }),
  }),
  touchpoint({
    messageId: 'm-8', type: 'track', event: 'Form Submitted', userId: 'u-ada', timestamp: at('2026-01-03T08:00:00'), source: 'web',
    context: context({ country: 'DE', region: 'BE', city: 'Berlin', deviceType: 'desktop' }), traits: { email: BOB_EMAIL },
  }),
];

/**
 * The rows the warehouse writer inserts for `touchpoints` taken in one after the other (each linked before the next
 * arrives), per table: each touchpoint's events row as the writer maps it, and what the link stage publishes for each
 * claim the extract stage publishes (a claim it has not published before, or one seen with an earlier event), mapped
 * by the writer's own row mappers. Versions count from 1; source positions are made up (topic "sample"): every row
 * needs one, none of the guide's queries reads them.
 */
export function sampleRows(touchpoints: readonly Touchpoint[] = sampleTouchpoints, config: IdentityConfig = defaultIdentityConfig): Record<Table, Row[]> {
  const topics = topicNames('sample.');
  const link = linkProcessor(topics);
  const state = { graph: new IdentityGraph(config), versions: new VersionClock(() => 0), suppression: new SuppressionList(Buffer.alloc(0)) };
  const published = new Map<string, number>();
  const tables = Object.fromEntries(TABLES.map((t) => [t, [] as Row[]])) as Record<Table, Row[]>;
  const add = (m: Mapped | { ok: false; reason: string }) => {
    if (!m.ok) throw new Error(`the sample maps to an invalid record: ${m.reason}`);
    for (const [table, rows] of Object.entries(m.rows) as [Table, Row[]][]) tables[table].push(...rows);
  };
  let offset = 0;
  const position = (topic: string) => ({ topic, partition: 0, offset: String((offset += 1)) });
  for (const t of touchpoints) {
    // The extract stage sends invalid touchpoints to the DLQ and the writer skips them: no row.
    if (!validateTouchpoint(t).ok) continue;
    add(touchpointRows(t, config, position(topics.touchpoints)) as Mapped);
    const x = extractIdentifiers(t, config);
    const blocked = x.blocked ?? [];
    if (x.identifiers.length === 0 && blocked.length === 0) continue;
    const key = claimKey(x.identifiers, blocked);
    const seen = published.get(key);
    if (seen !== undefined && seen <= t.timestamp) continue;
    published.set(key, t.timestamp);
    const claim: ClaimRecord = { messageId: t.messageId, eventTime: t.timestamp, identifiers: [...x.identifiers], ...(blocked.length ? { blocked: [...blocked] } : {}) };
    const out = link.process(state, [{ ...position(topics.claims), key: Buffer.from(key), value: claim }]);
    if (out.deadLetters.length) throw new Error(`the sample's claim ${key} is refused: ${out.deadLetters[0]!.reason}`);
    for (const o of out.outputs) {
      const version = o.headers?.version ?? null;
      const at = position(o.topic);
      if (o.topic === topics.profiles) add(profileRows(o.key, o.value as ProfileRecord | null, version, at));
      else if (o.topic === topics.merges) add(identityChangeRows(o.value as IdentityChangeRecord, at));
      else if (o.topic === topics.identifiers) add(identifierRows(o.key, o.value as IdentityIdentifierRecord | null, version, at));
      else if (o.topic === topics.identityClaims) add(claimRows(o.key, o.value as IdentityClaimRecord | null, version, at));
    }
  }
  return tables;
}
