// Checks a decoded touchpoint beyond what Avro enforces; a failure is data (→ DLQ), never an exception.
import type { Touchpoint } from './touchpoint.ts';

export type Validation = { ok: true } | { ok: false; code: 'TSR_DLQ_INVALID'; reason: string };

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);
const MAX_MESSAGE_ID = 256;

function hasRawIdentifier(t: Touchpoint): boolean {
  const present = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  const d = t.context?.device;
  return [t.userId, t.anonymousId, t.previousId, t.traits.email, t.traits.phone, t.context?.traits.email, t.context?.traits.phone, d?.id, d?.advertisingId]
    .some(present) || t.externalIds.some((x) => present(x.id));
}

export function validateTouchpoint(t: Touchpoint): Validation {
  const problems: string[] = [];
  if (t.messageId.trim() === '') problems.push('messageId is empty');
  if (t.messageId.length > MAX_MESSAGE_ID) problems.push(`messageId is longer than ${MAX_MESSAGE_ID} characters`);
  if (!Number.isFinite(t.timestamp) || t.timestamp < MIN_TIME || t.timestamp >= MAX_TIME) {
    problems.push(`timestamp ${t.timestamp} is outside 2000-01-01..2100-01-01 (epoch milliseconds expected)`);
  }
  if (t.type === 'track' && !(t.event ?? '').trim()) problems.push('a track call needs an event name');
  if (t.type === 'alias' && (!(t.previousId ?? '').trim() || !(t.userId ?? '').trim())) problems.push('an alias call needs previousId and userId');
  if (t.type === 'group' && !(t.groupId ?? '').trim()) problems.push('a group call needs groupId');
  if (!hasRawIdentifier(t)) problems.push('no identifier: needs userId, anonymousId, an email/phone trait, a device id or an externalId');
  if (!t.source.trim()) problems.push('source is empty');
  return problems.length === 0 ? { ok: true } : { ok: false, code: 'TSR_DLQ_INVALID', reason: problems.join('; ') };
}
