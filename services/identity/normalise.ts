// Normalise one raw identifier value of a type and decide whether it may link: valid, not too long, not blocked.
import { blockReason } from './blocklist.ts';
import { normaliseEmail, type Normalised } from './email.ts';
import type { CountryCode } from 'libphonenumber-js/max';
import { normalisePhone } from './phone.ts';
import type { IdentityConfig } from './rules.ts';
import type { DroppedIdentifier, Identifier } from './types.ts';

export type Normalisation = { ok: true; identifier: Identifier } | { ok: false; dropped: DroppedIdentifier };

/** What the event tells about how to read a value: the region of national phone numbers. */
export interface NormaliseHint { phoneRegion?: CountryCode }

function normaliseValue(type: string, raw: string, config: IdentityConfig, hint: NormaliseHint): Normalised {
  if (type === 'email') return normaliseEmail(raw);
  if (type === 'phone') return normalisePhone(raw, hint.phoneRegion ?? config.defaultRegion);
  return { ok: true, value: raw.trim() };
}

/** Idempotent: normalising an already normalised value gives it back unchanged. */
export function normaliseIdentifier(type: string, raw: string, config: IdentityConfig, hint: NormaliseHint = {}): Normalisation {
  if (raw.length > config.maxValueLength * 4) {
    return { ok: false, dropped: { type, raw: raw.slice(0, 64), code: 'TOO_LONG', reason: `longer than ${config.maxValueLength} characters` } };
  }
  const blockedRaw = blockReason(type, raw.trim(), config);
  if (blockedRaw !== null) return { ok: false, dropped: { type, raw, code: 'BLOCKED', reason: blockedRaw } };
  const n = normaliseValue(type, raw, config, hint);
  if (!n.ok) return { ok: false, dropped: { type, raw, code: 'INVALID', reason: n.reason } };
  if (n.value.length > config.maxValueLength) {
    return { ok: false, dropped: { type, raw: raw.slice(0, 64), code: 'TOO_LONG', reason: `longer than ${config.maxValueLength} characters` } };
  }
  const blocked = blockReason(type, n.value, config);
  if (blocked !== null) return { ok: false, dropped: { type, raw, code: 'BLOCKED', reason: blocked } };
  return { ok: true, identifier: { type, value: n.value } };
}
