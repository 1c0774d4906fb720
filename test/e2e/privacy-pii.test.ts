// Consent and PII kept from analysts, against the real Kafka, registry and ClickHouse (18.16 on the local stack): the
// touchpoint schema with consent passes the registry's BACKWARD rule; the writer stores each event's consent and each
// profile's current consent; the analysts' database holds keyed hashes only, fed only with events consenting to
// analytics, and an analyst user can read it but not the raw database.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consent } from '../../services/contract/consent.ts';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { readSchema } from '../../services/kit/avro.ts';
import { analystErasureStatements } from '../../services/privacy/analyst-erasure.ts';
import { setupAnalystFeed } from '../../services/privacy/analyst-feed.ts';
import { keyedHash } from '../../services/privacy/keyed-hash.ts';
import { context, device, touchpoint } from '../support/builders.ts';
import { claimOf, identifierOf, linkedClaim, LinkPublisher } from '../support/link-records.ts';
import { eventually, eventuallyEqual, startWriter, type RunningWriter } from '../support/published.ts';
import type { ConsentRecord, DeadLetterRecord } from '../../services/kit/records.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { readTopic } from '../support/topics.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const T0 = Date.UTC(2026, 3, 1);
const consent = (c: Partial<Consent>): Consent => ({ advertising: false, analytics: false, personalisation: false, categories: {}, ...c });
const stackDir = process.env.TESSERA_STACK_DIR ?? `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack`;

describe('the touchpoint schema with consent and the registry', () => {
  it('registers after the schema before it under BACKWARD; a required field without a default is refused', async () => {
    const url = inject('stack').registryUrl;
    const subject = `t.pii${randomBytes(3).toString('hex')}.touchpoints-value`;
    const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: path.startsWith('/config') ? 'PUT' : 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
    const now = JSON.parse(readSchema('touchpoint')) as { fields: { name: string }[] };
    const before = { ...now, fields: now.fields.filter((f) => f.name !== 'consent') };
    expect((await post(`/config/${subject}`, { compatibility: 'BACKWARD' })).status).toBe(200);
    expect((await post(`/subjects/${subject}/versions`, { schema: JSON.stringify(before) })).status).toBe(200);
    const required = { ...now, fields: [...before.fields, { name: 'purpose', type: 'string' }] };
    expect((await post(`/subjects/${subject}/versions`, { schema: JSON.stringify(required) })).status).toBe(409);
    expect((await post(`/subjects/${subject}/versions`, { schema: JSON.stringify(now) })).status).toBe(200);
  });
});

describe('consent and the analysts\' database on the real servers', () => {
  let s: IsolatedStack;
  let link: LinkPublisher;
  let w: RunningWriter;
  let analyst: ClickHouseClient;
  const key = randomBytes(32);
  const user = `analyst_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let usersFile = '';
  let services: ServiceHarness | undefined;

  // Ada consents to analytics and advertising; Bob withdraws analytics later; Cy never says anything.
  const ada1 = touchpoint({ messageId: 'p-ada-1', userId: 'u-ada', anonymousId: 'c-ada', timestamp: T0, traits: { email: 'ada@mailbox.org', name: 'Ada L' },
    context: context({ ip: '198.51.100.7', device: device({ id: 'd-ada', advertisingId: 'ad-ada' }) }), consent: consent({ analytics: true, advertising: true, personalisation: true }) });
  const bob1 = touchpoint({ messageId: 'p-bob-1', userId: 'u-bob', timestamp: T0 + 1000, consent: consent({ analytics: true, personalisation: true }),
    context: context({ device: device({ advertisingId: 'ad-bob' }) }) });
  const bob2 = touchpoint({ messageId: 'p-bob-2', userId: 'u-bob', type: 'track', event: 'Segment Consent Preference Updated', timestamp: T0 + 2000, consent: consent({ personalisation: true }) });
  const bob3 = touchpoint({ messageId: 'p-bob-3', userId: 'u-bob', timestamp: T0 + 3000, consent: consent({ personalisation: true }) });
  const cy = touchpoint({ messageId: 'p-cy-1', userId: 'u-cy', timestamp: T0 + 4000, traits: { email: 'cy@mailbox.org' } });

  beforeAll(async () => {
    s = await isolatedStack('pii');
    await setupAnalystFeed(s.ch, s.database, key);
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
    w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId: `${s.prefix}writer` });
    // 18.16 keeps users in files: the analyst user goes beside the local stack's users.xml (a container stack would
    // need CREATE USER on a current release instead, docs/privacy.md).
    if (!existsSync(`${stackDir}/clickhouse/users.xml`)) throw new Error(`no ${stackDir}/clickhouse/users.xml: this test needs the plain-process local stack's ClickHouse`);
    usersFile = execFileSync('bash', [fileURLToPath(new URL('../../infra/local/analyst-user.sh', import.meta.url)), `${stackDir}/clickhouse`, user, password, `${s.database}_analyst`], { encoding: 'utf8' }).trim();
    analyst = createClickHouse({ url: inject('stack').clickhouseUrl, user, password });
    // The server reloads users.d by itself within seconds.
    await eventually(() => select(analyst, 'SELECT 1 AS one').catch(() => []), (r) => r.length === 1, 'the analyst user');
  });
  afterAll(async () => {
    await services?.stopAll();
    await w?.stop();
    await link?.disconnect();
    await analyst?.close();
    if (usersFile) execFileSync('rm', ['-f', usersFile]);
    await s?.ch.command({ query: `DROP DATABASE IF EXISTS ${s.database}_analyst` }).catch(() => undefined);
    await s?.close();
  });

  it('stores each event\'s consent; advertising ids link only with advertising consent; each profile\'s current consent follows its latest event', async () => {
    await link.touchpoints([ada1, bob1, bob2, bob3, cy]);
    await link.claims([linkedClaim(ada1, ['user_id', 'u-ada'], 'p-ada', 1), linkedClaim(bob1, ['user_id', 'u-bob'], 'p-bob', 2),
      linkedClaim(bob2, ['user_id', 'u-bob'], 'p-bob', 3), linkedClaim(cy, ['user_id', 'u-cy'], 'p-cy', 4)]);
    await link.identifiers([identifierOf('user_id', 'u-ada', 'p-ada', 1), identifierOf('email', 'ada@mailbox.org', 'p-ada', 1),
      identifierOf('user_id', 'u-bob', 'p-bob', 2), identifierOf('user_id', 'u-cy', 'p-cy', 4), identifierOf('email', 'cy@mailbox.org', 'p-cy', 4)]);
    const rows = [
      { message_id: 'p-ada-1', consent_said: 1, consent_purposes: ['advertising', 'analytics', 'personalisation'], ad: 1, dropped_codes: [] },
      { message_id: 'p-bob-1', consent_said: 1, consent_purposes: ['analytics', 'personalisation'], ad: 0, dropped_codes: ['NO_CONSENT'] },
      { message_id: 'p-bob-2', consent_said: 1, consent_purposes: ['personalisation'], ad: 0, dropped_codes: [] },
      { message_id: 'p-bob-3', consent_said: 1, consent_purposes: ['personalisation'], ad: 0, dropped_codes: [] },
      { message_id: 'p-cy-1', consent_said: 0, consent_purposes: [], ad: 0, dropped_codes: [] },
    ];
    expect(await eventuallyEqual(() => select(s.ch, `SELECT message_id, consent_said, consent_purposes, has(arrayMap(x -> substring(x, 1, 15), identifiers), 'advertising_id:') AS ad,
      dropped_codes FROM ${s.database}.events FINAL ORDER BY message_id`), rows, 'the events with their consent')).toEqual(rows);
    const profiles = [
      { profile_id: 'p-ada', purposes: ['advertising', 'analytics', 'personalisation'], advertising: 1, analytics: 1, personalisation: 1 },
      { profile_id: 'p-bob', purposes: ['personalisation'], advertising: 0, analytics: 0, personalisation: 1 },
    ];
    expect(await eventuallyEqual(() => select(s.ch, `SELECT profile_id, purposes, advertising, analytics, personalisation FROM ${s.database}.profile_consent ORDER BY profile_id`),
      profiles, 'each profile\'s current consent')).toEqual(profiles);
  });

  it('the analyst reads keyed hashes, never a raw identifier, and only the events consenting to analytics', async () => {
    const an = `${s.database}_analyst`;
    const h = (type: string, value: string) => keyedHash(key, type, value);
    const expected = [
      { message_id: 'p-ada-1', user_hash: h('user_id', 'u-ada'), identifiers: [`user_id:${h('user_id', 'u-ada')}`, `anonymous_id:${h('anonymous_id', 'c-ada')}`,
        `email:${h('email', 'ada@mailbox.org')}`, `device_id:${h('device_id', 'd-ada')}`, `advertising_id:${h('advertising_id', 'ad-ada')}`], claim_hash: h('claim', claimOf(ada1)), current_profile_id: 'p-ada' },
      { message_id: 'p-bob-1', user_hash: h('user_id', 'u-bob'), identifiers: [`user_id:${h('user_id', 'u-bob')}`], claim_hash: h('claim', claimOf(bob1)), current_profile_id: 'p-bob' },
      { message_id: 'p-cy-1', user_hash: h('user_id', 'u-cy'), identifiers: [`user_id:${h('user_id', 'u-cy')}`, `email:${h('email', 'cy@mailbox.org')}`], claim_hash: h('claim', claimOf(cy)), current_profile_id: 'p-cy' },
    ];
    // Bob's events after he withdrew analytics consent are not there; his earlier one stays (until erasure).
    expect(await eventuallyEqual(() => select(analyst, `SELECT message_id, user_hash, identifiers, claim_hash, current_profile_id FROM ${an}.events_current ORDER BY message_id`),
      expected, 'the analyst\'s events')).toEqual(expected);
    const everything = JSON.stringify([
      ...await select(analyst, `SELECT * FROM ${an}.events`), ...await select(analyst, `SELECT * FROM ${an}.identities`), ...await select(analyst, `SELECT * FROM ${an}.claims`),
    ]);
    for (const raw of ['u-ada', 'ada@mailbox.org', 'c-ada', 'd-ada', 'ad-ada', '198.51.100.7', 'Ada L', 'u-bob', 'cy@mailbox.org']) expect(everything).not.toContain(raw);
    expect(await select(analyst, `SELECT id_type, profile_id FROM ${an}.identities FINAL WHERE id_hash = '${h('email', 'ada@mailbox.org')}'`)).toEqual([{ id_type: 'email', profile_id: 'p-ada' }]);
  });

  it('an erasure removes an identifier\'s every row from the analysts\' database', async () => {
    const an = `${s.database}_analyst`;
    for (const statement of analystErasureStatements(s.database, key, 'email', 'ada@mailbox.org')) await s.ch.command({ query: statement });
    const h = keyedHash(key, 'email', 'ada@mailbox.org');
    const left = () => select<{ n: string }>(s.ch, `SELECT toString((SELECT count() FROM ${an}.events WHERE has(identifiers, 'email:${h}'))
      + (SELECT count() FROM ${an}.identities WHERE id_hash = '${h}')) AS n`);
    expect(await eventuallyEqual(left, [{ n: '0' }], 'ada gone from the analysts\' database')).toEqual([{ n: '0' }]);
    // Others stay.
    expect(await select(s.ch, `SELECT message_id FROM ${an}.events ORDER BY message_id`)).toEqual([{ message_id: 'p-bob-1' }, { message_id: 'p-cy-1' }]);
  });

  it('the feed keeps its key: the same key again changes nothing, another key is refused with a coded error', async () => {
    await expect(setupAnalystFeed(s.ch, s.database, key)).resolves.toEqual(['analyst_events_mv', 'analyst_identities_mv', 'analyst_claims_mv']);
    await expect(setupAnalystFeed(s.ch, s.database, randomBytes(32))).rejects.toMatchObject({ code: 'TSR_ERR_PII_KEY_CHANGED' });
  });

  it('the analyst cannot read the raw database, not even through a view', async () => {
    for (const sql of [`SELECT * FROM ${s.database}.events`, `SELECT id_value FROM ${s.database}.identities`, `SELECT * FROM ${s.database}.events_current`,
      `SELECT * FROM ${s.database}.profile_consent`, `SHOW CREATE TABLE ${s.database}.analyst_events_mv`]) {
      await expect(select(analyst, sql), sql).rejects.toThrow(/Access denied to database|Not enough privileges/);
    }
    // The raw database's tables are not even listed to the analyst.
    expect(await select(analyst, `SELECT name FROM system.tables WHERE database = '${s.database}'`)).toEqual([]);
    // Read-only: the analyst cannot write into its own database either.
    await expect(analyst.command({ query: `INSERT INTO ${s.database}_analyst.identities (id_type) VALUES ('x')` })).rejects.toThrow(/readonly|Cannot execute query in readonly mode/i);
  });

  it('the extract stage keeps each claim\'s latest consent on the consent topic; a consent update for nobody goes to the DLQ', async () => {
    const nobody = touchpoint({ messageId: 'p-nobody', type: 'track', event: 'Segment Consent Preference Updated', traits: { email: 'not-an-email' }, timestamp: T0 + 5000, consent: consent({}) });
    await link.touchpoints([nobody]);
    services = serviceHarness(s);
    await services.start('extract');
    const records = await readTopic<ConsentRecord>(s.kafka, s.codec, s.topics.consent, 'consent', (rs) => rs.length >= 3);
    const got = records.map((r) => [r.key, r.value!.messageId, r.value!.advertising, r.value!.analytics, r.value!.personalisation]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    // Bob's three events are one claim (his advertising id was withheld): his grant, then his withdrawal; the third
    // event repeats the withdrawal and publishes nothing. Cy said nothing.
    expect(got).toEqual([
      [claimOf(ada1), 'p-ada-1', true, true, true],
      [claimOf(bob1), 'p-bob-1', false, true, true],
      [claimOf(bob2), 'p-bob-2', false, false, true],
    ]);
    expect(claimOf(bob1)).toBe(claimOf(bob3));
    const dlq = await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.some((r) => r.value!.code === 'TSR_DLQ_CONSENT_NO_SUBJECT'));
    expect(dlq.map((d) => [d.value!.code, d.value!.service])).toEqual([['TSR_DLQ_CONSENT_NO_SUBJECT', 'extract']]);
    expect(dlq[0]!.value!.reason).toContain('email: INVALID');
  });
});
