// Produces accepted calls to Kafka and reports when they are acknowledged: group commit, bounded waiting, bounded memory.

export interface OutboundMessage { topic: string; key: string | null; value: Buffer }

/** Sends one group of messages and resolves once Kafka acknowledged all of them (acks=all). */
export type SendGroup = (messages: OutboundMessage[]) => Promise<void>;

export type PublishResult =
  | { ok: true }
  | { ok: false; code: 'TSR_COLLECT_OVERLOADED' | 'TSR_COLLECT_KAFKA_UNAVAILABLE' | 'TSR_COLLECT_PRODUCE_TIMEOUT' | 'TSR_COLLECT_PRODUCE_FAILED'; message: string };

export interface SinkOptions {
  timeoutMs: number;
  maxInflightRequests: number;
  maxInflightBytes: number;
  /** A group is cut at this many bytes so one produce request stays under the broker's message.max.bytes. */
  maxGroupBytes?: number;
  now?: () => number;
  /** Observes each group's produce latency in seconds. */
  onGroup?: (seconds: number, messages: number, ok: boolean) => void;
}

interface Pending { messages: OutboundMessage[]; bytes: number; settle: (err: unknown) => void }

/**
 * Requests wait until Kafka acknowledged their messages. While one produce is in flight the next requests queue and
 * go out together in the next one (group commit), so throughput does not depend on one round trip per request.
 * Admitted requests count against the in-flight bounds until their produce settles, even after their HTTP answer
 * timed out: with Kafka gone, memory is bounded and further requests are refused at once instead of buffered.
 */
export class KafkaSink {
  private connectedFlag = false;
  private queue: Pending[] = [];
  private sending = false;
  private sendStartedAt: number | null = null;
  private inflightRequests = 0;
  private inflightBytes = 0;
  private readonly now: () => number;
  private readonly maxGroupBytes: number;

  constructor(private readonly send: SendGroup, private readonly opts: SinkOptions) {
    this.now = opts.now ?? Date.now;
    this.maxGroupBytes = opts.maxGroupBytes ?? 800 * 1024;
  }

  setConnected(connected: boolean): void {
    this.connectedFlag = connected;
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  get inflight(): { requests: number; bytes: number } {
    return { requests: this.inflightRequests, bytes: this.inflightBytes };
  }

  /** Whether a produce has been waiting for Kafka longer than the timeout (Kafka is down or stalled). */
  get stalled(): boolean {
    return this.sendStartedAt !== null && this.now() - this.sendStartedAt > this.opts.timeoutMs;
  }

  async publish(messages: OutboundMessage[]): Promise<PublishResult> {
    if (!this.connectedFlag) return { ok: false, code: 'TSR_COLLECT_KAFKA_UNAVAILABLE', message: 'not connected to Kafka yet; retry later' };
    if (this.stalled) {
      return { ok: false, code: 'TSR_COLLECT_KAFKA_UNAVAILABLE', message: `Kafka has not acknowledged a produce for over ${this.opts.timeoutMs} ms; retry later` };
    }
    const bytes = messages.reduce((n, m) => n + m.value.length + (m.key?.length ?? 0), 0);
    if (this.inflightRequests + 1 > this.opts.maxInflightRequests || this.inflightBytes + bytes > this.opts.maxInflightBytes) {
      return {
        ok: false, code: 'TSR_COLLECT_OVERLOADED',
        message: `too much waiting for Kafka (${this.inflightRequests} requests, ${this.inflightBytes} bytes in flight); retry later`,
      };
    }
    if (messages.length === 0) return { ok: true };
    this.inflightRequests += 1;
    this.inflightBytes += bytes;
    const acked = new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, bytes, settle: (err) => (err === undefined ? resolve() : reject(err)) });
    });
    // The accounting is released when Kafka settles, not when the caller stops waiting.
    const release = () => { this.inflightRequests -= 1; this.inflightBytes -= bytes; };
    acked.then(release, release);
    this.pump();

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<PublishResult>((resolve) => {
      timer = setTimeout(() => resolve({
        ok: false, code: 'TSR_COLLECT_PRODUCE_TIMEOUT', message: `Kafka did not acknowledge within ${this.opts.timeoutMs} ms; retry later (the retry is deduplicated by messageId)`,
      }), this.opts.timeoutMs);
    });
    const outcome = acked.then(
      (): PublishResult => ({ ok: true }),
      (err: unknown): PublishResult => ({ ok: false, code: 'TSR_COLLECT_PRODUCE_FAILED', message: `Kafka refused the produce: ${(err as Error).message}; retry later` }),
    );
    try {
      return await Promise.race([outcome, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once everything queued has settled (for shutdown). */
  async drain(): Promise<void> {
    while (this.sending || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    const group: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && (group.length === 0 || bytes + this.queue[0]!.bytes <= this.maxGroupBytes)) {
      const p = this.queue.shift()!;
      group.push(p);
      bytes += p.bytes;
    }
    this.sending = true;
    this.sendStartedAt = this.now();
    const started = this.sendStartedAt;
    const messages = group.flatMap((p) => p.messages);
    this.send(messages).then(
      () => { this.finish(group, undefined, started, messages.length); },
      (err: unknown) => { this.finish(group, err ?? new Error('produce failed'), started, messages.length); },
    );
  }

  private finish(group: Pending[], err: unknown, started: number, count: number): void {
    this.opts.onGroup?.((this.now() - started) / 1000, count, err === undefined);
    this.sending = false;
    this.sendStartedAt = null;
    for (const p of group) p.settle(err);
    this.pump();
  }
}
