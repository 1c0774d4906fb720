// The demo's last step: one person of the demo's population erased by `tessera forget`, gone from ClickHouse, and still
// gone after a replay of every topic into a fresh database. Self-contained: its own topic prefix and databases, its
// own extract, link, writer and privacy service, so it runs whatever topology the rest of the demo uses.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { extractIdentifiers, defaultIdentityConfig } from '../identity/index.ts';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { createMissingTopics } from '../kit/kafka.ts';
import type { Kafka } from 'kafkajs';
import { migrate } from '../kit/migrate.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { produceTouchpoints } from '../loadgen/produce.ts';
import { freePort, startService, stopService, waitReady, type ServiceProcess } from './processes.ts';

export interface PrivacyDemo { kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; prefix: string; database: string; logDir: string; touchpoints: readonly Touchpoint[] }

const tessera = fileURLToPath(new URL('../../bin/tessera', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** How many rows of every table of `db` (all versions, every column) mention `needle`. */
async function mentions(ch: ClickHouseClient, db: string, needle: string): Promise<number> {
  const tables = await select<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = '${db}' AND engine NOT IN ('View', 'MaterializedView')`);
  let n = 0;
  for (const { name } of tables) {
    const text = await (await ch.query({ query: `SELECT * FROM ${db}.\`${name}\``, format: 'JSONEachRow' })).text();
    n += text.split('\n').filter((line) => line.toLowerCase().includes(needle.toLowerCase())).length;
  }
  return n;
}

export async function demoErasure(d: PrivacyDemo): Promise<void> {
  const prefix = `${d.prefix}privacy-demo.`, db = `${d.database}_privacy_demo`, replayDb = `${db}_replay`;
  const topics = topicNames(prefix);
  // The person: the user id of the first touchpoint that carries an email, and every touchpoint of that user.
  const first = d.touchpoints.find((t) => t.userId && extractIdentifiers(t, defaultIdentityConfig).identifiers.some((i) => i.type === 'email'))!;
  const theirs = d.touchpoints.filter((t) => t.userId === first.userId || (first.anonymousId !== null && t.anonymousId === first.anonymousId));
  const others = d.touchpoints.filter((t) => !theirs.includes(t)).slice(0, 2_000);
  const who = `user_id:${first.userId}`;
  console.log(`\n== Erasure (docs/privacy.md): one person forgotten, and still gone after a replay (own topics ${prefix}*, databases ${db}, ${replayDb})`);
  const services: ServiceProcess[] = [];
  const env = { TESSERA_TOPIC_PREFIX: prefix, TESSERA_CLICKHOUSE_DATABASE: db, TESSERA_WRITER_EVENTS: 'touchpoints', TESSERA_LOG_LEVEL: 'warn' };
  const start = async (name: string, entry: string, extra: Record<string, string> = {}) => {
    const s = startService(name, entry, { ...env, ...extra }, d.logDir, await freePort());
    services.push(s);
    await waitReady(s);
  };
  try {
    await createMissingTopics(d.kafka, topics, { partitions: 3, replicationFactor: 1 });
    for (const x of [db, replayDb]) {
      await d.ch.command({ query: `DROP DATABASE IF EXISTS ${x}` });
      await migrate(d.ch, x);
    }
    for (const [n, e] of [['demo-extract', 'extract'], ['demo-link', 'link'], ['demo-writer', 'warehouse-writer'], ['demo-privacy', 'privacy']]) await start(n!, `services/${e}/main.ts`);
    await produceTouchpoints({ kafka: d.kafka, codec: d.codec, topic: topics.touchpoints, touchpoints: [...theirs, ...others], total: theirs.length + others.length });
    await until('the person in ClickHouse', async () => (await select(d.ch, `SELECT 1 FROM ${db}.identities FINAL WHERE id_type = 'user_id' AND id_value = '${first.userId}' AND profile_id != ''`)).length > 0);
    console.log(`${who}: ${theirs.length} touchpoints; rows mentioning them in ClickHouse: ${await mentions(d.ch, db, first.userId!)}`);
    console.log(`$ tessera forget ${who} --by demo`);
    const answer = execFileSync(tessera, ['forget', who, '--by', 'demo'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    console.log(answer.trim());
    console.log(`rows mentioning ${who} in ClickHouse after the erasure: ${await mentions(d.ch, db, first.userId!)}`);
    // A replay: a new writer group reads every topic from offset 0 into a fresh database.
    await start('demo-writer-replay', 'services/warehouse-writer/main.ts', { TESSERA_CLICKHOUSE_DATABASE: replayDb, TESSERA_WRITER_GROUP: `${prefix}writer-replay` });
    await until('the replayed events', async () => Number((await select<{ n: string }>(d.ch, `SELECT count() AS n FROM ${replayDb}.events`))[0]?.n) >= others.length);
    console.log(`after a replay of every topic from offset 0 into ${replayDb}: ${(await select<{ n: string }>(d.ch, `SELECT count() AS n FROM ${replayDb}.events`))[0]?.n} events, rows mentioning ${who}: ${await mentions(d.ch, replayDb, first.userId!)}`);
  } finally {
    for (const s of services.reverse()) await stopService(s);
  }
}
