// The demo's proof: what ClickHouse holds after the run against the pure core's resolve() over the same touchpoints.
import type { Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers, resolve, type Claim, type IdentityConfig, type ProfileSnapshot } from '../identity/index.ts';
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

export interface PureCoreAnswer {
  /** resolve() over the valid touchpoints' claims. */
  snapshots: ProfileSnapshot[];
  /** identifier (type:value) → profile id, and the profile ids. */
  identities: Map<string, string>;
  profiles: Set<string>;
  /** The distinct claim keys, the valid touchpoints' message ids, and how many touchpoints were valid. */
  claimKeys: Set<string>;
  events: Set<string>;
  valid: number;
}

/** What the pure core computes for a set of touchpoints: the answer every run of the pipeline must end with. */
export function pureCore(touchpoints: readonly Touchpoint[], config: IdentityConfig = defaultIdentityConfig): PureCoreAnswer {
  const claims: Claim[] = [];
  const claimKeys = new Set<string>();
  const events = new Set<string>();
  let valid = 0;
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    valid += 1;
    events.add(t.messageId);
    const x = extractIdentifiers(t, config);
    const blocked = x.blocked ?? [];
    if (x.identifiers.length === 0 && blocked.length === 0) continue;
    claims.push({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, ...(blocked.length ? { blocked } : {}) });
    claimKeys.add(claimKey(x.identifiers, blocked));
  }
  const snapshots = resolve(claims, config);
  const identities = new Map(snapshots.flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, p.profileId] as const)));
  return { snapshots, identities, profiles: new Set(snapshots.map((p) => p.profileId)), claimKeys, events, valid };
}

export async function compareWithPureCore(ch: ClickHouseClient, db: string, expected: PureCoreAnswer): Promise<Comparison> {
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
