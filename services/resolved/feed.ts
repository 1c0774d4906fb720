// Keeps a ClaimProfileTable current from the link stage's compacted topics: read from the beginning (committed
// records only), caught up to the ends as of the start before the stage consumes, then followed while it runs.
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../kit/log.ts';
import { LINK_SCHEMAS, type IdentityClaimRecord, type IdentityIdentifierRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { ClaimProfileTable } from './table.ts';

export interface FeedOptions {
  kafka: Kafka;
  codec: AvroCodec;
  log: Logger;
  claimsTopic: string;
  identifiersTopic: string;
  /** Consumer group prefix; each feed uses a group of its own and commits nothing (the table is rebuilt on start). */
  groupPrefix: string;
}

export class TableFeed {
  readonly table = new ClaimProfileTable();
  private consumer: Consumer | null = null;
  private stopped = false;
  /** Records that did not decode (skipped: a table cannot dead-letter the link stage's output). */
  undecodable = 0;

  constructor(private readonly o: FeedOptions) {}

  /** Starts following both topics; resolves once the table holds everything committed before the call. */
  async start(): Promise<void> {
    const { kafka, codec, log, claimsTopic, identifiersTopic } = this.o;
    const admin = kafka.admin();
    await admin.connect();
    const pending = new Set<string>();
    const ends = new Map<string, bigint>();
    try {
      for (const topic of [claimsTopic, identifiersTopic]) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(p.high) > BigInt(p.low)) { ends.set(`${topic}:${p.partition}`, BigInt(p.high)); pending.add(`${topic}:${p.partition}`); }
        }
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({ groupId: `${this.o.groupPrefix}.${randomBytes(6).toString('hex')}`, readUncommitted: false, maxBytesPerPartition: 4 << 20 });
    this.consumer = consumer;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => { caughtUp = resolve; });
    if (pending.size === 0) caughtUp();
    // Fires for every fetched batch, also one holding only transaction markers (no eachBatch call for it).
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const k = `${e.payload.topic}:${e.payload.partition}`;
      if (pending.has(k) && BigInt(e.payload.lastOffset) >= ends.get(k)! - 1n) pending.delete(k);
      if (pending.size === 0) caughtUp();
    });
    let started = false;
    let failed: ((err: Error) => void) | null = null;
    const crashed = new Promise<never>((_, reject) => { failed = reject; });
    crashed.catch(() => undefined); // handled by the race below, or by following again once started
    consumer.on(consumer.events.CRASH, (e) => {
      log.error({ err: e.payload.error, restart: e.payload.restart }, 'table feed consumer crashed');
      if (e.payload.restart) return;
      if (!started) { failed?.(e.payload.error); return; }
      // A table that stops following would park every new claim's touchpoints until the bound: follow again, from
      // the beginning (records apply any number of times), into the same table.
      if (!this.stopped && this.consumer === consumer) void this.follow(consumer);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [claimsTopic, identifiersTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const claims = batch.topic === claimsTopic;
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8') ?? '';
          if (m.value === null) {
            // A tombstone (an erasure): it removes the key whatever version the table held.
            if (claims) this.table.applyClaim(key, null, Number.MAX_SAFE_INTEGER);
            else this.table.applyIdentifier(key, null, Number.MAX_SAFE_INTEGER);
            continue;
          }
          const d = claims
            ? await codec.decode<IdentityClaimRecord>(LINK_SCHEMAS.identityClaim, m.value)
            : await codec.decode<IdentityIdentifierRecord>(LINK_SCHEMAS.identityIdentifier, m.value);
          if (!d.ok) {
            this.undecodable += 1;
            log.warn({ topic: batch.topic, partition: batch.partition, offset: m.offset, code: d.code, reason: d.reason }, 'table record skipped: it does not decode');
            continue;
          }
          if (claims) this.table.applyClaim(key, d.value as IdentityClaimRecord);
          else this.table.applyIdentifier(key, d.value as IdentityIdentifierRecord);
        }
      },
    });
    await Promise.race([ready, crashed]);
    started = true;
    log.info({ ...this.table.size }, 'claim and identifier tables read');
  }

  /** Replaces a crashed consumer, retrying every few seconds until one follows the tables again. */
  private async follow(crashed: Consumer): Promise<void> {
    await crashed.disconnect().catch(() => undefined);
    while (!this.stopped) {
      try {
        await this.start();
        return;
      } catch (err) {
        this.o.log.error({ err }, 'table feed could not follow the tables again; retrying');
        await this.consumer?.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 5_000));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
  }
}
