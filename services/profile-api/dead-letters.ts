// What the dead-letter topic holds, for the overview: counts per reason code and hour, and the most recent records
// (with their original bytes, for admins) in a bounded ring (pure).
import type { DeadLetterRecord } from '../kit/records.ts';

const HOUR_MS = 3_600_000;

export interface RecentDeadLetter {
  code: string;
  reason: string;
  service: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  failedAt: number;
  /** The original record value, base64, cut to `maxBytes`. */
  value: string | null;
  valueBytes: number;
}

export interface DeadLetterCount { t: number; key: string; n: number }

export class DeadLetterTally {
  /** hour start (ms) → code → count; at most `maxHours` hours are kept (the oldest are dropped). */
  private readonly byHour = new Map<number, Map<string, number>>();
  private readonly recent: RecentDeadLetter[] = [];
  private next = 0;
  private total = 0;

  constructor(private readonly recentSize = 100, private readonly maxBytes = 4096, private readonly maxHours = 24 * 400) {}

  add(d: DeadLetterRecord): void {
    this.total += 1;
    const failedAt = Number(d.failedAt);
    const hour = Math.floor(failedAt / HOUR_MS) * HOUR_MS;
    let codes = this.byHour.get(hour);
    if (codes === undefined) {
      codes = new Map();
      this.byHour.set(hour, codes);
      if (this.byHour.size > this.maxHours) this.byHour.delete(Math.min(...this.byHour.keys()));
    }
    codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
    const r: RecentDeadLetter = {
      code: d.code, reason: d.reason, service: d.service, sourceTopic: d.sourceTopic, sourcePartition: d.sourcePartition,
      sourceOffset: Number(d.sourceOffset), failedAt,
      value: d.value === null ? null : d.value.subarray(0, this.maxBytes).toString('base64'), valueBytes: d.value?.length ?? 0,
    };
    if (this.recent.length < this.recentSize) this.recent.push(r);
    else this.recent[this.next] = r;
    this.next = (this.next + 1) % this.recentSize;
  }

  /** Counts per code in [start, end), bucketed by `bucketMs` (a whole number of hours). */
  series(start: number, end: number, bucketMs: number): DeadLetterCount[] {
    const out = new Map<string, DeadLetterCount>();
    for (const [hour, codes] of this.byHour) {
      if (hour + HOUR_MS <= start || hour >= end) continue;
      const t = Math.floor(hour / bucketMs) * bucketMs;
      for (const [key, n] of codes) {
        const k = `${t}\u0000${key}`;
        const c = out.get(k);
        if (c) c.n += n; else out.set(k, { t, key, n });
      }
    }
    return [...out.values()].sort((a, b) => a.t - b.t || (a.key < b.key ? -1 : 1));
  }

  /** The most recent dead letters, newest first. */
  latest(limit: number): RecentDeadLetter[] {
    const ordered = this.recent.length < this.recentSize ? [...this.recent] : [...this.recent.slice(this.next), ...this.recent.slice(0, this.next)];
    return ordered.reverse().slice(0, limit);
  }

  get count(): number {
    return this.total;
  }
}
