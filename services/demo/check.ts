// The demo's proof: what ClickHouse holds after the run against the pure core's resolve() over the same touchpoints.
import type { Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { defaultIdentityConfig, extractIdentifiers, resolve, type Claim } from '../identity/index.ts';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';

export interface Comparison {
  /** Identifiers resolve() links, and how many of them ClickHouse puts in another profile or in none. */
  identifiers: number;
  identifiersDiffering: number;
  /** Identifiers ClickHouse links that resolve() does not. */
  identifiersExtra: number;
  profiles: number;
  profilesDiffering: number;
  /** Valid touchpoints, and how many of them are not in ClickHouse exactly once. */
  events: number;
  eventsDiffering: number;
}

/** identifier (type:value) → profile id, as the pure core computes it; and the valid touchpoints' message ids. */
export function pureCore(touchpoints: readonly Touchpoint[]): { identities: Map<string, string>; profiles: Set<string>; events: Set<string> } {
  const claims: Claim[] = [];
  const events = new Set<string>();
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    events.add(t.messageId);
    const x = extractIdentifiers(t, defaultIdentityConfig);
    const blocked = x.blocked ?? [];
    if (x.identifiers.length === 0 && blocked.length === 0) continue;
    claims.push({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, ...(blocked.length ? { blocked } : {}) });
  }
  const snapshots = resolve(claims, defaultIdentityConfig);
  const identities = new Map(snapshots.flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, p.profileId] as const)));
  return { identities, profiles: new Set(snapshots.map((p) => p.profileId)), events };
}

export async function compareWithPureCore(ch: ClickHouseClient, db: string, expected: ReturnType<typeof pureCore>): Promise<Comparison> {
  const [ids, active, counts] = await Promise.all([
    select<{ k: string; p: string }>(ch, `SELECT concat(id_type, ':', id_value) AS k, profile_id AS p FROM ${db}.identities FINAL WHERE profile_id != ''`),
    select<{ p: string }>(ch, `SELECT profile_id AS p FROM ${db}.profiles FINAL WHERE state = 'active'`),
    select<{ message_id: string; n: string }>(ch, `SELECT message_id, count() AS n FROM ${db}.events GROUP BY message_id`),
  ]);
  const got = new Map(ids.map((r) => [r.k, r.p]));
  const written = new Map(counts.map((r) => [r.message_id, Number(r.n)]));
  const activeSet = new Set(active.map((r) => r.p));
  return {
    identifiers: expected.identities.size,
    identifiersDiffering: [...expected.identities].filter(([k, p]) => got.get(k) !== p).length,
    identifiersExtra: [...got.keys()].filter((k) => !expected.identities.has(k)).length,
    profiles: expected.profiles.size,
    profilesDiffering: [...expected.profiles].filter((p) => !activeSet.has(p)).length + [...activeSet].filter((p) => !expected.profiles.has(p)).length,
    events: expected.events.size,
    // Without FINAL: a row written twice would count here.
    eventsDiffering: [...expected.events].filter((m) => written.get(m) !== 1).length + [...written.keys()].filter((m) => !expected.events.has(m)).length,
  };
}

export const agrees = (c: Comparison): boolean => c.identifiersDiffering + c.identifiersExtra + c.profilesDiffering + c.eventsDiffering === 0;
