// Privacy on a current ClickHouse release (chDB's engine): the consent and analysts' migrations, the keyed-hash feed
// (the same hashes as keyed-hash.ts), retention by DROP PARTITION, and what encryption at rest the engine offers.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { setupAnalystFeed } from '../../services/privacy/analyst-feed.ts';
import { keyedHash } from '../../services/privacy/keyed-hash.ts';
import { applyRetention } from '../../services/privacy/retention-store.ts';
import { serveChdb, type ChdbServer } from './chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from './tools.ts';

let chdb: ChdbServer;
let ch: ClickHouseClient;
const key = randomBytes(32);
beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
  await migrate(ch, 'priv');
  // The chDB HTTP shim takes no settings on DDL, and an in-process engine has no other user reading a query log.
  await setupAnalystFeed(ch, 'priv', key, { keepOutOfQueryLog: false });
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await ch?.close(); await chdb?.close(); });

describe('privacy on current ClickHouse through chDB', () => {
  it('feeds the analysts\' database with the keyed hashes keyed-hash.ts computes, only for events consenting to analytics', async () => {
    await ch.command({ query: `INSERT INTO priv.claims (claim_key, primary_type, primary_value, profile_id, version) VALUES ('c1', 'email', 'ana@acme.io', 'p1', 1)` });
    await ch.command({ query: `INSERT INTO priv.identities (id_type, id_value, profile_id, version) VALUES ('email', 'ana@acme.io', 'p1', 1)` });
    await ch.command({ query: `INSERT INTO priv.events (message_id, user_id, claim_key, identifiers, event_time, event_ms, consent_said, consent_purposes) VALUES
      ('m1', 'u:1', 'c1', ['email:ana@acme.io', 'user_id:u:1'], '2026-01-01 00:00:00', 1767225600000, 1, ['analytics', 'advertising']),
      ('m2', 'u:1', 'c1', ['email:ana@acme.io'], '2026-01-02 00:00:00', 1767312000000, 1, ['personalisation']),
      ('m3', '', 'c1', ['email:ana@acme.io'], '2026-01-03 00:00:00', 1767398400000, 0, [])` });
    const h = (t: string, v: string) => keyedHash(key, t, v);
    expect(await select(ch, 'SELECT message_id, user_hash, identifiers, current_profile_id FROM priv_analyst.events_current ORDER BY message_id')).toEqual([
      { message_id: 'm1', user_hash: h('user_id', 'u:1'), identifiers: [`email:${h('email', 'ana@acme.io')}`, `user_id:${h('user_id', 'u:1')}`], current_profile_id: 'p1' },
      { message_id: 'm3', user_hash: '', identifiers: [`email:${h('email', 'ana@acme.io')}`], current_profile_id: 'p1' },
    ]);
    expect(await select(ch, 'SELECT profile_id, purposes, analytics FROM priv.profile_consent')).toEqual([{ profile_id: 'p1', purposes: ['personalisation'], analytics: 0 }]);
  });

  it('drops whole months of raw and analysts\' events past the retention limit', async () => {
    const results = await applyRetention(ch, { database: 'priv', keepDays: 30, asOfMs: Date.UTC(2026, 2, 15), dryRun: false });
    expect(results.map((r) => [r.table, r.plan.drop, r.droppedRows])).toEqual([['priv.events', ['202601'], 3], ['priv_analyst.events', ['202601'], 2]]);
    expect(await select(ch, 'SELECT toString(count()) AS n FROM priv.events')).toEqual([{ n: '0' }]);
    expect(await select(ch, 'SELECT toString(count()) AS n FROM priv_analyst.events')).toEqual([{ n: '0' }]);
  });

  it('encrypts values with AES functions; the AES column codec needs the server\'s key configuration', async () => {
    const k = 'k'.repeat(32);
    const iv = 'i'.repeat(12);
    expect(await select(ch, `SELECT decrypt('aes-256-gcm', encrypt('aes-256-gcm', 'ana@acme.io', '${k}', '${iv}'), '${k}', '${iv}') AS d`)).toEqual([{ d: 'ana@acme.io' }]);
    await ch.command({ query: 'CREATE TABLE priv.sealed (email String CODEC(AES_128_GCM_SIV)) ENGINE = MergeTree ORDER BY tuple()' });
    // chDB's in-process engine reads no <encryption_codecs> key: a server configured with one writes the column encrypted.
    await expect(ch.command({ query: "INSERT INTO priv.sealed VALUES ('ana@acme.io')" })).rejects.toThrow(/CompressionCodecEncrypted/);
  });
});
