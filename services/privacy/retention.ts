// Retention of raw events (pure): which whole months of `events` lie entirely before the retention limit.
// Events are partitioned by month (toYYYYMM(event_time), UTC; migration 007), so retention drops whole partitions:
// cheap on every ClickHouse release (no mutation), and a month is either all there or all gone.

const DAY_MS = 86_400_000;

/** The first instant (epoch ms, UTC) of the month after a YYYYMM partition id; null for an id that is not one. */
export function monthEndMs(partitionId: string): number | null {
  const m = /^(\d{4})(\d{2})$/.exec(partitionId);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return Date.UTC(year, month, 1);
}

/** Events with an event time before this instant are past the limit. */
export function retentionCutoffMs(asOfMs: number, keepDays: number): number {
  return asOfMs - keepDays * DAY_MS;
}

export interface RetentionPlan {
  /** Months (YYYYMM) whose every event is older than the limit: dropped whole. */
  drop: string[];
  /**
   * The month that holds the cutoff, if it has data: part of it is past the limit but it stays until the whole month
   * is (at most one month longer than the limit), because dropping a partition is all or nothing.
   */
  partial: string | null;
  /** Months kept, newest data included (the partial month among them). */
  keep: string[];
  /** Partition ids that are not months (a table partitioned some other way): never touched. */
  skipped: string[];
  cutoffMs: number;
}

/**
 * Which partitions of a month-partitioned table to drop for a retention of `keepDays` days as of `asOfMs`. A month is
 * dropped only when it ended at or before the cutoff, so no event younger than the limit is ever dropped.
 */
export function planRetention(partitionIds: readonly string[], asOfMs: number, keepDays: number): RetentionPlan {
  const cutoffMs = retentionCutoffMs(asOfMs, keepDays);
  const plan: RetentionPlan = { drop: [], partial: null, keep: [], skipped: [], cutoffMs };
  for (const id of [...new Set(partitionIds)].sort()) {
    const end = monthEndMs(id);
    if (end === null) { plan.skipped.push(id); continue; }
    if (end <= cutoffMs) { plan.drop.push(id); continue; }
    plan.keep.push(id);
    const start = monthEndMs(previousMonth(id))!;
    if (start < cutoffMs) plan.partial = id;
  }
  return plan;
}

/** YYYYMM of the month before. */
function previousMonth(id: string): string {
  const year = Number(id.slice(0, 4));
  const month = Number(id.slice(4));
  return month === 1 ? `${year - 1}12` : `${year}${String(month - 1).padStart(2, '0')}`;
}

export type RetentionDays = { ok: true; days: number } | { ok: false; problem: string };

/** The longest retention accepted: 100 years, beyond which a date no longer fits 18.16's DateTime. */
export const MAX_RETENTION_DAYS = 36_500;

/** A retention in days from text ("400", "400d"); at least 1 day, so that a typo never drops today's events. */
export function parseRetentionDays(text: string | undefined): RetentionDays {
  const t = text?.trim() ?? '';
  const m = /^(\d+)d?$/.exec(t);
  if (!m) return { ok: false, problem: `expected a whole number of days such as 400 or 400d, got ${JSON.stringify(text ?? '')}` };
  const days = Number(m[1]);
  if (days < 1 || days > MAX_RETENTION_DAYS) return { ok: false, problem: `must be from 1 to ${MAX_RETENTION_DAYS} days, got ${days}` };
  return { ok: true, days };
}
