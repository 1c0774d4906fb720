// A messageId for calls that come without one, derived from the call's content so a client retry dedupes (pure).
import { createHash } from 'node:crypto';

// Transport fields change between attempts of the same call; they do not make it a different call.
const TRANSPORT_FIELDS = new Set(['sentAt', 'receivedAt', 'writeKey', '_metadata', 'messageId']);

/** JSON with object keys sorted at every level, so equal content gives equal text. Recursive: bounded inputs only. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableJson(x))).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.keys(v).sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** "tsr-" + 32 hex digits of SHA-256 over the call's type and content, without transport fields. */
export function derivedMessageId(type: string, call: Record<string, unknown>, scope = ''): string {
  // fromEntries, not assignment: a "__proto__" field is content like any other, not the copy's prototype.
  const content = Object.fromEntries(Object.entries(call).filter(([k]) => !TRANSPORT_FIELDS.has(k)));
  const h = createHash('sha256').update(scope).update('\0').update(type).update('\0').update(stableJson(content));
  return `tsr-${h.digest('hex').slice(0, 32)}`;
}
