// Event time from a call: ISO-8601 parsing, clock-skew correction and clamping of future times (pure).

// Date, optional time with optional fraction, optional zone. A date-time without a zone is read as UTC so that the
// result never depends on the machine's time zone.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch-millisecond values below this (1973-03-03) are almost certainly seconds, not milliseconds. */
const MIN_EPOCH_MS = 1e11;
/** The largest time a JavaScript Date can hold. */
const MAX_EPOCH_MS = 8.64e15;
/**
 * Epoch milliseconds are read in the years an ISO-8601 string can name (0000..9999). Beyond ±2^52 avsc's zig-zag
 * encoding of an Avro long loses precision (a sentAt of -8.64e15 came back as +8.64e15), so wider would not survive.
 */
const MIN_NUMERIC_MS = Date.parse('0000-01-01T00:00:00Z');
const MAX_NUMERIC_MS = Date.parse('9999-12-31T23:59:59.999Z');

export type ParsedTime = { ok: true; ms: number } | { ok: false; message: string };

/** Parses an ISO-8601 string, or an integer of epoch milliseconds. */
export function parseTime(v: unknown): ParsedTime {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { ok: false, message: `expected an ISO-8601 string or epoch milliseconds, got ${v}` };
    if (v < MIN_NUMERIC_MS || v > MAX_NUMERIC_MS) return { ok: false, message: `${v} is outside the years 0000..9999` };
    if (Math.abs(v) < MIN_EPOCH_MS) return { ok: false, message: `${v} looks like epoch seconds; send an ISO-8601 string or epoch milliseconds` };
    return { ok: true, ms: v };
  }
  if (typeof v !== 'string') return { ok: false, message: `expected an ISO-8601 string, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}` };
  const m = ISO_8601.exec(v.trim());
  if (!m) return { ok: false, message: `not an ISO-8601 date-time: ${JSON.stringify(v.slice(0, 60))}` };
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March; a rolled-over date is a bad date, not a different one.
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return { ok: false, message: `not a valid calendar date-time: ${JSON.stringify(v.slice(0, 60))}` };
  }
  return { ok: true, ms: ms - zoneOffsetMs(zone) };
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

export interface EventTime {
  timestamp: number;
  /** Set when the timestamp was clamped; recorded on the touchpoint as properties.tessera_warning. */
  warning: string | null;
}

/**
 * The event time Tessera records. With sentAt, the device clock's offset is removed (Segment's rule):
 * timestamp = receivedAt − (sentAt − timestamp). A result more than `maxFutureMs` after receivedAt is clamped to
 * receivedAt with a warning. Without a client timestamp the event happened when it was received.
 */
export function eventTime(client: number | null, sentAt: number | null, receivedAt: number, maxFutureMs: number): EventTime {
  if (client === null) return { timestamp: receivedAt, warning: null };
  const corrected = sentAt === null ? client : receivedAt - (sentAt - client);
  if (corrected - receivedAt > maxFutureMs) {
    return {
      timestamp: receivedAt,
      warning: `timestamp ${iso(corrected)} was more than ${Math.round(maxFutureMs / 3_600_000 * 10) / 10} h after receivedAt; clamped to receivedAt`,
    };
  }
  return { timestamp: corrected, warning: null };
}

const iso = (ms: number): string => (Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms).toISOString() : `${ms} ms`);
