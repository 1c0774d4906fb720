// Consumer lag as the group's committed offsets against the log end, measured from outside the consume loop, so it
// stays true when the loop is stuck, restarting or not consuming at all.
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from './log.ts';

export interface PartitionEnds { partition: number; low: string; high: string }
export interface PartitionCommit { partition: number; offset: string }

/**
 * Records not yet committed per partition: log end minus the committed offset. A group with nothing committed
 * (offset -1) starts from the beginning (every Tessera consumer reads fromBeginning), so its lag is the whole
 * retained log; a committed offset below the log start (records deleted by retention) counts from the start.
 */
export function committedLag(ends: readonly PartitionEnds[], commits: readonly PartitionCommit[]): Map<number, bigint> {
  const committed = new Map(commits.map((c) => [c.partition, BigInt(c.offset)]));
  const lag = new Map<number, bigint>();
  for (const e of ends) {
    const low = BigInt(e.low), high = BigInt(e.high);
    const c = committed.get(e.partition) ?? -1n;
    const from = c < low ? low : c;
    lag.set(e.partition, high > from ? high - from : 0n);
  }
  return lag;
}

export interface LagMonitorOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  intervalMs: number;
  log: Logger;
  /** Called with every successful measurement. */
  onLag(lag: Map<number, bigint>): void;
  /** Called when a measurement fails (the lag is unknown until the next one succeeds). */
  onFailure?(err: unknown): void;
}

/**
 * Measures `committedLag` every `intervalMs` with its own admin client. A failed measurement (Kafka unreachable) is
 * reported through `onFailure` and retried at the next tick; `latest` keeps the last good one with its time.
 */
export class LagMonitor {
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private last: { at: number; lag: Map<number, bigint> } | null = null;

  constructor(private readonly o: LagMonitorOptions, private readonly now: () => number = Date.now) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { if (!this.running) this.running = this.measure().finally(() => { this.running = null; }); }, this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  /** The last measurement: when it was taken and the lag per partition; null before the first one. */
  get latest(): { at: number; lag: Map<number, bigint> } | null {
    return this.last;
  }

  /** One measurement; one slower than the interval counts as failed (Kafka that does not answer is not there). */
  async measure(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.o.intervalMs} ms`)), this.o.intervalMs);
    });
    try {
      const lag = await Promise.race([this.read(), timeout]);
      this.last = { at: this.now(), lag };
      this.o.onLag(lag);
    } catch (err) {
      this.o.log.debug({ err, topic: this.o.topic }, 'measuring consumer lag failed');
      this.o.onFailure?.(err);
      // A broken connection is rebuilt at the next tick; not awaited, a hung connection may take long to close.
      const admin = this.admin;
      this.admin = null;
      void admin?.disconnect().catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(): Promise<Map<number, bigint>> {
    let admin = this.admin;
    if (!admin) {
      admin = this.o.kafka.admin({ retry: { retries: 1 } });
      this.admin = admin;
      await admin.connect();
    }
    const ends = await admin.fetchTopicOffsets(this.o.topic);
    const [offsets] = await admin.fetchOffsets({ groupId: this.o.groupId, topics: [this.o.topic] });
    return committedLag(ends.map((e) => ({ partition: e.partition, low: e.low, high: e.high })), offsets?.partitions ?? []);
  }
}
