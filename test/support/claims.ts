// What the claims-first stages must publish for a set of touchpoints, and reading what they did publish.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { pureCore } from '../../services/demo/check.ts';
import { defaultIdentityConfig, type ProfileSnapshot } from '../../services/identity/index.ts';
import type { IdentityIdentifierRecord, ProfileRecord } from '../../services/kit/records.ts';
import type { AvroCodec } from '../../services/kit/registry.ts';
import type { Processor } from '../../services/kit/stage/types.ts';
import type { Topics } from '../../services/kit/topics.ts';
import { committed, endOffsets, eventually } from './published.ts';
import { latestByKey, readTopic, type Read } from './topics.ts';

/** Canonical form of profiles: profile id → sorted type:value of its identifiers. */
export type Canonical = Record<string, string[]>;

export function canonical(profiles: { profileId: string; ids: string[] }[]): Canonical {
  return Object.fromEntries(profiles.map((p) => [p.profileId, [...p.ids].sort()]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

/** The pure core's answer for the valid touchpoints (services/demo/check.ts): profiles in canonical form, and the distinct claim keys. */
export function expectedFor(touchpoints: readonly Touchpoint[], config = defaultIdentityConfig): { profiles: Canonical; snapshots: ProfileSnapshot[]; claimKeys: Set<string>; valid: number } {
  const { snapshots, claimKeys, valid } = pureCore(touchpoints, config);
  return { profiles: canonical(snapshots.map((p) => ({ profileId: p.profileId, ids: p.identifiers.map((l) => `${l.identifier.type}:${l.identifier.value}`) }))), snapshots, claimKeys, valid };
}

/** Waits until `group` has committed the end of every partition of `topic`. */
export async function drained(kafka: Kafka, group: string, topic: string, timeoutMs = 180_000): Promise<void> {
  const ends = await endOffsets(kafka, topic);
  await eventually(() => committed(kafka, group, topic), (c) => [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end),
    `${group} to commit the end of ${topic}`, timeoutMs);
}

/** The active profiles on the profiles topic (committed records, latest per key), once `count` are there. */
export async function publishedProfiles(kafka: Kafka, codec: AvroCodec, topics: Topics, count: number): Promise<Canonical> {
  const latest = latestByKey(await readTopic<ProfileRecord>(kafka, codec, topics.profiles, 'profile', (rs) =>
    [...latestByKey(rs).values()].filter((p) => p?.state === 'active').length >= count));
  const active = [...latest.values()].filter((p): p is ProfileRecord => p?.state === 'active');
  return canonical(active.map((p) => ({ profileId: p.profileId, ids: p.identifiers.map((i) => `${i.type}:${i.value}`) })));
}

/** The identifier table as a downstream join would see it: type:value → profile id (null = not linked). */
export async function publishedIdentifiers(kafka: Kafka, codec: AvroCodec, topics: Topics, count: number): Promise<Map<string, string | null>> {
  const latest = latestByKey(await readTopic<IdentityIdentifierRecord>(kafka, codec, topics.identifiers, 'identity-identifier', (rs) => latestByKey(rs).size >= count));
  return new Map([...latest].map(([k, v]) => [k, v?.profileId ?? null]));
}

/** What the identifier table must say for every identifier the expected profiles hold. */
export function identifierTableOf(profiles: Canonical): Map<string, string> {
  return new Map(Object.entries(profiles).flatMap(([id, ids]) => ids.map((i) => [i, id] as const)));
}

/**
 * Every committed record of a topic, read up to its end offsets as of the call: for topics whose record count
 * cannot be known in advance (aborted transactions leave offsets that no committed record holds).
 */
export async function readAll<V>(kafka: Kafka, codec: AvroCodec, topic: string, schema: string, timeoutMs = 60_000): Promise<Read<V>[]> {
  const ends = await endOffsets(kafka, topic);
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const records: Read<V>[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `test-read-all-${randomBytes(4).toString('hex')}`, readUncommitted: false });
  let timer: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`readAll(${topic}): end not reached in ${timeoutMs} ms; read ${records.length} records`)), timeoutMs);
      // Fires for every fetched batch, also one holding only transaction markers (no eachBatch call for it).
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        if (BigInt(e.payload.lastOffset) >= (ends.get(e.payload.partition) ?? 0n) - 1n) pending.delete(e.payload.partition);
        if (pending.size === 0) resolve();
      });
      void consumer.subscribe({ topics: [topic], fromBeginning: true }).then(() => consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            let value: V | null = null;
            if (m.value) {
              const d = await codec.decode<V>(schema, m.value);
              if (!d.ok) throw new Error(`${topic}@${m.offset}: ${d.reason}`);
              value = d.value;
            }
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
            records.push({ key: m.key?.toString() ?? null, value, partition: batch.partition, offset: m.offset, headers });
          }
        },
      })).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}

/**
 * A test-only fault seam around a real processor: a batch holding a record `poisoned` picks is processed up to that
 * record (the state changes, the outputs are lost) and then throws, as a bug in the processor would.
 */
export function throwingOn<S, V, O>(real: Processor<S, V, O>, poisoned: (v: V) => boolean): Processor<S, V, O> {
  return {
    process(state, records) {
      const i = records.findIndex((r) => poisoned(r.value));
      if (i < 0) return real.process(state, records);
      real.process(state, records.slice(0, i));
      throw new Error(`test fault: the processor cannot handle ${records[i]!.topic}@${records[i]!.offset}`);
    },
  };
}
