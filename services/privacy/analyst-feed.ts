// The analysts' database's feed: materialized views in the raw database that copy each inserted row with its
// identifiers replaced by keyed hashes, computed in SQL exactly as keyed-hash.ts computes them.
import { createHash } from 'node:crypto';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { TesseraError } from '../kit/errors.ts';
import { ident, str } from '../kit/sql.ts';

const BLOCK = 64; // SHA-256's block size: HMAC pads the key to it

/**
 * HMAC's inner and outer pads of a key (RFC 2104): HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)). The pads are
 * as secret as the key (the key is one XOR away), so they appear only in the raw database's view definitions, which
 * analysts cannot read, and in statements sent with query logging off.
 */
export function hmacPads(key: Buffer): { inner: string; outer: string } {
  const k = Buffer.alloc(BLOCK);
  (key.length > BLOCK ? createHash('sha256').update(key).digest() : key).copy(k);
  return { inner: Buffer.from(k.map((b) => b ^ 0x36)).toString('hex'), outer: Buffer.from(k.map((b) => b ^ 0x5c)).toString('hex') };
}

/** SQL for keyedHash(key, type, value) of two SQL expressions; '' for an empty value (no identifier, no hash). */
export function keyedHashSql(key: Buffer, type: string, value: string): string {
  const { inner, outer } = hmacPads(key);
  return `if(${value} = '', '', lower(hex(SHA256(concat(unhex('${outer}'), SHA256(concat(unhex('${inner}'), ${type}, '\\0', ${value})))))))`;
}

/** The feed's views: name and the statement creating it, in the order to create them. */
export function analystFeedViews(key: Buffer, database: string): Array<[name: string, statement: string]> {
  const db = ident(database);
  const an = ident(`${database}_analyst`);
  const h = (type: string, value: string) => keyedHashSql(key, type, value);
  // identifiers hold "type:value"; the type never contains ':' (lower_snake_case), the value may.
  const idType = "substring(x, 1, position(x, ':') - 1)";
  const idValue = "substring(x, position(x, ':') + 1)";
  return [
    ['analyst_events_mv', `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.analyst_events_mv TO ${an}.events AS
SELECT message_id, type, event, name,
  ${h("'user_id'", 'user_id')} AS user_hash,
  ${h("'anonymous_id'", 'anonymous_id')} AS anonymous_hash,
  ${h("'claim'", 'claim_key')} AS claim_hash,
  arrayMap(x -> concat(${idType}, ':', ${h(idType, idValue)}), identifiers) AS identifiers,
  event_time, event_ms, received_at, source, locale, timezone, page_path, page_title, utm_source, utm_medium, utm_campaign,
  ${h("'device_id'", 'device_id')} AS device_hash,
  device_type, device_model, os_name, app_name, app_version, country, region, city, revenue, currency,
  ${h("'session'", 'session_key')} AS session_hash,
  trait_keys, property_keys, property_values, consent_purposes
FROM ${db}.events
WHERE consent_said = 0 OR has(consent_purposes, 'analytics')`],
    ['analyst_identities_mv', `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.analyst_identities_mv TO ${an}.identities AS
SELECT id_type, ${h('id_type', 'id_value')} AS id_hash, profile_id, linked_at, version FROM ${db}.identities`],
    ['analyst_claims_mv', `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.analyst_claims_mv TO ${an}.claims AS
SELECT ${h("'claim'", 'claim_key')} AS claim_hash, primary_type, ${h('primary_type', 'primary_value')} AS primary_hash, profile_id, event_time, version
FROM ${db}.claims`],
  ];
}

/**
 * Creates the feed (idempotent). The statements carry the key's pads: they are sent with query logging off, so they
 * stay out of system.query_log, which 18.16 lets every user read. Rows inserted before the feed existed are not copied.
 */
export async function setupAnalystFeed(ch: ClickHouseClient, database: string, key: Buffer, o: { keepOutOfQueryLog: boolean } = { keepOutOfQueryLog: true }): Promise<string[]> {
  const db = ident(database);
  // The views keep the key they were created with: a different key now would hash new rows under another key than
  // the old ones, and look-ups with the new key would miss them. Said, not done silently.
  await ch.command({ query: `CREATE TABLE IF NOT EXISTS ${db}.analyst_feed_key (fingerprint String, created_at DateTime DEFAULT now()) ENGINE = TinyLog` });
  const fingerprint = keyFingerprint(key);
  const known = (await select<{ fingerprint: string }>(ch, `SELECT fingerprint FROM ${db}.analyst_feed_key`)).map((r) => r.fingerprint);
  if (known.length > 0 && !known.includes(fingerprint)) {
    throw new TesseraError('TSR_ERR_PII_KEY_CHANGED', `the analysts' database of ${database} is fed with the key ${known[0]}, not with the configured key ${fingerprint}: `
      + `configure that key again, or change keys on purpose (docs/privacy.md: drop ${database}.analyst_events_mv, analyst_identities_mv, analyst_claims_mv and analyst_feed_key, then migrate)`);
  }
  if (known.length === 0) await ch.command({ query: `INSERT INTO ${db}.analyst_feed_key (fingerprint) VALUES (${str(fingerprint)})` });
  const created: string[] = [];
  for (const [name, statement] of analystFeedViews(key, database)) {
    await ch.command({ query: statement, ...(o.keepOutOfQueryLog ? { clickhouse_settings: { log_queries: 0 } } : {}) });
    created.push(name);
  }
  return created;
}

/** A fingerprint of the key that reveals nothing of it: for logs and for telling two keys apart. */
export const keyFingerprint = (key: Buffer): string => createHash('sha256').update('tessera pii key fingerprint\u0000').update(key).digest('hex').slice(0, 12);

