// A generated population written straight into ClickHouse (INSERT … SELECT FROM numbers(N)), in the layout before
// migration 007 (v1: events by message id, resolve-time profile and primary identifier) and in the current one (v2:
// events by month and claim key, claims). Both hold the same people, identifiers and events, so the analyst guide's
// queries can be timed on each. Every value is a function of the row number: the same N gives the same data.
//
// People: N/40, skewed (person 0 is the most active; squared uniform), 80% registered (user id and email), 1-3 devices
// each with a cookie. An event is anonymous browsing (cookie), a logged-in call (user id + cookie), a server call (user
// id) or a support ticket (email); event times run through a year starting 2025-07-01, one month per partition.
// Profiles: one per person; a registered person's cookie profiles were merged into it (aliases, identity changes).

export interface Population { events: number; people: number; start: number; spanSeconds: number }

export function population(events: number): Population {
  return { events, people: Math.max(10, Math.floor(events / 40)), start: Date.UTC(2025, 6, 1) / 1000, spanSeconds: 365 * 86_400 };
}

/**
 * The guide's example values (the current guide's and the v1 guide's) → values of this population (person 7 and 8
 * are registered, person 7 has two devices).
 */
export const GUIDE_VALUES: [string, string][] = [
  ['ada@analytical-engines.io', 'e-7@bench.example'],
  ['ada@example.org', 'e-7@bench.example'],
  ["'c-ada-1'", "'c-7-0'"],
  ["'p-cookie'", "'p-c-7-0'"],
  ["'p-bob'", "'p-8'"],
];

const claimKeyOf = (ids: string) => `concat('c_', lower(hex(MD5(arrayStringConcat(arraySort(${ids}), ',')))))`;

/** One row per event with the helper columns both layouts derive their columns from. */
function eventSource(p: Population): string {
  return `SELECT
    number AS n,
    toUInt32(${p.people} * pow((intHash32(number) % 1000003) / 1000003, 2)) AS person,
    intHash32(number * 3 + 1) % (1 + person % 3) AS dev,
    intHash32(number * 3 + 2) % 100 AS k,
    person % 5 != 0 AS registered,
    multiIf(NOT registered OR k < 60, 'anon', k < 90, 'login', k < 95, 'server', 'support') AS kind,
    concat('c-', toString(person), '-', toString(dev)) AS cookie,
    concat('u-', toString(person)) AS uid,
    concat('e-', toString(person), '@bench.example') AS email,
    multiIf(kind = 'anon', [concat('anonymous_id:', cookie)], kind = 'login', [concat('user_id:', uid), concat('anonymous_id:', cookie)],
      kind = 'server', [concat('user_id:', uid)], [concat('email:', email)]) AS ids,
    multiIf(kind = 'anon', 'anonymous_id', kind = 'support', 'email', 'user_id') AS ptype,
    multiIf(kind = 'anon', cookie, kind = 'support', email, uid) AS pvalue,
    ${claimKeyOf('ids')} AS ckey,
    if(kind = 'anon' AND registered, concat('p-c-', toString(person), '-', toString(dev)), concat('p-', toString(person))) AS rprofile,
    toUInt32(${p.start} + intDiv(number * ${p.spanSeconds}, ${p.events}) + intHash32(number * 5) % 3600) AS t,
    multiIf(kind = 'login' AND k % 10 = 0, 'identify', kind = 'anon', 'page', 'track') AS ttype,
    if(ttype = 'track', ['Order Completed', 'Product Viewed', 'Ticket Opened', 'Signed In'][k % 4 + 1], '') AS ev,
    if(ttype = 'page', ['Home', 'Search', 'Product', 'Cart'][k % 4 + 1], '') AS pname,
    multiIf(kind = 'support', 'support', kind = 'server', 'server', ['web', 'ios', 'android'][dev + 1]) AS src,
    if(ev = 'Order Completed', toFloat64(k % 50) + 0.99, 0.) AS rev,
    ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'NL', 'PL', 'SE', 'BR'][person % 10 + 1] AS cty
  FROM numbers(${p.events})`;
}

/** Event columns common to both layouts, as expressions over eventSource. */
const COMMON: Record<string, string> = {
  message_id: "concat('b-', toString(n))",
  type: 'ttype',
  event: 'ev',
  name: 'pname',
  user_id: "if(kind IN ('login', 'server'), uid, '')",
  anonymous_id: "if(kind IN ('anon', 'login'), cookie, '')",
  event_time: 'toDateTime(t)',
  event_ms: 'toUInt64(t) * 1000',
  received_at: 'toDateTime(t + 1)',
  source: 'src',
  ip: "concat('10.', toString(person % 256), '.', toString(dev), '.1')",
  user_agent: "['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)', 'Mozilla/5.0 (Linux; Android 14)'][dev + 1]",
  locale: "['de-DE', 'fr-FR', 'en-US', 'en-GB', 'es-ES', 'it-IT', 'nl-NL', 'pl-PL', 'sv-SE', 'pt-BR'][person % 10 + 1]",
  timezone: "'Europe/Berlin'",
  page_path: "if(ttype = 'page', concat('/p/', toString(k)), '')",
  page_url: "if(ttype = 'page', concat('https://shop.example/p/', toString(k)), '')",
  page_referrer: "''",
  page_title: 'pname',
  utm_source: "if(k < 10, 'newsletter', '')",
  utm_medium: "if(k < 10, 'email', '')",
  utm_campaign: "if(k < 10, concat('spring-', toString(k)), '')",
  device_id: "if(src IN ('ios', 'android'), concat('d-', toString(person), '-', toString(dev)), '')",
  device_type: "['desktop', 'mobile', 'tablet'][dev + 1]",
  device_model: "''",
  os_name: "['Windows', 'iOS', 'Android'][dev + 1]",
  app_name: "if(src IN ('ios', 'android'), 'Shop', '')",
  app_version: "'3.2.1'",
  country: 'cty',
  region: "concat(cty, '-', toString(person % 4))",
  city: "concat('City ', toString(person % 50))",
  revenue: 'rev',
  currency: "if(rev > 0, 'EUR', '')",
  session_key: "concat('w:', cookie, ':', toString(intDiv(t, 1800)))",
  trait_keys: "if(ttype = 'identify', ['email', 'plan'], emptyArrayString())",
  trait_values: "if(ttype = 'identify', [email, ['free', 'pro'][person % 2 + 1]], emptyArrayString())",
  property_keys: "if(rev > 0, ['currency', 'revenue'], emptyArrayString())",
  property_values: "if(rev > 0, ['EUR', toString(rev)], emptyArrayString())",
  identifiers: 'ids',
  dropped_types: "if(k = 99, ['phone'], emptyArrayString())",
  dropped_codes: "if(k = 99, ['INVALID'], emptyArrayString())",
  refused: 'emptyArrayString()',
  refusal_codes: 'emptyArrayString()',
  src_topic: "'bench'",
  src_partition: 'toUInt32(n % 6)',
  src_offset: 'intDiv(n, 6)',
};

/** v1 events carry the profile and primary identifier the resolver gave them; v2 events carry their claim key. */
const BY_LAYOUT: Record<'v1' | 'v2', Record<string, string>> = {
  v1: { profile_id: 'rprofile', id_type: 'ptype', id_value: 'pvalue' },
  v2: { claim_key: 'ckey', profile_id: "''", id_type: "''", id_value: "''" },
};

export function insertEvents(db: string, layout: 'v1' | 'v2', p: Population): string {
  const columns = { ...COMMON, ...BY_LAYOUT[layout] };
  const names = Object.keys(columns);
  return `INSERT INTO ${db}.events (${names.join(', ')}) SELECT ${names.map((c) => columns[c]).join(', ')} FROM (${eventSource(p)})`;
}

/** Per person: identifier types and values (cookies, then user id and email when registered). */
const personSource = (p: Population) => `SELECT
    number AS person,
    person % 5 != 0 AS registered,
    range(1 + person % 3) AS devices,
    arrayConcat(arrayMap(d -> 'anonymous_id', devices), if(registered, ['user_id', 'email'], emptyArrayString())) AS types,
    arrayConcat(arrayMap(d -> concat('c-', toString(person), '-', toString(d)), devices),
      if(registered, [concat('u-', toString(person)), concat('e-', toString(person), '@bench.example')], emptyArrayString())) AS vals
  FROM numbers(${p.people})`;

/** The identity tables, the same in both layouts; claims only in v2. */
export function insertIdentity(db: string, layout: 'v1' | 'v2', p: Population): string[] {
  const t0 = `toDateTime(${p.start})`;
  const statements = [
    `INSERT INTO ${db}.identities (id_type, id_value, profile_id, message_id, linked_at, version, src_topic, src_partition, src_offset)
     SELECT id_t, id_v, concat('p-', toString(person)), 'b-0', ${t0}, 10, 'bench-profiles', 0, person
     FROM (${personSource(p)}) ARRAY JOIN types AS id_t, vals AS id_v`,
    `INSERT INTO ${db}.profiles (profile_id, state, merged_into, id_types, id_values, identifier_count, first_seen, last_seen, version, src_topic, src_partition, src_offset)
     SELECT concat('p-', toString(person)), 'active', '', types, vals, length(types), ${t0}, toDateTime(${p.start + p.spanSeconds}), 10, 'bench-profiles', 0, person
     FROM (${personSource(p)})`,
    `INSERT INTO ${db}.profiles (profile_id, state, merged_into, id_types, id_values, identifier_count, first_seen, last_seen, version, src_topic, src_partition, src_offset)
     SELECT concat('p-c-', toString(person), '-', toString(d)), 'merged', concat('p-', toString(person)), emptyArrayString(), emptyArrayString(), 0,
       ${t0}, ${t0}, 5, 'bench-profiles', 1, person * 3 + d
     FROM (${personSource(p)}) ARRAY JOIN devices AS d WHERE registered`,
    `INSERT INTO ${db}.profile_anchors (profile_id, id_type, id_value, src_topic, src_partition, src_offset)
     SELECT concat('p-', toString(person)), if(registered, 'user_id', 'anonymous_id'), if(registered, concat('u-', toString(person)), concat('c-', toString(person), '-0')),
       'bench-profiles', 0, person
     FROM (${personSource(p)})`,
    `INSERT INTO ${db}.profile_anchors (profile_id, id_type, id_value, src_topic, src_partition, src_offset)
     SELECT concat('p-c-', toString(person), '-', toString(d)), 'anonymous_id', concat('c-', toString(person), '-', toString(d)), 'bench-profiles', 1, person * 3 + d
     FROM (${personSource(p)}) ARRAY JOIN devices AS d WHERE registered`,
    `INSERT INTO ${db}.identity_changes (kind, from_profile, into_profile, id_type, id_value, message_id, event_time, event_ms, version, src_topic, src_partition, src_offset)
     SELECT 'merge', concat('p-c-', toString(person), '-', toString(d)), concat('p-', toString(person)), '', '', 'b-0', ${t0}, ${p.start * 1000}, 5, 'bench-merges', 0, person * 3 + d
     FROM (${personSource(p)}) ARRAY JOIN devices AS d WHERE registered`,
  ];
  if (layout === 'v2') {
    const claim = (ids: string, type: string, value: string, profile: string, where = '') =>
      `INSERT INTO ${db}.claims (claim_key, primary_type, primary_value, profile_id, message_id, event_time, version, src_topic, src_partition, src_offset)
       SELECT ${claimKeyOf(ids)}, ${type}, ${value}, ${profile}, 'b-0', ${t0}, 10, 'bench-claims', 0, person
       FROM (SELECT *, d, concat('c-', toString(person), '-', toString(d)) AS cookie, concat('u-', toString(person)) AS uid,
               concat('e-', toString(person), '@bench.example') AS email
             FROM (${personSource(p)}) ARRAY JOIN devices AS d) ${where}`;
    statements.push(
      claim("[concat('anonymous_id:', cookie)]", "'anonymous_id'", 'cookie', "if(registered, concat('p-c-', toString(person), '-', toString(d)), concat('p-', toString(person)))"),
      claim("[concat('user_id:', uid), concat('anonymous_id:', cookie)]", "'user_id'", 'uid', "concat('p-', toString(person))", 'WHERE registered'),
      claim("[concat('user_id:', uid)]", "'user_id'", 'uid', "concat('p-', toString(person))", 'WHERE registered AND d = 0'),
      claim("[concat('email:', email)]", "'email'", 'email', "concat('p-', toString(person))", 'WHERE registered AND d = 0'),
    );
  }
  return statements;
}
